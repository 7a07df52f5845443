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
}

export const DEFAULT_UPLOAD_QUOTA: UploadQuota = {
  bytesPerUser: 5 * 1024 ** 3,
  bytesPerUpload: 2 * 1024 ** 3,
  concurrentUploads: 3,
};

export function quotaExceeded(limit: 'bytes' | 'concurrent' | 'upload' | 'patch', value: number): VeilError {
  return new VeilError('UPLOAD_QUOTA_EXCEEDED', { data: { limit, value } });
}

/** Throws `UPLOAD_QUOTA_EXCEEDED` unless the user may start another upload. */
export function checkCreation(quota: UploadQuota, usage: UploadUsage, declaredLength: number | undefined): void {
  if (usage.unfinished >= quota.concurrentUploads) throw quotaExceeded('concurrent', quota.concurrentUploads);
  if (usage.bytes >= quota.bytesPerUser) throw quotaExceeded('bytes', quota.bytesPerUser);
  if (declaredLength !== undefined && declaredLength > quota.bytesPerUpload) throw quotaExceeded('upload', quota.bytesPerUpload);
}

/** Throws `UPLOAD_QUOTA_EXCEEDED` unless `chunk` more bytes at `offset` stay inside the quotas. */
export function checkAppend(quota: UploadQuota, usage: UploadUsage, offset: number, chunk: number): void {
  if (offset + chunk > quota.bytesPerUpload) throw quotaExceeded('upload', quota.bytesPerUpload);
  if (usage.bytes + chunk > quota.bytesPerUser) throw quotaExceeded('bytes', quota.bytesPerUser);
}
