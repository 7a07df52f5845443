/**
 * Quality and caption selection for the hls.js engine. hls.js's light build has no subtitle
 * support, so the stream's WebVTT subtitles (the master's `EXT-X-MEDIA:TYPE=SUBTITLES` playlists,
 * which its parser still reads) are loaded by `loadHlsSubtitles` when a track is first shown,
 * with the playback token in the header, and drawn through `NativeCaptions`.
 */
import type Hls from 'hls.js';
import type { MediaPlaylist } from 'hls.js';
import { loadHlsSubtitles } from '../captions/hls-subtitles.js';
import { NativeCaptions } from '../captions/native-captions.js';
import { tokenAudience } from './config.js';
import { AUTO_QUALITY, type Engine, type EngineOptions } from './types.js';
import { distinctQualities, TrackListeners } from './tracks.js';

export type HlsTracks = Required<Omit<Engine, 'destroy'>> & { destroy(): void };

/**
 * GETs text with `Authorization: Bearer <playback token>` where the token may go (see
 * `tokenAudience`); a 401 renews the token once and retries, like every other request.
 */
export function tokenFetchText({ session, token, renewToken }: Pick<EngineOptions, 'session' | 'token' | 'renewToken'>): (url: string) => Promise<string> {
  const mayCarryToken = tokenAudience(session);
  const get = async (url: string, bearer: string | undefined) =>
    fetch(url, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {}, credentials: 'omit' });
  return async (url) => {
    const carries = mayCarryToken(url);
    let response = await get(url, carries ? await token() : undefined);
    if (response.status === 401 && carries) response = await get(url, await renewToken());
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return response.text();
  };
}

/**
 * Call before `hls.loadSource()`: it listens for the manifest. `fetchText` fetches a subtitles
 * playlist or segment (with the token where it belongs).
 */
export function hlsTracks(Hls: typeof import('hls.js').default, hls: Hls, media: HTMLMediaElement, fetchText: (url: string) => Promise<string>): HlsTracks {
  const listeners = new TrackListeners();
  const captions = new NativeCaptions(media, listeners.notify);
  const loads = new Map<string, Promise<void>>();
  let playlists: MediaPlaylist[] = [];
  let selected = AUTO_QUALITY;
  /** The stream's first timestamp in seconds; hls.js plays it at media time 0. */
  let initPts: number | undefined;

  hls.on(Hls.Events.MANIFEST_LOADED, (_event, data) => {
    playlists = data.subtitles ?? [];
    captions.setTracks(playlists.map((playlist, i) => ({ id: String(i), language: playlist.lang ?? '', label: playlist.name })));
  });
  hls.on(Hls.Events.INIT_PTS_FOUND, (_event, data) => {
    initPts ??= data.initPTS / data.timescale;
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, listeners.notify);

  const load = (id: string) => {
    const playlist = playlists[Number(id)];
    if (!playlist || loads.has(id)) return;
    const loading = loadHlsSubtitles(playlist.url, fetchText, () => initPts, (cues, offset) => captions.addCues(id, cues, offset)).catch(
      (error: unknown) => {
        loads.delete(id); // showing the track again retries
        console.warn('[veil] captions could not be loaded', error);
      },
    );
    loads.set(id, loading);
  };

  return {
    qualities: () => ({
      options: distinctQualities(hls.levels.map((level, i) => ({ id: String(i), height: level.height, bitrate: level.bitrate }))),
      selected,
      active: hls.currentLevel >= 0 ? String(hls.currentLevel) : undefined,
    }),
    setQuality: (id) => {
      if (id !== AUTO_QUALITY && !hls.levels[Number(id)]) return;
      // currentLevel switches at once (flushing the buffer ahead); -1 hands control back to ABR.
      hls.currentLevel = id === AUTO_QUALITY ? -1 : Number(id);
      selected = id;
      listeners.notify();
    },
    textTracks: () => captions.state(),
    setTextTrack: (id) => {
      captions.select(id);
      if (id !== null) load(id);
    },
    onTracksChanged: listeners.add,
    destroy: () => captions.destroy(),
  };
}
