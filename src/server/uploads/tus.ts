/**
 * The tus 1.0 server for recordings: `@tus/server` over `@tus/file-store` in the service's
 * upload directory, or over an object store (`S3UploadStore`) for replicas (creation,
 * creation-defer-length, termination, expiration). Veil's own rules
 * (who may touch an upload, checksums, quotas) run in the uploads route in front of it; this
 * module only adapts tus's hooks to callbacks that know the verified uploader.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type DataStore, type Locker, type ServerOptions } from '@tus/server';
import { UPLOAD_EXPIRY_SECONDS } from '../../protocol/recording.js';
import type { Viewer } from '../../protocol/viewer.js';

type Upload = Parameters<NonNullable<ServerOptions['onUploadFinish']>>[1];

export interface TusHooks {
  /** The upload `id` was created for `viewer` (an error refuses the creation). */
  created(viewer: Viewer, id: string, metadata: Record<string, string | null>): Promise<void>;
  /** The last byte of upload `id` arrived: accept it for processing (an error fails the PATCH). */
  finished(id: string, size: number): Promise<void>;
}

/** What Veil reads of an upload's stored bytes, whichever store holds them. */
export interface UploadBytes {
  /** How many bytes upload `id` holds; undefined for an unknown upload. */
  size(id: string): Promise<number | undefined>;
  /** Its first `end` bytes, in order. */
  read(id: string, end: number): AsyncIterable<Uint8Array>;
  /** A local file with its bytes, for processing: the store's own file or a copy into `dir`. */
  localFile(id: string, dir: string): Promise<string>;
}

/** Where uploads are kept: tus's `DataStore` and Veil's reading of it. */
export type UploadStore = DataStore & UploadBytes;

export interface TusUploads extends UploadBytes {
  /** Runs a tus request; `viewer` is the verified creator for a creation POST. */
  handle(request: Request, viewer?: Viewer): Promise<Response>;
  /** Deletes expired unfinished uploads' files; returns how many. */
  deleteExpired(): Promise<number>;
}

export interface TusOptions {
  /** The file store's directory (unused with `store`). */
  directory: string;
  /** Another store than files in `directory`, e.g. `S3UploadStore` for replicas without a shared volume. */
  store?: UploadStore;
  /** The service's public URL: tus's path and `Location` are built from it. */
  publicUrl: string;
  /** Largest upload, deferred length included (`@tus/server` enforces it). */
  maxUploadBytes: number;
  hooks: TusHooks;
  /**
   * Who may touch an upload at a time; default tus's in-process `MemoryLocker`. Replicas sharing
   * `directory` pass a shared one (`PostgresLocker`), so an upload resumes on any of them.
   */
  locker?: Locker;
}

/** Upload ids are video ids too: a prefix and 24 random base64url characters. */
export function newUploadId(): string {
  return `rec-${randomBytes(18).toString('base64url')}`;
}

export function createTusUploads(options: TusOptions): TusUploads {
  const base = new URL(options.publicUrl);
  const path = `${base.pathname.replace(/\/$/, '')}/api/uploads`;
  const creators = new WeakMap<Request, Viewer>();
  const store = options.store ?? fileUploadStore(options.directory);
  const server = new Server({
    path,
    datastore: store,
    ...(options.locker ? { locker: options.locker } : {}),
    maxSize: options.maxUploadBytes,
    respectForwardedHeaders: false,
    // Finished uploads belong to the processing pipeline; only unfinished ones may be terminated.
    disableTerminationForFinishedUploads: true,
    generateUrl: (_req, { id }) => `${base.origin}${path}/${id}`,
    namingFunction: () => newUploadId(),
    async onUploadCreate(req, upload) {
      const viewer = creators.get(req as unknown as Request);
      if (!viewer) throw { status_code: 401, body: 'Upload creation needs a verified access token.\n' };
      await options.hooks.created(viewer, upload.id, (upload.metadata ?? {}) as Record<string, string | null>);
      return {};
    },
    async onUploadFinish(_req, upload: Upload) {
      await options.hooks.finished(upload.id, upload.size ?? upload.offset);
      return {};
    },
  });

  return {
    handle(request, viewer) {
      if (viewer) creators.set(request, viewer);
      return server.handleWeb(request);
    },
    size: (id) => store.size(id),
    read: (id, end) => store.read(id, end),
    localFile: (id, dir) => store.localFile(id, dir),
    deleteExpired: () => server.cleanUpExpiredUploads(),
  };
}

/** tus's file store: upload `id`'s bytes are the file `<directory>/<id>`, used in place. */
export function fileUploadStore(directory: string, expirationMs = UPLOAD_EXPIRY_SECONDS * 1000): UploadStore {
  const file = (id: string) => join(directory, id);
  return Object.assign(new FileStore({ directory, expirationPeriodInMilliseconds: expirationMs }), {
    size: (id: string) => stat(file(id)).then((info) => info.size, () => undefined),
    async *read(id: string, end: number) {
      if (end > 0) for await (const piece of createReadStream(file(id), { start: 0, end: end - 1 })) yield piece as Buffer;
    },
    localFile: async (id: string) => file(id),
  });
}
