/**
 * What every built-in engine is configured with alike: the retry budget, and which origins may
 * receive the playback token.
 */
import type { PlaybackSession } from '../../protocol/playback.js';

/** Retry budget the engines are configured with: per request, and decoder recoveries (hls.js). */
export const ENGINE_RETRY = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 4000,
  timeoutMs: 8000,
  mediaRecoveries: 2,
} as const;

/**
 * Origins that may receive the playback token: the manifest's, and the license servers'.
 * Anything else (a third-party CDN named in a manifest, say) gets no token.
 */
export function tokenAudience(session: PlaybackSession): (url: string) => boolean {
  const origins = new Set([new URL(session.manifestUrl).origin]);
  for (const { licenseUrl } of Object.values(session.drm.keySystems ?? {})) origins.add(new URL(licenseUrl).origin);
  return (url) => {
    try {
      return origins.has(new URL(url, session.manifestUrl).origin);
    } catch {
      return false;
    }
  };
}
