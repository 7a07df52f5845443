/**
 * Storage on PostgreSQL (`VEIL_DATABASE_URL`): the same Kysely stores, queries and migrations as
 * SQLite, through Kysely's `PostgresDialect` over a `pg` pool. Replicas share the database, so
 * the KEK must be given (`VEIL_KEK`, the same on every replica): there is no local file to keep it in.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openKyselyStorage, type KekOptions, type KyselyStorage } from './kysely/storage.js';
import type { VeilDatabase } from './kysely/schema.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  kek: Omit<KekOptions, 'file'> & { base64: string };
  signingKeyRetentionSeconds: number;
  /** Connections per replica; default 10. */
  poolSize?: number;
}

export interface PostgresStorage extends KyselyStorage {
  /** The Kysely instance (the audit store, rate limits and upload locks share its pool). */
  db: Kysely<VeilDatabase>;
  pool: pg.Pool;
  close(): Promise<void>;
}

const INT8_OID = 20;

/**
 * A pool whose `bigint` columns read as numbers: every one holds epoch milliseconds, byte counts
 * or sequence numbers, far below 2^53 — and SQLite returns numbers for them too.
 */
export function createPostgresPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by the server (a restart, a failover) must not crash the replica:
  // the pool replaces it, and the next query reports any lasting outage.
  pool.on('error', (error) => console.error(`[postgres] idle connection lost: ${error.message}`));
  return pool;
}

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  if (!options.kek.base64) throw new TypeError('storage: PostgreSQL needs kek.base64 (VEIL_KEK), the same on every replica');
  const pool = createPostgresPool(options.url, options.poolSize);
  const db = new Kysely<VeilDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    const storage = await openKyselyStorage(db, { kek: options.kek, signingKeyRetentionSeconds: options.signingKeyRetentionSeconds });
    return { ...storage, db, pool, close: () => db.destroy() };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
