/**
 * Where the demo keeps its state: one machine (SQLite files, media on disk, counters in memory)
 * or, for replicas of a cluster, PostgreSQL (repositories, audit trail, rate limits) and an
 * S3-compatible store (media and recording uploads). Either way the service gets the same interfaces.
 */
import { PostgresAuditStore } from '../src/server/audit/postgres-store.js';
import { SqliteAuditStore } from '../src/server/audit/sqlite-store.js';
import type { AuditStore } from '../src/server/audit/store.js';
import { memoryRateLimits, postgresRateLimits, type RateLimitBackend } from '../src/server/limits/rate-limiter.js';
import { signingKeyRetentionSeconds } from '../src/server/playback-token.js';
import { DEFAULT_LATE_DELIVERY_SECONDS } from '../src/server/service.js';
import { FsMediaStore } from '../src/server/storage/fs-media-store.js';
import type { KyselyStorage } from '../src/server/storage/kysely/storage.js';
import type { MediaStore } from '../src/server/storage/media.js';
import { openPostgresStorage } from '../src/server/storage/postgres.js';
import { S3MediaStore } from '../src/server/storage/s3-media-store.js';
import { openSqliteStorage } from '../src/server/storage/sqlite.js';
import { PostgresLocker } from '../src/server/uploads/postgres-locker.js';
import { S3UploadStore } from '../src/server/uploads/s3-store.js';
import type { UploadStore } from '../src/server/uploads/tus.js';
import { UPLOAD_EXPIRY_SECONDS } from '../src/protocol/recording.js';
import type { DemoConfig } from './config.js';

type Storage = KyselyStorage & { close(): Promise<void> };

export interface DemoBackends {
  storage: Storage;
  media: MediaStore;
  audit: AuditStore;
  rateLimits: RateLimitBackend;
  /** Replicas lock uploads through PostgreSQL; one machine: tus's own. */
  uploadLocker?: PostgresLocker;
  /** With S3: recording uploads in the bucket (under `.uploads/`), so any replica resumes one; else files in the upload directory. */
  uploadStore?: UploadStore;
  /** Resolves when the database and the object store answer (`/readyz`); rejects otherwise. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the storage first of all: a wrong or missing KEK stops start-up before anything listens. */
export async function openStorage(config: DemoConfig): Promise<{ storage: Storage; ping(): Promise<void>; pool?: import('pg').Pool }> {
  const retention = signingKeyRetentionSeconds(DEFAULT_LATE_DELIVERY_SECONDS);
  const kek = { base64: config.kek, previousBase64: config.previousKeks };
  if (config.cluster.databaseUrl) {
    const storage = await openPostgresStorage({ url: config.cluster.databaseUrl, kek: { ...kek, base64: config.kek! }, signingKeyRetentionSeconds: retention });
    return { storage, ping: async () => void (await storage.pool.query('SELECT 1')), pool: storage.pool };
  }
  const storage = await openSqliteStorage({ file: config.db, kek, signingKeyRetentionSeconds: retention });
  return { storage, ping: async () => void (await storage.videos.get('readiness-probe')), pool: undefined };
}

/** The rest, once the storage is open. */
export async function openBackends(config: DemoConfig, opened: Awaited<ReturnType<typeof openStorage>>): Promise<DemoBackends> {
  const { storage, ping, pool } = opened;
  const s3 = config.cluster.s3 && new S3MediaStore(config.cluster.s3);
  const media = s3 ?? new FsMediaStore(config.mediaDir);
  const audit = config.cluster.databaseUrl ? await PostgresAuditStore.open(config.cluster.databaseUrl) : new SqliteAuditStore(config.auditDb);
  const rateLimits = pool ? await postgresRateLimits(pool) : memoryRateLimits;
  const uploadLocker = pool && (await PostgresLocker.open(pool));
  const uploadStore = config.cluster.s3 && new S3UploadStore(config.cluster.s3, { prefix: '.uploads/', expirationPeriodInMilliseconds: UPLOAD_EXPIRY_SECONDS * 1000 });
  return {
    storage,
    media,
    audit,
    rateLimits,
    uploadLocker,
    uploadStore,
    ready: async () => {
      await ping();
      await s3?.check();
    },
    close: async () => {
      // Upload locks first: another replica may take over an upload at once.
      await uploadLocker?.close();
      await audit.close();
      await storage.close();
    },
  };
}
