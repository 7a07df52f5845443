/** What every `MediaStore` must do: `mediaStoreContract('fs', async () => ({ media, close }))`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { using } from './harness.js';
import type { MediaStore } from '../../../src/server/storage/media.js';

export type MakeMediaStore = () => Promise<{ media: MediaStore; close(): Promise<void> }>;

async function bytes(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

export function mediaStoreContract(name: string, make: MakeMediaStore): void {
  describe(`MediaStore contract: ${name}`, () => {
    it('reads back what was written, from bytes or a stream, with its size', () =>
      using(make, async ({ media }) => {
        await media.write('v1', 'manifest.mpd', new TextEncoder().encode('<MPD/>'));
        await media.write('v1', 'chunk-0-00001.m4s', streamOf('seg', 'ment', '-1'));
        const manifest = (await media.read('v1', 'manifest.mpd'))!;
        assert.equal(manifest.size, 6);
        assert.equal((await bytes(manifest.body)).toString(), '<MPD/>');
        const segment = (await media.read('v1', 'chunk-0-00001.m4s'))!;
        assert.equal(segment.size, 9);
        assert.equal((await bytes(segment.body)).toString(), 'segment-1');
      }));

    it('returns undefined for a missing file or video, and an empty list', () =>
      using(make, async ({ media }) => {
        await media.write('v1', 'a.m4s', new Uint8Array([1]));
        assert.equal(await media.read('v1', 'b.m4s'), undefined);
        assert.equal(await media.read('v2', 'a.m4s'), undefined);
        assert.deepEqual(await media.list('v2'), []);
      }));

    it('lists a video’s files sorted, replaces on rewrite, deletes a whole video only', () =>
      using(make, async ({ media }) => {
        for (const file of ['b.m4s', 'a.mpd', 'c.vtt']) await media.write('v1', file, new TextEncoder().encode(file));
        await media.write('v2', 'a.mpd', new TextEncoder().encode('other'));
        assert.deepEqual(await media.list('v1'), ['a.mpd', 'b.m4s', 'c.vtt']);
        await media.write('v1', 'a.mpd', new TextEncoder().encode('replaced'));
        assert.equal((await bytes((await media.read('v1', 'a.mpd'))!.body)).toString(), 'replaced');
        await media.delete('v1');
        assert.deepEqual(await media.list('v1'), []);
        assert.deepEqual(await media.list('v2'), ['a.mpd']);
      }));

    it('refuses names that could leave the video', () =>
      using(make, async ({ media }) => {
        for (const file of ['../x.mpd', '.hidden.mpd', 'a/b.m4s', '']) {
          await assert.rejects(media.write('v1', file, new Uint8Array([1])), RangeError, file);
          await assert.rejects(media.read('v1', file), RangeError, file);
        }
        await assert.rejects(media.write('../v', 'a.mpd', new Uint8Array([1])), RangeError);
        await assert.rejects(media.list('..'), RangeError);
      }));

    it('a failed write leaves the previous file intact', () =>
      using(make, async ({ media }) => {
        await media.write('v1', 'a.mpd', new TextEncoder().encode('good'));
        const failing = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('par'));
            controller.error(new Error('network cut'));
          },
        });
        await assert.rejects(media.write('v1', 'a.mpd', failing));
        assert.equal((await bytes((await media.read('v1', 'a.mpd'))!.body)).toString(), 'good');
        assert.deepEqual(await media.list('v1'), ['a.mpd']);
      }));
  });
}
