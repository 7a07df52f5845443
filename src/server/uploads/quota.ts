/** Per-user upload quotas: what one user may hold in unfinished and unprocessed recordings. */
import { VeilError } from '../../protocol/errors.js';
import type { UploadUsage } from '../storage/recordings.js';

export interface UploadQuota {
  /** Bytes of all of a user's uploads the service keeps (default 5 GiB). */
  bytesPerUser: number;
  /** Largest single upload (default 2 GiB). */
  bytesPerUpload: number;
  /** Unfinished uploads at a time (default 3). */
  concurrentUploads: number;
  /** Seconds of processed recordings per user (default 10 hours). */
  secondsPerUser: number;
}

export const DEFAULT_UPLOAD_QUOTA: UploadQuota = {
  bytesPerUser: 5 * 1024 ** 3,
  bytesPerUpload: 2 * 1024 ** 3,
  concurrentUploads: 3,
  secondsPerUser: 10 * 3600,
};

export function quotaExceeded(limit: 'bytes' | 'concurrent' | 'upload' | 'patch' | 'duration', value: number): VeilError {
  // The wire error carries code, message and hint only: the message names a used-up recording time.
  const message = limit === 'duration' ? `Your recording time is used up (${value} s per user).` : undefined;
  return new VeilError('UPLOAD_QUOTA_EXCEEDED', { message, data: { limit, value } });
}

/** Throws `UPLOAD_QUOTA_EXCEEDED` unless the user may start another upload. */
export function checkCreation(quota: UploadQuota, usage: UploadUsage, declaredLength: number | undefined): void {
  if (usage.unfinished >= quota.concurrentUploads) throw quotaExceeded('concurrent', quota.concurrentUploads);
  if (usage.bytes >= quota.bytesPerUser) throw quotaExceeded('bytes', quota.bytesPerUser);
  if (usage.seconds >= quota.secondsPerUser) throw quotaExceeded('duration', quota.secondsPerUser);
  if (declaredLength !== undefined && declaredLength > quota.bytesPerUpload) throw quotaExceeded('upload', quota.bytesPerUpload);
}

/** Throws `UPLOAD_QUOTA_EXCEEDED` unless `chunk` more bytes at `offset` stay inside the quotas. */
export function checkAppend(quota: UploadQuota, usage: UploadUsage, offset: number, chunk: number): void {
  if (offset + chunk > quota.bytesPerUpload) throw quotaExceeded('upload', quota.bytesPerUpload);
  if (usage.bytes + chunk > quota.bytesPerUser) throw quotaExceeded('bytes', quota.bytesPerUser);
}

/**
 * Throws `UPLOAD_QUOTA_EXCEEDED` (`data.limit: 'duration'`) unless a recording of `seconds` fits
 * in the user's duration quota beside their other processed recordings (`others`, seconds).
 * Run on the probed length, so an over-quota recording fails before any conversion.
 */
export function checkDurationQuota(quota: Pick<UploadQuota, 'secondsPerUser'>, others: number, seconds: number | undefined): void {
  if (seconds !== undefined && others + seconds > quota.secondsPerUser) throw quotaExceeded('duration', quota.secondsPerUser);
}
