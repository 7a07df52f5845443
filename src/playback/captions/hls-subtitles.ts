/**
 * Loads one HLS WebVTT subtitles playlist and its segments (VOD: all of them, in order) and hands
 * each segment's cues over with the offset that puts them on the media timeline.
 */
import { parseWebVtt, type ParsedCue } from './webvtt.js';

/** Segment URIs of a media playlist, resolved against its URL. */
export function segmentUrls(playlist: string, playlistUrl: string): string[] {
  return playlist
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((uri) => new URL(uri, playlistUrl).href);
}

/**
 * `initPts()` is the stream's first MPEG-TS timestamp in seconds (played at media time 0), once
 * known. A segment's `X-TIMESTAMP-MAP` maps its cue time LOCAL to timestamp MPEGTS, so a cue at
 * `t` plays at `t - LOCAL + MPEGTS / 90 kHz - initPts`; without a map, cue times are media times.
 */
export async function loadHlsSubtitles(
  playlistUrl: string,
  fetchText: (url: string) => Promise<string>,
  initPts: () => number | undefined,
  add: (cues: ParsedCue[], offsetSeconds: number) => void,
): Promise<void> {
  const urls = segmentUrls(await fetchText(playlistUrl), playlistUrl);
  for (const url of urls) {
    const { cues, timestampMap } = parseWebVtt(await fetchText(url));
    let offset = 0;
    if (timestampMap) {
      const mapped = timestampMap.mpegts / 90_000;
      offset = mapped - timestampMap.local - (initPts() ?? mapped);
    }
    add(cues, offset);
  }
}
