/**
 * The tus 1.0 server for recordings: `@tus/server` over `@tus/file-store` in the service's
 * upload directory (creation, creation-defer-length, termination, expiration). Veil's own rules
 * (who may touch an upload, checksums, quotas) run in the uploads route in front of it; this
 * module only adapts tus's hooks to callbacks that know the verified uploader.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type ServerOptions } from '@tus/server';
import { UPLOAD_EXPIRY_SECONDS } from '../../protocol/recording.js';
import type { Viewer } from '../../protocol/viewer.js';

type Upload = Parameters<NonNullable<ServerOptions['onUploadFinish']>>[1];

export interface TusHooks {
  /** The upload `id` was created for `viewer` (an error refuses the creation). */
  created(viewer: Viewer, id: string, metadata: Record<string, string | null>): Promise<void>;
  /** The last byte of upload `id` arrived: accept it for processing (an error fails the PATCH). */
  finished(id: string, size: number): Promise<void>;
}

export interface TusUploads {
  /** Runs a tus request; `viewer` is the verified creator for a creation POST. */
  handle(request: Request, viewer?: Viewer): Promise<Response>;
  /** The file holding upload `id`'s bytes. */
  file(id: string): string;
  /** Deletes expired unfinished uploads' files; returns how many. */
  deleteExpired(): Promise<number>;
}

export interface TusOptions {
  directory: string;
  /** The service's public URL: tus's path and `Location` are built from it. */
  publicUrl: string;
  /** Largest upload, deferred length included (`@tus/server` enforces it). */
  maxUploadBytes: number;
  hooks: TusHooks;
}

/** Upload ids are video ids too: a prefix and 24 random base64url characters. */
export function newUploadId(): string {
  return `rec-${randomBytes(18).toString('base64url')}`;
}

export function createTusUploads(options: TusOptions): TusUploads {
  const base = new URL(options.publicUrl);
  const path = `${base.pathname.replace(/\/$/, '')}/api/uploads`;
  const creators = new WeakMap<Request, Viewer>();
  const store = new FileStore({ directory: options.directory, expirationPeriodInMilliseconds: UPLOAD_EXPIRY_SECONDS * 1000 });
  const server = new Server({
    path,
    datastore: store,
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
    file: (id) => join(options.directory, id),
    deleteExpired: () => server.cleanUpExpiredUploads(),
  };
}
