/**
 * Makes a recording packageable: H.264 video (stream-copied when the recorder already wrote
 * H.264 with keyframe-aligned fragments, else transcoded from VP8/VP9 with a keyframe every
 * segment) and AAC audio (Chromium records Opus only; a silent track is added when there is none,
 * so every recording packages the same way). The input demuxer is forced and only the `file`
 * protocol is allowed, as for the probe.
 */
import { VeilError } from '../../../protocol/errors.js';
import { SEGMENT_SECONDS } from '../packaging/ffmpeg.js';
import { DEMUXER, type Probe } from './probe.js';
import { progressFraction, run } from './run.js';

/** Time limit for one ffmpeg pass over `seconds` of media: a floor plus four times real time. */
export function conversionTimeoutMs(seconds: number): number {
  return 120_000 + 4_000 * seconds;
}

export interface ConvertOptions {
  maxDurationSeconds: number;
  /** 0–1 as ffmpeg gets through the input (only when its duration is known). */
  onProgress?: (fraction: number) => void;
}

export function needsTranscode(probe: Probe): boolean {
  return probe.streams.find((stream) => stream.type === 'video')?.codec !== 'h264';
}

export async function convertRecording(input: string, output: string, probe: Probe, options: ConvertOptions): Promise<void> {
  const hasAudio = probe.streams.some((stream) => stream.type === 'audio');
  const video = needsTranscode(probe)
    ? ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`, '-sc_threshold', '0']
    : ['-c:v', 'copy'];
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-protocol_whitelist', 'file', '-f', DEMUXER[probe.container], '-i', `file:${input}`,
    ...(hasAudio ? [] : ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo']),
    '-map', '0:v:0', '-map', hasAudio ? '0:a:0' : '1:a:0',
    ...video,
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000',
    ...(hasAudio ? [] : ['-shortest']),
    '-progress', 'pipe:1', '-nostats',
    '-f', 'mp4', `file:${output}`,
  ];
  const duration = probe.duration;
  const result = await run('ffmpeg', args, {
    timeoutMs: conversionTimeoutMs(duration ?? options.maxDurationSeconds),
    onLine: (line) => {
      const fraction = progressFraction(line, duration);
      if (fraction !== undefined) options.onProgress?.(fraction);
    },
  });
  if (result.code !== 0) {
    throw new VeilError(result.timedOut ? 'RECORDING_PROCESSING_FAILED' : 'RECORDING_UNREADABLE', { data: { reason: result.timedOut ? 'convert-timeout' : 'convert-failed' }, cause: new Error(result.stderr) });
  }
}
