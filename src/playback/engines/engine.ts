/**
 * One interface over the playback engines. Each engine is a lazily imported chunk, so a page
 * downloads only the engine its stream needs, and only after the perimeter check has passed.
 */
import { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession } from '../../protocol/playback.js';

export interface EngineOptions {
  media: HTMLVideoElement;
  session: PlaybackSession;
  /** A fresh playback token, awaited before every request so renewals apply at once. */
  token(): Promise<string>;
  /** A request came back 401: renew (once) and resolve with the token to retry with. */
  renewToken(): Promise<string>;
  /** Fatal engine errors after `load` resolved. */
  onError(error: VeilError): void;
  /** URL of hls.js's worker file (a strict CSP forbids its default `blob:` worker). */
  hlsWorkerUrl?: string;
}

/** A rendition the viewer may choose (the stream's variants, one per picture height). */
export interface EngineQuality {
  id: string;
  /** Picture height in pixels (0 when unknown). */
  height: number;
  /** Peak bits per second. */
  bitrate: number;
}

export interface EngineQualities {
  /** Highest first. */
  options: EngineQuality[];
  /** The viewer's choice: a quality id, or 'auto' for adaptive bitrate. */
  selected: string;
  /** The rendition playing now, when known (under 'auto' it changes with the network). */
  active?: string;
}

/** A WebVTT caption or subtitle track of the stream. */
export interface EngineTextTrack {
  id: string;
  /** BCP 47 language tag ('' when unknown). */
  language: string;
  /** Name from the manifest ('' when none). */
  label: string;
}

export interface EngineTextTracks {
  options: EngineTextTrack[];
  /** The track shown, or null when captions are off. */
  selected: string | null;
}

/**
 * A loaded stream. Everything but `destroy` is optional, so a minimal custom engine (see the
 * player's `engineLoader`) needs only `destroy`; the player hides controls an engine cannot serve.
 */
export interface Engine {
  destroy(): Promise<void>;
  /** Renditions and the current choice. */
  qualities?(): EngineQualities;
  /** Picks a rendition (ABR off) or 'auto' (ABR on). */
  setQuality?(id: string): void;
  /** Caption tracks and the one shown. */
  textTracks?(): EngineTextTracks;
  /** Shows a caption track on the media element's native text tracks, or none with null. */
  setTextTrack?(id: string | null): void;
  /** Registers a callback for whenever `qualities()` or `textTracks()` may have changed. */
  onTracksChanged?(listener: () => void): void;
}

/** Retry budget the engines are configured with: per request, and decoder recoveries (hls.js). */
export const ENGINE_RETRY = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 4000,
  timeoutMs: 8000,
  mediaRecoveries: 2,
} as const;

/** What `Engine.setQuality` takes for adaptive bitrate. */
export const AUTO_QUALITY = 'auto';

export function hasMediaSource(): boolean {
  return typeof globalThis.MediaSource === 'function' || 'ManagedMediaSource' in globalThis;
}

/** Loads the engine for the session's protocol and starts loading the stream. */
export async function loadEngine(options: EngineOptions): Promise<Engine> {
  // MSE, not canPlayType, decides: Chromium answers "maybe" for HLS it cannot play natively.
  if (!hasMediaSource()) throw new VeilError('MEDIA_UNSUPPORTED', { data: { reason: 'no MediaSource' } });
  switch (engineFor(options.session)) {
    case 'shaka':
      return (await import('./shaka.js')).loadShakaEngine(options);
    case 'hls-light':
      return (await import('./hls.js')).loadHlsEngine(options);
    case 'hls-eme':
      return (await import('./hls-eme.js')).loadHlsEmeEngine(options);
  }
}

export type EngineName = 'shaka' | 'hls-light' | 'hls-eme';

/** DASH → shaka (DASH build, EME included); HLS → hls.js light, or full hls.js only when EME is needed. */
export function engineFor(session: Pick<PlaybackSession, 'protocol' | 'drm'>): EngineName {
  switch (session.protocol) {
    case 'dash':
      return 'shaka';
    case 'hls':
      return Object.keys(session.drm.keySystems ?? {}).length > 0 ? 'hls-eme' : 'hls-light';
    default:
      throw new VeilError('MEDIA_UNSUPPORTED', { data: { protocol: session.protocol } });
  }
}

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
