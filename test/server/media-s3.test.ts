/**
 * The S3 `MediaStore` against a real S3-compatible server (s3rver): the media-store contract,
 * multipart writes of large streams, and replicas seeing each other's media.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { S3MediaStore } from '../../src/server/storage/s3-media-store.js';
import { mediaStoreContract } from './contracts/media-store.js';
import { freshS3Settings } from '../support/s3.js';

mediaStoreContract('s3', async () => ({ media: new S3MediaStore(await freshS3Settings()), close: async () => {} }));

function streamOfParts(parts: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index === failAfter) return controller.error(new Error('network cut'));
      if (index === parts.length) return controller.close();
      controller.enqueue(parts[index++]!);
    },
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('S3 MediaStore', () => {
  it('writes a stream larger than one part as a multipart upload, byte for byte', async () => {
    const media = new S3MediaStore(await freshS3Settings());
    const parts = Array.from({ length: 9 }, () => Uint8Array.from(randomBytes(2 * 1024 * 1024 + 7)));
    await media.write('big', 'video.mp4', streamOfParts(parts));
    const file = (await media.read('big', 'video.mp4'))!;
    const whole = Buffer.concat(parts);
    assert.equal(file.size, whole.byteLength);
    assert.equal(sha256(Buffer.from(await new Response(file.body).arrayBuffer())), sha256(whole));
  });

  it('a large stream failing half way leaves the previous object', async () => {
    const media = new S3MediaStore(await freshS3Settings());
    await media.write('big', 'video.mp4', new TextEncoder().encode('previous'));
    const parts = Array.from({ length: 9 }, () => Uint8Array.from(randomBytes(2 * 1024 * 1024)));
    await assert.rejects(media.write('big', 'video.mp4', streamOfParts(parts, 6)), /network cut/);
    assert.equal(await new Response((await media.read('big', 'video.mp4'))!.body).text(), 'previous');
    assert.deepEqual(await media.list('big'), ['video.mp4']);
  });

  it('two replicas on one bucket serve each other’s writes; readiness fails on a missing bucket', async () => {
    const settings = await freshS3Settings();
    const a = new S3MediaStore(settings);
    const b = new S3MediaStore(settings);
    await a.write('v', 'manifest.mpd', new TextEncoder().encode('<MPD/>'));
    assert.equal(await new Response((await b.read('v', 'manifest.mpd'))!.body).text(), '<MPD/>');
    await b.check();
    await assert.rejects(new S3MediaStore({ ...settings, bucket: 'no-such-bucket' }).check());
  });
});
