/**
 * Synthetic WebVTT caption tracks for the sample media, in two languages so players have a
 * language to choose: one cue every few seconds naming its own time span ("Caption 1 — 0:00 to
 * 0:04"), written as plain text files beside the media and referenced from the DASH manifest (a
 * text AdaptationSet per language) and the HLS master (an `EXT-X-MEDIA:TYPE=SUBTITLES` group).
 *
 * Captions are added after the CENC encryptor has run, so it never sees text: captions carry no
 * secret and stay clear in both the clear and the protected copy.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CaptionTrack {
  /** BCP 47 language tag. */
  lang: string;
  /** Name shown to viewers, in the track's own language. */
  name: string;
  /** Base file name (no extension). */
  file: string;
  cue(index: number, from: string, to: string): string;
}

export const CAPTION_TRACKS: readonly CaptionTrack[] = [
  { lang: 'en', name: 'English', file: 'captions-en', cue: (i, from, to) => `Caption ${i} — ${from} to ${to}` },
  { lang: 'fr', name: 'Français', file: 'captions-fr', cue: (i, from, to) => `Sous-titre ${i} — ${from} à ${to}` },
];

export const CUE_SECONDS = 4;

/** HLS subtitles group id in the master playlist. */
export const HLS_SUBTITLES_GROUP = 'subs';

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
}

function timestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = String(Math.floor(ms / 3_600_000)).padStart(2, '0');
  const m = String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0');
  const s = String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0');
  return `${h}:${m}:${s}.${String(ms % 1000).padStart(3, '0')}`;
}

/**
 * The WebVTT file of one track covering `durationSeconds`. With `mpegts` (90 kHz), an
 * `X-TIMESTAMP-MAP` header maps cue time 0 to that MPEG-TS timestamp, as HLS requires for
 * WebVTT beside MPEG-TS segments (RFC 8216 §3.5).
 */
export function webvtt(track: CaptionTrack, durationSeconds: number, mpegts?: number): string {
  const lines = ['WEBVTT'];
  if (mpegts !== undefined) lines.push(`X-TIMESTAMP-MAP=MPEGTS:${mpegts},LOCAL:00:00:00.000`);
  lines.push('');
  for (let start = 0, i = 1; start < durationSeconds; start += CUE_SECONDS, i++) {
    const end = Math.min(start + CUE_SECONDS, durationSeconds);
    lines.push(String(i), `${timestamp(start)} --> ${timestamp(end)}`, track.cue(i, clock(start), clock(end)), '');
  }
  return lines.join('\n');
}

/** One text AdaptationSet per track, inserted before the (single) Period's end. */
export function addCaptionsToMpd(mpd: string, tracks: readonly CaptionTrack[] = CAPTION_TRACKS): string {
  const periodEnd = /^([ \t]*)<\/Period>/m.exec(mpd);
  if (!periodEnd || mpd.indexOf('</Period>') !== mpd.lastIndexOf('</Period>')) throw new Error('mpd: expected exactly one Period');
  if (/contentType="text"/.test(mpd)) throw new Error('mpd: manifest already has text');
  const indent = periodEnd[1]!;
  const step = indent.includes('\t') ? '\t' : '  ';
  const [set, inner, innermost] = [indent + step, indent + step + step, indent + step + step + step];
  let nextId = (mpd.match(/<AdaptationSet\b/g)?.length ?? 0);
  const sets = tracks.map((track) =>
    [
      `${set}<AdaptationSet id="${nextId++}" contentType="text" mimeType="text/vtt" lang="${track.lang}">`,
      `${inner}<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>`,
      `${inner}<Label>${track.name}</Label>`,
      `${inner}<Representation id="${track.file}" bandwidth="256">`,
      `${innermost}<BaseURL>${track.file}.vtt</BaseURL>`,
      `${inner}</Representation>`,
      `${set}</AdaptationSet>`,
    ].join('\n'),
  );
  return mpd.slice(0, periodEnd.index) + sets.join('\n') + '\n' + mpd.slice(periodEnd.index);
}

/** A subtitles media group in the master playlist, referenced by every variant. */
export function addCaptionsToMaster(master: string, tracks: readonly CaptionTrack[] = CAPTION_TRACKS): string {
  if (master.includes('TYPE=SUBTITLES')) throw new Error('hls: master already has subtitles');
  const lines = master.split('\n');
  const firstVariant = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF:'));
  if (firstVariant < 0) throw new Error('hls: master lists no variants');
  const media = tracks.map(
    (track, i) =>
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${HLS_SUBTITLES_GROUP}",NAME="${track.name}",LANGUAGE="${track.lang}",` +
      `DEFAULT=NO,AUTOSELECT=${i === 0 ? 'YES' : 'NO'},URI="${track.file}.m3u8"`,
  );
  const out = lines.map((line) => (line.startsWith('#EXT-X-STREAM-INF:') ? `${line},SUBTITLES="${HLS_SUBTITLES_GROUP}"` : line));
  out.splice(firstVariant, 0, ...media, '');
  return out.join('\n');
}

/** A VOD media playlist with the whole track as one WebVTT segment. */
export function subtitlesPlaylist(track: CaptionTrack, durationSeconds: number): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(durationSeconds)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${durationSeconds.toFixed(6)},`,
    `${track.file}.vtt`,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/** Writes the VTT files into a DASH directory and declares them in its manifest. */
export async function addDashCaptions(dir: string, manifest: string, durationSeconds: number): Promise<void> {
  for (const track of CAPTION_TRACKS) await writeFile(join(dir, `${track.file}.vtt`), webvtt(track, durationSeconds));
  const path = join(dir, manifest);
  await writeFile(path, addCaptionsToMpd(await readFile(path, 'utf8')));
}

/**
 * Writes subtitles playlists and VTT files into an HLS directory and adds the group to its
 * master. `mpegts` is the first MPEG-TS timestamp of the media segments (90 kHz).
 */
export async function addHlsCaptions(dir: string, master: string, durationSeconds: number, mpegts: number): Promise<void> {
  for (const track of CAPTION_TRACKS) {
    await writeFile(join(dir, `${track.file}.vtt`), webvtt(track, durationSeconds, mpegts));
    await writeFile(join(dir, `${track.file}.m3u8`), subtitlesPlaylist(track, durationSeconds));
  }
  const path = join(dir, master);
  await writeFile(path, addCaptionsToMaster(await readFile(path, 'utf8')));
}
