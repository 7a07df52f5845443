/**
 * What every tus upload store must do (`uploadStoreContract('s3', make)`): tus's `DataStore` part
 * (creation, deferred length, offsets, termination, expiration) and Veil's reading of the bytes
 * (size, ordered read, a local file for processing). `make(expirationMs)` gives a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ERRORS, Upload } from '@tus/server';
import { using } from './harness.js';
import type { UploadStore } from '../../../src/server/uploads/tus.js';

export type MakeUploadStore = (expirationMs: number) => Promise<{ store: UploadStore; close(): Promise<void> }>;

const DAY = 24 * 3600 * 1000;
const text = (value: string) => Readable.from([Buffer.from(value)]);

async function all(bytes: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of bytes) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

export function uploadStoreContract(name: string, make: MakeUploadStore): void {
  describe(`upload store contract: ${name}`, () => {
    it('stores PATCHes at their offsets and reads them back in order, whole or the first bytes', () =>
      using(() => make(DAY), async ({ store }) => {
        await store.create(new Upload({ id: 'rec-1', size: 11, offset: 0, metadata: { title: 'Talk' } }));
        assert.equal((await store.getUpload('rec-1')).offset, 0);
        assert.equal(await store.write(text('hello'), 'rec-1', 0), 5);
        assert.equal(await store.write(text(''), 'rec-1', 5), 5, 'an empty PATCH moves nothing');
        assert.equal(await store.write(text(' world'), 'rec-1', 5), 11);
        const upload = await store.getUpload('rec-1');
        assert.deepEqual([upload.offset, upload.size, upload.metadata?.title], [11, 11, 'Talk']);
        assert.ok(upload.creation_date && !Number.isNaN(Date.parse(upload.creation_date)));
        assert.equal(await store.size('rec-1'), 11);
        assert.equal(await all(store.read('rec-1', 11)), 'hello world');
        assert.equal(await all(store.read('rec-1', 7)), 'hello w', 'the first bytes only');
        assert.equal(await all(store.read('rec-1', 0)), '');
        const dir = await mkdtemp(join(tmpdir(), 'veil-upload-contract-'));
        try {
          assert.equal(await readFile(await store.localFile('rec-1', dir), 'utf8'), 'hello world');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }));

    it('a deferred length is declared later', () =>
      using(() => make(DAY), async ({ store }) => {
        await store.create(new Upload({ id: 'rec-2', offset: 0 }));
        assert.equal((await store.getUpload('rec-2')).sizeIsDeferred, true);
        await store.write(text('abc'), 'rec-2', 0);
        await store.declareUploadLength('rec-2', 3);
        const upload = await store.getUpload('rec-2');
        assert.deepEqual([upload.size, upload.offset], [3, 3]);
      }));

    it('an unknown upload is FILE_NOT_FOUND; termination removes one upload only', () =>
      using(() => make(DAY), async ({ store }) => {
        await assert.rejects(store.getUpload('rec-none'), (error) => error === ERRORS.FILE_NOT_FOUND);
        assert.equal(await store.size('rec-none'), undefined);
        for (const id of ['rec-a', 'rec-b']) {
          await store.create(new Upload({ id, size: 2, offset: 0 }));
          await store.write(text('xy'), id, 0);
        }
        await store.remove('rec-a');
        await assert.rejects(store.getUpload('rec-a'), (error) => error === ERRORS.FILE_NOT_FOUND);
        assert.equal(await store.size('rec-a'), undefined);
        assert.equal(await all(store.read('rec-b', 2)), 'xy');
      }));

    it('deleteExpired removes unfinished uploads past the expiration, none before it', async () => {
      await using(() => make(DAY), async ({ store }) => {
        await store.create(new Upload({ id: 'rec-young', size: 10, offset: 0 }));
        assert.equal(await store.deleteExpired(), 0);
        assert.equal((await store.getUpload('rec-young')).size, 10);
      });
      // (tus's file store also deletes finished uploads then — it never records their offset — so
      // "finished ones stay" is not part of the contract; nothing reads an upload after processing.)
      await using(() => make(1), async ({ store }) => {
        assert.equal(store.getExpiration(), 1);
        await store.create(new Upload({ id: 'rec-open', size: 10, offset: 0 }));
        await store.write(text('abc'), 'rec-open', 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(await store.deleteExpired(), 1);
        await assert.rejects(store.getUpload('rec-open'), (error) => error === ERRORS.FILE_NOT_FOUND);
      });
    });
  });
}
