/**
 * `MediaStore` on a local filesystem: `<root>/<videoId>/<file>`. Writes go to a temporary file
 * in the same directory and are renamed into place, so a reader never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertMediaName, MEDIA_FILE_NAME, type MediaFile, type MediaStore } from './media.js';

export class FsMediaStore implements MediaStore {
  constructor(readonly root: string) {}

  /** The directory holding a video's files (packaging tools and benchmarks read it directly). */
  dir(videoId: string): string {
    assertMediaName(videoId);
    return join(this.root, videoId);
  }

  async read(videoId: string, file: string): Promise<MediaFile | undefined> {
    assertMediaName(videoId, file);
    const path = join(this.root, videoId, file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, size: info.size };
  }

  async write(videoId: string, file: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<void> {
    assertMediaName(videoId, file);
    const dir = this.dir(videoId);
    await mkdir(dir, { recursive: true });
    // A dot name never matches MEDIA_FILE_NAME, so `list` and `read` never see it.
    const temporary = join(dir, `.${randomUUID()}.part`);
    try {
      const source = body instanceof Uint8Array ? Readable.from([body]) : Readable.fromWeb(body as import('node:stream/web').ReadableStream);
      await pipeline(source, createWriteStream(temporary, { flags: 'wx' }) as Writable);
      await rename(temporary, join(dir, file));
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async list(videoId: string): Promise<string[]> {
    const entries = await readdir(this.dir(videoId), { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isFile() && MEDIA_FILE_NAME.test(entry.name)).map((entry) => entry.name).sort();
  }

  async delete(videoId: string): Promise<void> {
    await rm(this.dir(videoId), { recursive: true, force: true });
  }
}
