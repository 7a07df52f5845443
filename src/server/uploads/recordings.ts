/**
 * The recorder's half of the service, composed: the tus server, what happens when an upload is
 * created or finished, the processing queue, and the clean-up of expired uploads. The host starts
 * and stops it (`start()`, `close()`); the routes take `routes` as their dependencies.
 */
import { VIDEO_ID_PATTERN, type VideoRepository } from '../storage/videos.js';
import type { AccessTokenVerifier } from '../context.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import { processRecording } from '../media/processing/pipeline.js';
import { ProcessingQueue } from '../media/processing/queue.js';
import type { RecordingLimits } from '../media/processing/limits.js';
import { DASH_MANIFEST } from '../media/packaging/index.js';
import type { KeyStore } from '../storage/keys.js';
import type { MediaStore } from '../storage/media.js';
import type { RecordingRepository } from '../storage/recordings.js';
import type { SigningKeyRing } from '../storage/signing-keys.js';
import { apiUrls } from '../../protocol/paths.js';
import type { Viewer } from '../../protocol/viewer.js';
import { DEFAULT_MAX_RECORDING_SECONDS, UPLOAD_EXPIRY_SECONDS } from '../../protocol/recording.js';
import type { UploadRouteDeps } from '../routes/uploads.js';
import { DEFAULT_UPLOAD_QUOTA, type UploadQuota } from './quota.js';
import { createTusUploads, type TusOptions } from './tus.js';
import { createUploadTokenService } from './upload-token.js';

export interface RecordingsOptions {
  publicUrl: string;
  /** Where unfinished and unprocessed uploads are kept (`<data dir>/uploads` in the demo). */
  uploadDir: string;
  recordings: RecordingRepository;
  videos: VideoRepository;
  keys: KeyStore;
  media: MediaStore;
  signingKeys: SigningKeyRing;
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: (viewer: Viewer) => void;
  audit: ServerAuditLog;
  quota?: Partial<UploadQuota>;
  limits?: Partial<RecordingLimits>;
  /** Lifetime of upload tokens (seconds); default `UPLOAD_TOKEN_TTL_SECONDS`. */
  uploadTokenTtlSeconds?: number;
  /** Parallel processing jobs (`VEIL_WORKERS`); default 1. */
  workers?: number;
  /** Replicas: the tus locker they share (`PostgresLocker`; README "Deploy"). */
  locker?: TusOptions['locker'];
  /** Replicas: uploads in object storage (`S3UploadStore`) instead of files in `uploadDir`. */
  uploadStore?: TusOptions['store'];
  log?: (line: string) => void;
}

export interface Recordings {
  routes: UploadRouteDeps;
  queue: ProcessingQueue;
  /** Removes expired unfinished uploads (files, records, their `processing` videos). */
  cleanUpExpired(): Promise<number>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Recordings may run this much past `max-duration` (the stop button is pressed late). */
const DURATION_MARGIN_SECONDS = 60;
const CLEAN_UP_INTERVAL_MS = 60 * 60 * 1000;
const MAX_TITLE = 200;

function title(metadata: Record<string, string | null>): string {
  const given = (metadata.title ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TITLE);
  return given || `Recording ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
}

export function createRecordings(options: RecordingsOptions): Recordings {
  const quota = { ...DEFAULT_UPLOAD_QUOTA, ...options.quota };
  const limits: RecordingLimits = { maxDurationSeconds: DEFAULT_MAX_RECORDING_SECONDS + DURATION_MARGIN_SECONDS, maxHeight: 2160, ...options.limits };
  const { recordings, videos, audit } = options;
  let queue: ProcessingQueue;
  // Root-relative, as for the samples: the playlists stay valid behind another host name.
  const hlsKeyUri = (videoId: string) => new URL(apiUrls(options.publicUrl).hlsKey(videoId)).pathname;
  const tus = createTusUploads({
    directory: options.uploadDir,
    publicUrl: options.publicUrl,
    maxUploadBytes: quota.bytesPerUpload,
    locker: options.locker,
    store: options.uploadStore,
    hooks: {
      async created(viewer, id, metadata) {
        if (!VIDEO_ID_PATTERN.test(id)) throw new Error(`upload id '${id}' is not a video id`);
        const org = viewer.org ?? '';
        await recordings.createUpload({ id, owner: viewer.sub, org });
        // Registered now, so the recorder shows its video id while recording; playable only once ready.
        await videos.put({
          id,
          title: title(metadata),
          owner: viewer.sub,
          org,
          generalAccess: 'restricted',
          protocol: 'dash',
          manifest: DASH_MANIFEST,
          protection: { scheme: 'cenc', kids: [] },
          status: 'processing',
        });
        await audit([{ type: 'recording-started', actor: viewer.sub, org, video: id, data: { uploadId: id } }]);
      },
      async finished(id, size) {
        await recordings.finishUpload(id, size);
        const upload = await recordings.getUpload(id);
        if (upload) await audit([{ type: 'upload-completed', actor: upload.owner, org: upload.org, video: id, data: { uploadId: id, bytes: size } }]);
        queue.kick();
      },
    },
  });
  queue = new ProcessingQueue({
    recordings,
    workers: options.workers,
    process: (job) =>
      processRecording(job, { recordings, videos, keys: options.keys, media: options.media, uploadFile: tus.localFile, limits, quota, audit, hlsKeyUri, log: options.log }),
  });
  let timer: ReturnType<typeof setInterval> | undefined;

  /** An unfinished upload is gone (terminated, expired): its record, and the video it would have become. */
  async function discardUpload(id: string): Promise<void> {
    await recordings.deleteUpload(id);
    const video = await videos.get(id);
    if (video?.status === 'processing') await videos.delete(id);
  }

  async function cleanUpExpired(): Promise<number> {
    const removed = await tus.deleteExpired();
    for (const upload of await recordings.unfinishedBefore(Date.now() - UPLOAD_EXPIRY_SECONDS * 1000)) await discardUpload(upload.id);
    return removed;
  }

  return {
    routes: {
      verifyAccessToken: options.verifyAccessToken,
      checkPerimeter: options.checkPerimeter,
      uploadTokens: createUploadTokenService({ issuer: options.publicUrl, keys: options.signingKeys, ttlSeconds: options.uploadTokenTtlSeconds }),
      tus,
      recordings,
      discardUpload,
      quota,
      audit,
    },
    queue,
    cleanUpExpired,
    async start() {
      await queue.start();
      timer = setInterval(() => void cleanUpExpired().catch((error: unknown) => options.log?.(`upload clean-up failed: ${String(error)}`)), CLEAN_UP_INTERVAL_MS);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      await queue.stop();
    },
  };
}
