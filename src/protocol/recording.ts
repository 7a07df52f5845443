/**
 * The recorder's wire format: tus 1.0 headers Veil adds, the video status document and the
 * limits both sides must agree on. The upload itself is plain tus 1.0 (creation,
 * creation-defer-length, termination, expiration, checksum with `sha256`).
 */

export const TUS_VERSION = '1.0.0';

/** Response header of the creation POST: the short-lived token for HEAD/PATCH/DELETE. */
export const UPLOAD_TOKEN_HEADER = 'Veil-Upload-Token';
/** Response header of the creation POST: the id of the video the recording becomes. */
export const VIDEO_ID_HEADER = 'Veil-Video-Id';
/** Response header: the upload token's expiry (epoch ms). */
export const UPLOAD_TOKEN_EXPIRES_HEADER = 'Veil-Upload-Token-Expires';

/** The only checksum algorithm the service accepts (`Upload-Checksum: sha256 <base64>`). */
export const UPLOAD_CHECKSUM_ALGORITHM = 'sha256';
/** The tus status for a chunk whose checksum does not match (the chunk is discarded). */
export const CHECKSUM_MISMATCH_STATUS = 460;

/**
 * Request header of the final PATCH (and of a HEAD once the recording ended):
 * `sha256 <base64>` of the whole recording. The service accepts the upload only if the bytes it
 * holds hash to it; without the header (a plain tus client) the per-PATCH checksums alone count.
 */
export const RECORDING_CHECKSUM_HEADER = 'Veil-Recording-Checksum';

/** A PATCH body is at most this large; the recorder sends one ~1 s chunk per PATCH. */
export const MAX_PATCH_BYTES = 16 * 1024 * 1024;

/** How long an upload token lives (seconds); the recorder renews it before it expires, and on a 401. */
export const UPLOAD_TOKEN_TTL_SECONDS = 600;

/** Unfinished uploads expire (and are cleaned up) this long after their last change. */
export const UPLOAD_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

/** Default and longest recording (seconds). */
export const DEFAULT_MAX_RECORDING_SECONDS = 60 * 60;

export type ProcessingState = 'queued' | 'validating' | 'transcoding' | 'packaging' | 'ready' | 'failed';

export type VideoStatus = 'processing' | 'ready' | 'failed';

/** The viewer's relation to a video. */
export type VideoRole = 'owner' | 'editor' | 'viewer';

/** `GET /api/videos/:videoId` and the items of `GET /api/videos`. */
export interface VideoStatusDocument {
  id: string;
  title: string;
  status: VideoStatus;
  role: VideoRole;
  /** Present while a processing job exists for the video. */
  processing?: {
    state: ProcessingState;
    /** 0–100. */
    progress: number;
    /** The error code of a failed job. */
    code?: string;
  };
}

export interface VideoListDocument {
  videos: VideoStatusDocument[];
}

/** `POST /api/uploads/:uploadId/token`. */
export interface UploadTokenDocument {
  token: string;
  expiresAt: number;
}
