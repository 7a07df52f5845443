/** The tus upload stores: files in a directory (one machine) and S3 (replicas, against s3rver). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3UploadStore } from '../../src/server/uploads/s3-store.js';
import { fileUploadStore } from '../../src/server/uploads/tus.js';
import { uploadStoreContract } from './contracts/upload-store.js';
import { freshS3Settings } from '../support/s3.js';

uploadStoreContract('files', async (expirationMs) => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-upload-store-'));
  return { store: fileUploadStore(dir, expirationMs), close: () => rm(dir, { recursive: true, force: true }) };
});

uploadStoreContract('s3', async (expirationMs) => ({
  store: new S3UploadStore(await freshS3Settings(), { prefix: '.uploads/', expirationPeriodInMilliseconds: expirationMs }),
  close: async () => {},
}));
