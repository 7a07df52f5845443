/**
 * ffprobe on an upload, treated as hostile: the demuxer is forced to the sniffed container,
 * only the `file` protocol is allowed (no network, no `concat:`/`subfile:` tricks), and time and
 * output are bounded. Returns just what the limits and the converter need.
 */
import { VeilError } from '../../../protocol/errors.js';
import { run } from './run.js';
import type { Container } from './sniff.js';

export interface ProbedStream {
  type: 'video' | 'audio' | 'other';
  codec: string;
  width?: number;
  height?: number;
}

export interface Probe {
  container: Container;
  /** Seconds; undefined when the container does not say (a MediaRecorder WebM often does not). */
  duration?: number;
  streams: ProbedStream[];
}

const PROBE_TIMEOUT_MS = 30_000;

/** ffmpeg's demuxer for each sniffed container. */
export const DEMUXER: Record<Container, string> = { mp4: 'mov', matroska: 'matroska' };

export async function probe(file: string, container: Container): Promise<Probe> {
  const result = await run(
    'ffprobe',
    ['-v', 'error', '-protocol_whitelist', 'file', '-f', DEMUXER[container], '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', `file:${file}`],
    { timeoutMs: PROBE_TIMEOUT_MS },
  );
  if (result.code !== 0) throw new VeilError('RECORDING_UNREADABLE', { message: undefined, data: { reason: result.timedOut ? 'probe-timeout' : 'probe-failed' }, cause: new Error(result.stderr) });
  let parsed: { format?: { duration?: string }; streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number }> };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch (cause) {
    throw new VeilError('RECORDING_UNREADABLE', { data: { reason: 'probe-output' }, cause });
  }
  const duration = Number.parseFloat(parsed.format?.duration ?? '');
  return {
    container,
    duration: Number.isFinite(duration) ? duration : undefined,
    streams: (parsed.streams ?? []).map((stream) => ({
      type: stream.codec_type === 'video' || stream.codec_type === 'audio' ? stream.codec_type : 'other',
      codec: stream.codec_name ?? 'unknown',
      ...(stream.width ? { width: stream.width } : {}),
      ...(stream.height ? { height: stream.height } : {}),
    })),
  };
}
