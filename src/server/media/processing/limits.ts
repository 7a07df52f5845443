/** What a recording may be: checked on the probe before any conversion starts. */
import { VeilError } from '../../../protocol/errors.js';
import type { Probe } from './probe.js';

export interface RecordingLimits {
  /** Longest recording in seconds (the recorder's `max-duration` plus a margin). */
  maxDurationSeconds: number;
  maxHeight: number;
}

export const VIDEO_CODECS = ['h264', 'vp8', 'vp9'] as const;
export const AUDIO_CODECS = ['opus', 'aac'] as const;

function unsupported(reason: string): VeilError {
  return new VeilError('RECORDING_UNSUPPORTED', { data: { reason } });
}

export function checkLimits(probe: Probe, limits: RecordingLimits): void {
  const video = probe.streams.filter((stream) => stream.type === 'video');
  const audio = probe.streams.filter((stream) => stream.type === 'audio');
  if (video.length !== 1) throw video.length === 0 ? new VeilError('RECORDING_UNREADABLE', { data: { reason: 'no-video' } }) : unsupported('video-tracks');
  if (audio.length > 1) throw unsupported('audio-tracks');
  if (probe.streams.some((stream) => stream.type === 'other')) throw unsupported('other-tracks');
  if (!(VIDEO_CODECS as readonly string[]).includes(video[0]!.codec)) throw unsupported(`video-codec:${video[0]!.codec}`);
  if (audio[0] && !(AUDIO_CODECS as readonly string[]).includes(audio[0].codec)) throw unsupported(`audio-codec:${audio[0].codec}`);
  if ((video[0]!.height ?? 0) > limits.maxHeight) throw unsupported('height');
  checkDuration(probe.duration, limits);
}

/** Also run on the converted file, whose duration is always known. */
export function checkDuration(duration: number | undefined, limits: RecordingLimits): void {
  if (duration !== undefined && duration > limits.maxDurationSeconds) throw new VeilError('RECORDING_TOO_LONG', { data: { duration, limit: limits.maxDurationSeconds } });
}
