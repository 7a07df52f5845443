/**
 * One recording from finished upload to protected video: sniff → probe → limits and the owner's
 * duration quota → convert to an H.264/AAC mezzanine → two renditions → package twice (CENC DASH,
 * the primary presentation; AES-128 HLS, its alternative; each under its own key) → keys → the
 * video `ready`, owned by the uploader, general access restricted. A failure removes whatever
 * media and keys the job wrote and leaves the video `failed` with the code on its job, never a
 * half-registered `ready` video; the upload stays.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VeilError } from '../../../protocol/errors.js';
import type { ProcessingState } from '../../../protocol/recording.js';
import type { ServerAuditLog } from '../../audit/server-events.js';
import type { KeyStore } from '../../storage/keys.js';
import type { MediaStore } from '../../storage/media.js';
import type { ProcessingJob, RecordingRepository } from '../../storage/recordings.js';
import type { VideoRepository } from '../../storage/videos.js';
import { checkDurationQuota, type UploadQuota } from '../../uploads/quota.js';
import { packageVideo } from '../packaging/index.js';
import { convertRecording, needsTranscode } from './convert.js';
import { checkDuration, checkLimits, type RecordingLimits } from './limits.js';
import { probe } from './probe.js';
import { encodeRenditions } from './renditions.js';
import { sniffContainer } from './sniff.js';

export interface PipelineDeps {
  recordings: RecordingRepository;
  videos: VideoRepository;
  keys: KeyStore;
  media: MediaStore;
  /** A local file holding an upload's bytes (the store's own, or a copy into the job's `workDir`). */
  uploadFile(uploadId: string, workDir: string): Promise<string>;
  limits: RecordingLimits;
  /** Seconds of processed recordings per owner (`UploadQuota.secondsPerUser`). */
  quota: Pick<UploadQuota, 'secondsPerUser'>;
  audit: ServerAuditLog;
  /** The URI written into the HLS playlists' `EXT-X-KEY` (the key route, as the player reaches it). */
  hlsKeyUri(videoId: string): string;
  log?: (line: string) => void;
}

/** Where each stage's progress starts (percent of the whole job). */
const STAGE_START: Partial<Record<ProcessingState, number>> = { validating: 0, transcoding: 10, packaging: 80 };
/** Within `transcoding`: the mezzanine up to here, then the renditions up to `packaging`. */
const RENDITIONS_START = 45;
/** Within `packaging`: DASH up to here, then HLS. */
const HLS_START = 90;

const newKey = () => ({ kid: randomBytes(16).toString('hex'), key: Uint8Array.from(randomBytes(16)) });

export async function processRecording(job: ProcessingJob, deps: PipelineDeps): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'veil-recording-'));
  const video = await deps.videos.get(job.videoId);
  const stage = (state: ProcessingState) => deps.recordings.updateJob(job.videoId, { state, progress: STAGE_START[state] ?? 0 });
  try {
    if (!video) throw new VeilError('VIDEO_NOT_FOUND', { data: { videoId: job.videoId } });
    const input = await deps.uploadFile(job.uploadId, work);
    if ((await stat(input)).size === 0) throw new VeilError('RECORDING_UNREADABLE', { data: { reason: 'empty' } });
    const container = await sniffContainer(input);
    if (!container) throw new VeilError('RECORDING_UNREADABLE', { data: { reason: 'magic-bytes' } });
    const probed = await probe(input, container);
    checkLimits(probed, deps.limits);
    // The owner's other recordings; this one's own earlier length (a re-run job) does not count twice.
    const [usage, upload] = await Promise.all([deps.recordings.usage(video.owner), deps.recordings.getUpload(job.uploadId)]);
    const others = usage.seconds - (upload?.durationSeconds ?? 0);
    checkDurationQuota(deps.quota, others, probed.duration);

    await stage('transcoding');
    // Progress reports in steps of 5 %, each step of the job mapped into its own span.
    let reported = 0;
    const progress = (from: number, to: number) => (fraction: number) => {
      const percent = from + Math.floor(fraction * (to - from));
      if (percent >= reported + 5) {
        reported = percent;
        void deps.recordings.updateJob(job.videoId, { progress: percent });
      }
    };
    const converted = join(work, 'recording.mp4');
    await convertRecording(input, converted, probed, { maxDurationSeconds: deps.limits.maxDurationSeconds, onProgress: progress(STAGE_START.transcoding!, RENDITIONS_START) });
    const output = await probe(converted, 'mp4');
    checkDuration(output.duration, deps.limits);
    // A recorder's WebM carries no duration: the converted file's is always known.
    checkDurationQuota(deps.quota, others, output.duration);
    const size = output.streams.find((stream) => stream.type === 'video');
    if (!size?.width || !size.height) throw new VeilError('RECORDING_UNREADABLE', { data: { reason: 'no-video-size' } });
    const renditions = join(work, 'renditions.mp4');
    const ladder = await encodeRenditions(converted, renditions, { width: size.width, height: size.height }, {
      duration: output.duration ?? 0,
      onProgress: progress(RENDITIONS_START, STAGE_START.packaging!),
    });

    await stage('packaging');
    const cenc = newKey();
    const hls = newKey();
    const packaging = { videoId: job.videoId, videoStreams: ladder.length, log: deps.log };
    const dash = await packageVideo(renditions, { scheme: 'cenc', key: cenc }, deps.media, packaging);
    await deps.recordings.updateJob(job.videoId, { progress: HLS_START });
    const keyUri = deps.hlsKeyUri(job.videoId);
    const aes = await packageVideo(renditions, { scheme: 'hls-aes-128', key: hls, iv: Uint8Array.from(randomBytes(16)), keyUri }, deps.media, packaging);
    await deps.keys.put(job.videoId, [cenc, hls]);
    await deps.recordings.setDuration(job.uploadId, output.duration ?? 0);
    // Last: only now does the video become playable.
    await deps.videos.put({
      ...video,
      protocol: dash.protocol,
      manifest: dash.manifest,
      protection: { scheme: 'cenc', kids: [cenc.kid] },
      alternatives: [{ protocol: aes.protocol, manifest: aes.manifest, protection: { scheme: 'hls-aes-128', kids: [hls.kid] } }],
      status: 'ready',
    });
    await deps.recordings.updateJob(job.videoId, { state: 'ready', progress: 100 });
    await deps.audit([{ type: 'video-processed', actor: video.owner, org: video.org, video: video.id, data: { remuxed: !needsTranscode(probed), seconds: output.duration ?? 0 } }]);
  } catch (error) {
    const code = error instanceof VeilError ? error.code : 'RECORDING_PROCESSING_FAILED';
    if (!(error instanceof VeilError)) deps.log?.(`processing ${job.videoId} failed: ${String(error)}`);
    await deps.media.delete(job.videoId);
    await deps.keys.delete(job.videoId);
    await deps.recordings.setDuration(job.uploadId, null);
    if (video) {
      const { alternatives: _none, ...base } = video;
      await deps.videos.put({ ...base, protection: { scheme: video.protection.scheme, kids: [] }, status: 'failed' });
    }
    await deps.recordings.updateJob(job.videoId, { state: 'failed', code });
    if (video) await deps.audit([{ type: 'video-processing-failed', actor: video.owner, org: video.org, video: video.id, data: { code } }]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
