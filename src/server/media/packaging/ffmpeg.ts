/**
 * The ffmpeg steps of sample-media generation: one encode of a synthetic source, then stream-copy
 * packaging of that encode into clear DASH and into HLS (clear or AES-128). Encoding once keeps
 * cold start short (the encode is most of it) and guarantees both protocols carry identical media.
 */
import { spawn } from 'node:child_process';

interface Rendition {
  width: number;
  height: number;
  videoKbps: number;
}

/** Two renditions so players have something to switch between. */
const RENDITIONS: readonly Rendition[] = [
  { width: 640, height: 360, videoKbps: 800 },
  { width: 320, height: 180, videoKbps: 250 },
];

export const SEGMENT_SECONDS = 2;
const FPS = 30;
const AUDIO_KBPS = 128;

/** DASH file names; dash.ts relies on them to pair media segments with their init segment. */
export const DASH_INIT_TEMPLATE = 'init-$RepresentationID$.m4s';
export const DASH_MEDIA_TEMPLATE = 'chunk-$RepresentationID$-$Number%05d$.m4s';

/** Runs ffmpeg; rejects with the tail of its log when it fails. */
function runFfmpeg(args: readonly string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      log = (log + chunk).slice(-4000);
    });
    child.on('error', (error) => reject(new Error(`ffmpeg could not be started (is it installed?): ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code}: ${log.trim()}`));
    });
  });
}

/**
 * Encodes `seconds` of lavfi `testsrc2` (a moving, timestamped test card) and a beeping `sine`
 * into one MP4 with every rendition plus AAC-LC audio. Keyframes are forced every segment
 * duration and scene-cut keyframes are off, so GOPs are closed and aligned across renditions
 * (x264 GOPs are closed by default), which DASH segment alignment and HLS switching rely on.
 * The encode dominates cold start; for 60 s on the 2-core build machine `superfast` took 4.8 s
 * against 7.2 s for `veryfast`, and a synthetic test card does not need the better compression.
 */
export function encodeSource(output: string, seconds: number): Promise<void> {
  const gop = FPS * SEGMENT_SECONDS;
  const split = RENDITIONS.map((_, i) => `[v${i}]`).join('');
  const scale = RENDITIONS.map((r, i) => `[v${i}]scale=${r.width}:${r.height}[out${i}]`).join(';');
  return runFfmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=${RENDITIONS[0]!.width}x${RENDITIONS[0]!.height}:rate=${FPS},format=yuv420p`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:beep_factor=4:sample_rate=48000',
    '-t', String(seconds),
    '-filter_complex', `[0:v]split=${RENDITIONS.length}${split};${scale}`,
    ...RENDITIONS.flatMap((r, i) => [
      '-map', `[out${i}]`,
      `-b:v:${i}`, `${r.videoKbps}k`,
      `-maxrate:v:${i}`, `${Math.round(r.videoKbps * 1.1)}k`,
      `-bufsize:v:${i}`, `${r.videoKbps * 2}k`,
    ]),
    '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'superfast', '-profile:v', 'high',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
    '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
    '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ac', '2',
    output,
  ]);
}

/** Clear fragmented-MP4 DASH (separate init and media segments, SegmentTemplate) into `dir`. */
export function packageDash(source: string, dir: string, manifest: string): Promise<void> {
  return runFfmpeg(
    [
      '-i', source, '-map', '0', '-c', 'copy',
      '-f', 'dash', '-dash_segment_type', 'mp4', '-seg_duration', String(SEGMENT_SECONDS),
      '-use_template', '1', '-use_timeline', '1',
      '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
      '-init_seg_name', DASH_INIT_TEMPLATE, '-media_seg_name', DASH_MEDIA_TEMPLATE,
      manifest,
    ],
    dir,
  );
}

/** The first media segment of the first HLS variant. */
export const HLS_FIRST_SEGMENT = 'stream_0_00000.ts';

/**
 * VOD HLS with MPEG-TS segments: one variant per rendition (each with the audio muxed in) and a
 * master playlist. `videoStreams`: the source's renditions (the samples' by default; a recording's
 * from `encodeRenditions`). With `keyInfoFile`, ffmpeg encrypts every segment with AES-128 and writes the
 * file's key URI and IV into the playlists; the file itself must live outside `dir`.
 */
export function packageHls(source: string, dir: string, master: string, keyInfoFile?: string, videoStreams = RENDITIONS.length): Promise<void> {
  const variants = Array.from({ length: videoStreams }, (_, i) => i);
  return runFfmpeg(
    [
      '-i', source,
      ...variants.flatMap((i) => ['-map', `0:v:${i}`, '-map', '0:a:0']),
      '-c', 'copy',
      '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod',
      '-hls_flags', 'independent_segments', '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', 'stream_%v_%05d.ts',
      ...(keyInfoFile ? ['-hls_key_info_file', keyInfoFile] : []),
      '-master_pl_name', master,
      '-var_stream_map', variants.map((i) => `v:${i},a:${i}`).join(' '),
      'stream_%v.m3u8',
    ],
    dir,
  );
}

/** First timestamp of an MPEG-TS file in 90 kHz units (ffmpeg's muxer starts at ~1.4 s, not 0). */
export function mpegtsStartTimestamp(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', (error) => reject(new Error(`ffprobe could not be started: ${error.message}`)));
    child.on('close', (code) => {
      const seconds = Number.parseFloat(out);
      if (code === 0 && Number.isFinite(seconds)) resolve(Math.round(seconds * 90_000));
      else reject(new Error(`ffprobe could not read the start time of ${file} (exit ${code})`));
    });
  });
}
