/**
 * `MediaStore` on any S3-compatible object store (`VEIL_S3_*`): `<prefix><videoId>/<file>` in one
 * bucket, so every replica serves the same media. A PUT is atomic in S3 (readers see the old
 * object or the whole new one); a stream is collected part by part, and anything over one part
 * goes up as a multipart upload that is aborted if the stream fails, leaving the old object.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { assertMediaName, MEDIA_FILE_NAME, type MediaFile, type MediaStore } from './media.js';

export interface S3Settings {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or a MinIO/s3rver URL (`VEIL_S3_ENDPOINT`). */
  endpoint?: string;
  /** `VEIL_S3_REGION`; default `us-east-1`. */
  region?: string;
  bucket: string;
  /** Key prefix inside the bucket, e.g. `media/`. */
  prefix?: string;
  /** Omitted: the SDK's default chain (environment, instance role, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Path-style URLs (`endpoint/bucket/key`); default true when an endpoint is given. */
  forcePathStyle?: boolean;
}

/** S3's minimum part size (but the last): 5 MiB; parts of 8 MiB keep memory bounded per write. */
const PART_BYTES = 8 * 1024 * 1024;

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region ?? 'us-east-1',
    credentials: settings.credentials,
    forcePathStyle: settings.forcePathStyle ?? settings.endpoint !== undefined,
  });
}

export class S3MediaStore implements MediaStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(settings: S3Settings, client: S3Client = createS3Client(settings)) {
    this.#client = client;
    this.#bucket = settings.bucket;
    this.#prefix = settings.prefix ?? '';
  }

  /** Resolves when the bucket answers (readiness). */
  async check(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
  }

  async read(videoId: string, file: string): Promise<MediaFile | undefined> {
    assertMediaName(videoId, file);
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(videoId, file) }));
      return { body: object.Body!.transformToWebStream() as ReadableStream<Uint8Array>, size: Number(object.ContentLength) };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async write(videoId: string, file: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<void> {
    assertMediaName(videoId, file);
    const key = this.#key(videoId, file);
    if (body instanceof Uint8Array) return this.#put(key, body);
    const parts = chunked(body);
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) return this.#put(key, first.done ? new Uint8Array(0) : first.value);
    const { UploadId } = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: key }));
    try {
      const etags: Array<{ ETag: string; PartNumber: number }> = [];
      const upload = async (bytes: Uint8Array) => {
        const PartNumber = etags.length + 1;
        const { ETag } = await this.#client.send(new UploadPartCommand({ Bucket: this.#bucket, Key: key, UploadId, PartNumber, Body: bytes, ContentLength: bytes.byteLength }));
        etags.push({ ETag: ETag!, PartNumber });
      };
      await upload(first.value);
      await upload(second.value);
      for await (const part of parts) await upload(part);
      await this.#client.send(new CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId, MultipartUpload: { Parts: etags } }));
    } catch (error) {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId })).catch(() => {});
      throw error;
    }
  }

  async list(videoId: string): Promise<string[]> {
    return (await this.#keys(videoId)).map((key) => key.slice(this.#key(videoId, '').length)).filter((name) => MEDIA_FILE_NAME.test(name)).sort();
  }

  async delete(videoId: string): Promise<void> {
    const keys = await this.#keys(videoId);
    // DeleteObjects takes at most 1 000 keys per call.
    for (let start = 0; start < keys.length; start += 1000) {
      await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.slice(start, start + 1000).map((Key) => ({ Key })), Quiet: true } }));
    }
  }

  async #put(key: string, bytes: Uint8Array): Promise<void> {
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength }));
  }

  async #keys(videoId: string): Promise<string[]> {
    assertMediaName(videoId);
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#key(videoId, ''), ContinuationToken }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  }

  #key(videoId: string, file: string): string {
    return `${this.#prefix}${videoId}/${file}`;
  }
}

/** The stream re-cut into parts of PART_BYTES (the last one shorter); a stream error rejects. */
async function* chunked(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let buffered: Uint8Array[] = [];
  let size = 0;
  const take = () => {
    const part = Buffer.concat(buffered, size);
    buffered = [];
    size = 0;
    return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered.push(value);
    size += value.byteLength;
    while (size >= PART_BYTES) {
      const all = take();
      yield all.subarray(0, PART_BYTES);
      if (all.byteLength > PART_BYTES) {
        buffered.push(all.subarray(PART_BYTES));
        size = all.byteLength - PART_BYTES;
      }
    }
  }
  if (size > 0 || buffered.length > 0) yield take();
}
