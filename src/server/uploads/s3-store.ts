/**
 * A tus `DataStore` on any S3-compatible object store, so an upload started through one replica
 * resumes through any other without a shared volume. Not `@tus/s3-store`: that one computes
 * offsets with S3 ListParts, which the emulator we can test against (s3rver) lacks.
 *
 * Layout under `<prefix><id>/`: `info` (the upload's JSON: length, metadata, creation date) and one
 * object per PATCH, `part-<offset>` (offset zero-padded, so keys sort in byte order). A PUT is
 * atomic, so a part is there whole or not at all, and the upload's offset is simply the sum of its
 * contiguous parts — there is no second record to fall out of step when a replica dies between
 * writing a part and noting it. The bytes are read back by concatenating the parts in order (the
 * checksum check streams them; processing copies them into its work directory).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DataStore, ERRORS, Upload } from '@tus/server';
import { createS3Client, type S3Settings } from '../storage/s3-media-store.js';
import type { UploadBytes } from './tus.js';

const INFO = 'info';
const PART = 'part-';
const OFFSET_DIGITS = 15;

interface UploadInfo {
  id: string;
  size?: number;
  metadata?: Record<string, string | null>;
  creation_date?: string;
}

export interface S3UploadStoreOptions {
  /** Key prefix for uploads, distinct from the media's (e.g. `.uploads/`: no video id starts with a dot). */
  prefix: string;
  /** Unfinished uploads older than this are deleted by `deleteExpired`; 0: never. */
  expirationPeriodInMilliseconds?: number;
}

export class S3UploadStore extends DataStore implements UploadBytes {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #expiration: number;

  constructor(settings: S3Settings, options: S3UploadStoreOptions, client: S3Client = createS3Client(settings)) {
    super();
    this.#client = client;
    this.#bucket = settings.bucket;
    this.#prefix = `${settings.prefix ?? ''}${options.prefix}`;
    this.#expiration = options.expirationPeriodInMilliseconds ?? 0;
    this.extensions = ['creation', 'creation-defer-length', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    await this.#putInfo({ id: upload.id, size: upload.size, metadata: upload.metadata, creation_date: upload.creation_date });
    return upload;
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    // The uploads route has already read and bounded the body (MAX_PATCH_BYTES); one PUT per PATCH.
    const chunks: Buffer[] = [];
    for await (const chunk of readable) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (body.byteLength === 0) return offset;
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#partKey(id, offset), Body: body, ContentLength: body.byteLength }));
    return offset + body.byteLength;
  }

  override async getUpload(id: string): Promise<Upload> {
    const info = await this.#info(id);
    const parts = await this.#parts(id);
    return new Upload({ ...info, offset: parts.reduce((sum, part) => sum + part.size, 0) });
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    await this.#putInfo({ ...(await this.#info(id)), size: length });
  }

  override async remove(id: string): Promise<void> {
    await this.#info(id);
    const keys = await this.#list(`${this.#prefix}${id}/`);
    // DeleteObjects takes up to 1 000 keys per request.
    for (let i = 0; i < keys.length; i += 1000) {
      await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.slice(i, i + 1000).map(({ key }) => ({ Key: key })), Quiet: true } }));
    }
  }

  override async deleteExpired(): Promise<number> {
    if (this.#expiration <= 0) return 0;
    const now = Date.now();
    let removed = 0;
    for (const { key } of await this.#list(this.#prefix)) {
      if (!key.endsWith(`/${INFO}`)) continue;
      const id = key.slice(this.#prefix.length, -INFO.length - 1);
      const upload = await this.getUpload(id).catch(() => undefined);
      if (!upload?.creation_date || upload.size === upload.offset) continue;
      if (now > new Date(upload.creation_date).getTime() + this.#expiration) {
        await this.remove(id);
        removed += 1;
      }
    }
    return removed;
  }

  override getExpiration(): number {
    return this.#expiration;
  }

  async size(id: string): Promise<number | undefined> {
    return this.getUpload(id).then(
      (upload) => upload.offset,
      () => undefined,
    );
  }

  async *read(id: string, end: number): AsyncIterable<Uint8Array> {
    let left = end;
    for (const part of await this.#parts(id)) {
      if (left <= 0) return;
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: part.key, Range: part.size > left ? `bytes=0-${left - 1}` : undefined }));
      const bytes = await object.Body!.transformToByteArray();
      left -= bytes.byteLength;
      yield bytes;
    }
  }

  async localFile(id: string, dir: string): Promise<string> {
    const file = join(dir, 'upload');
    const upload = await this.getUpload(id);
    await pipeline(Readable.from(this.read(id, upload.offset)), createWriteStream(file));
    return file;
  }

  async #info(id: string): Promise<UploadInfo> {
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${id}/${INFO}` }));
      return JSON.parse(await object.Body!.transformToString()) as UploadInfo;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') throw ERRORS.FILE_NOT_FOUND;
      throw error;
    }
  }

  async #putInfo(info: UploadInfo): Promise<void> {
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${info.id}/${INFO}`, Body: JSON.stringify(info), ContentType: 'application/json' }));
  }

  /** The upload's parts in order, as far as they are contiguous from offset 0. */
  async #parts(id: string): Promise<Array<{ key: string; size: number }>> {
    const parts: Array<{ key: string; size: number }> = [];
    let offset = 0;
    for (const object of await this.#list(`${this.#prefix}${id}/${PART}`)) {
      if (object.key !== this.#partKey(id, offset)) break;
      parts.push(object);
      offset += object.size;
    }
    return parts;
  }

  #partKey(id: string, offset: number): string {
    return `${this.#prefix}${id}/${PART}${String(offset).padStart(OFFSET_DIGITS, '0')}`;
  }

  /** Every object under `prefix`, in key order. */
  async #list(prefix: string): Promise<Array<{ key: string; size: number }>> {
    const objects: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) objects.push({ key: object.Key!, size: Number(object.Size) });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }
}
