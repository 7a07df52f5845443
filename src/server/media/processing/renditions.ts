/**
 * A recording's two renditions, from its H.264/AAC mezzanine (`convert.ts`): the recording's own
 * size capped at 720p, and a lower one (360p, or half the top one for a small source: never an
 * upscale). The top rendition is stream-copied when the mezzanine already is that size, so the
 * remux path encodes only the lower one. Every encoded rendition takes its keyframes where the
 * mezzanine has them (`-force_key_frames source`), so segments align across renditions and
 * players can switch; both then package by stream copy (`packageVideo`) as DASH and HLS.
 */
import { VeilError } from '../../../protocol/errors.js';
import { conversionTimeoutMs } from './convert.js';
import { DEMUXER } from './probe.js';
import { progressFraction, run } from './run.js';

export interface RenditionSize {
  width: number;
  height: number;
}

const MAX_TOP_HEIGHT = 720;
const LOWER_HEIGHT = 360;
/** Peak bitrate per rendition (kbit/s), by height; `crf` decides below it. */
const MAX_KBPS = (height: number) => (height <= LOWER_HEIGHT ? 1000 : 3000);

const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));

function fit(source: RenditionSize, height: number): RenditionSize {
  return source.height <= height ? source : { width: even((source.width * height) / source.height), height };
}

/** Top (≤ 720p, never above the source) then lower (360p, or half the top for a source ≤ 360p). */
export function renditionLadder(source: RenditionSize): [RenditionSize, RenditionSize] {
  const top = fit(source, MAX_TOP_HEIGHT);
  // Scaled from the source, not the rounded top, so both keep its aspect as closely as they can.
  return [top, fit(source, top.height > LOWER_HEIGHT ? LOWER_HEIGHT : even(top.height / 2))];
}

export interface RenditionOptions {
  /** The mezzanine's duration (seconds), for progress and the time limit. */
  duration: number;
  /** 0–1 as ffmpeg gets through the mezzanine. */
  onProgress?: (fraction: number) => void;
}

/**
 * Writes one MP4 with the ladder's video streams (top first) and the mezzanine's audio. The
 * mezzanine is our own output, yet read as the upload is (forced demuxer, `file` protocol only).
 */
export async function encodeRenditions(mezzanine: string, output: string, source: RenditionSize, options: RenditionOptions): Promise<RenditionSize[]> {
  const ladder = renditionLadder(source);
  const video = ladder.flatMap((size, i) =>
    i === 0 && size.height === source.height
      ? ['-map', '0:v:0', `-c:v:${i}`, 'copy']
      : [
          '-map', '0:v:0', `-filter:v:${i}`, `scale=${size.width}:${size.height}`,
          `-c:v:${i}`, 'libx264', `-preset:v:${i}`, 'veryfast', `-profile:v:${i}`, 'high', `-pix_fmt:v:${i}`, 'yuv420p',
          `-crf:v:${i}`, '23', `-maxrate:v:${i}`, `${MAX_KBPS(size.height)}k`, `-bufsize:v:${i}`, `${2 * MAX_KBPS(size.height)}k`,
          // Keyframes only where the mezzanine has them: no scene cuts, no GOP-length keyframes.
          `-force_key_frames:v:${i}`, 'source', `-sc_threshold:v:${i}`, '0', `-g:v:${i}`, '100000',
        ],
  );
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-protocol_whitelist', 'file', '-f', DEMUXER.mp4, '-i', `file:${mezzanine}`,
    ...video,
    '-map', '0:a:0', '-c:a', 'copy',
    '-progress', 'pipe:1', '-nostats',
    '-f', 'mp4', `file:${output}`,
  ];
  const result = await run('ffmpeg', args, {
    timeoutMs: conversionTimeoutMs(options.duration),
    onLine: (line) => {
      const fraction = progressFraction(line, options.duration);
      if (fraction !== undefined) options.onProgress?.(fraction);
    },
  });
  if (result.code !== 0) {
    throw new VeilError('RECORDING_PROCESSING_FAILED', { data: { reason: result.timedOut ? 'renditions-timeout' : 'renditions-failed' }, cause: new Error(result.stderr) });
  }
  return ladder;
}
