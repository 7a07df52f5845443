/**
 * A real S3-compatible server for tests (s3rver): one per test file, started on first use and
 * stopped when the file's tests end; `freshS3Prefix` gives each test its own key space.
 */
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { startS3, type S3Server } from '../../scripts/cluster/s3.js';
import type { S3Settings } from '../../src/server/storage/s3-media-store.js';

let server: Promise<S3Server> | undefined;

after(async () => {
  if (server) await (await server).stop();
});

export async function testS3(): Promise<S3Server> {
  server ??= startS3();
  return server;
}

/** Settings for the file's server with a prefix no other test uses. */
export async function freshS3Settings(): Promise<S3Settings> {
  const s3 = await testS3();
  return { endpoint: s3.endpoint, bucket: s3.bucket, prefix: `${randomUUID()}/`, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } };
}
