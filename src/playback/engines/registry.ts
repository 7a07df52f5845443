/**
 * Which engine plays a session, and loading it. Each engine is a lazily imported chunk, so a page
 * downloads only the engine its stream needs, and only after the perimeter check has passed.
 * The engines import `types.ts` and `config.ts`, never this file, so there is no cycle.
 */
import { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession, StreamProtocol } from '../../protocol/playback.js';
import type { Engine, EngineLoader, EngineOptions } from './types.js';

export type EngineName = 'shaka' | 'hls-light' | 'hls-eme';

/** One lazy import per engine. */
const ENGINES: Record<EngineName, () => Promise<EngineLoader>> = {
  shaka: async () => (await import('./shaka.js')).loadShakaEngine,
  'hls-light': async () => (await import('./hls.js')).loadHlsEngine,
  'hls-eme': async () => (await import('./hls-eme.js')).loadHlsEmeEngine,
};

export function hasMediaSource(): boolean {
  return typeof globalThis.MediaSource === 'function' || 'ManagedMediaSource' in globalThis;
}

/**
 * The protocols this browser can play, preferred first, for the playback-session request: with
 * MSE both engines work, DASH (shaka) first. Without MSE none does; the server's primary answer
 * then ends in `MEDIA_UNSUPPORTED` as before.
 */
export function playableProtocols(): StreamProtocol[] | undefined {
  return hasMediaSource() ? ['dash', 'hls'] : undefined;
}

/**
 * Starts importing the engine a stream of `protocol` most likely needs (hls.js light for HLS),
 * before the playback session names the stream, so the download and the engine's start-up run
 * in parallel with the playback-session request. Call it only once the client-side perimeter
 * check has passed: a viewer outside the perimeter downloads no engine. The session's answer
 * still decides (`loadEngine`); a wrong guess costs one engine download, nothing else. A failed
 * import here is left to `loadEngine`, which imports again and reports it.
 */
export function preloadEngine(protocol: StreamProtocol): void {
  if (!hasMediaSource()) return;
  // The hint says nothing of DRM: for HLS the light build, as for a stream without EME.
  ENGINES[engineFor({ protocol, drm: {} })]().catch(() => undefined);
}

/** Loads the engine for the session's protocol and starts loading the stream. */
export async function loadEngine(options: EngineOptions): Promise<Engine> {
  // MSE, not canPlayType, decides: Chromium answers "maybe" for HLS it cannot play natively.
  if (!hasMediaSource()) throw new VeilError('MEDIA_UNSUPPORTED', { data: { reason: 'no MediaSource' } });
  const load = await ENGINES[engineFor(options.session)]();
  return load(options);
}

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
