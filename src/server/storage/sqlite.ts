/**
 * The default storage: one SQLite file (better-sqlite3 through Kysely's `SqliteDialect`) holding
 * videos, content keys and signing keys, with the KEK's key file beside it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { openKyselyStorage, type KekOptions, type KyselyStorage } from './kysely/storage.js';
import type { VeilDatabase } from './kysely/schema.js';

export interface SqliteStorageOptions {
  /** The database file, or `:memory:` (tests). */
  file: string;
  /** Defaults: `VEIL_KEK`-style base64 if given, else the key file `<database dir>/veil.kek`. */
  kek?: Partial<KekOptions>;
  signingKeyRetentionSeconds: number;
}

export interface SqliteStorage extends KyselyStorage {
  close(): Promise<void>;
}

/** Distinct SQL texts kept prepared; the stores issue a few dozen. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query it runs, and better-sqlite3 compiles a statement per `prepare`: a
 * playback session's five reads spent more time compiling SQL than running it (issue 16). The
 * same SQL text gets the same compiled statement back, unless it is still being iterated (a
 * streamed query), which needs its own. SQLite re-prepares a cached statement itself after a
 * schema change (migrations).
 */
export function withStatementCache(database: Database.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const known = statements.get(sql);
      if (known && !known.busy) return known;
      const statement = database.prepare(sql);
      if (!known) {
        if (statements.size >= size) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** The KEK's key file when none is configured: beside the database. */
export function defaultKekFile(databaseFile: string): string {
  return join(dirname(databaseFile), 'veil.kek');
}

export async function openSqliteStorage(options: SqliteStorageOptions): Promise<SqliteStorage> {
  if (options.file === ':memory:') {
    // No directory to put a key file beside: an in-memory database needs its KEK given.
    if (options.kek?.base64 === undefined) throw new TypeError('storage: an in-memory database needs kek.base64');
  } else {
    mkdirSync(dirname(options.file), { recursive: true });
  }
  const sqlite = new Database(options.file);
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<VeilDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  try {
    const storage = await openKyselyStorage(db, {
      kek: { ...options.kek, file: options.kek?.file ?? defaultKekFile(options.file) },
      signingKeyRetentionSeconds: options.signingKeyRetentionSeconds,
    });
    return { ...storage, close: () => db.destroy() };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
