/**
 * Real storage for server tests: an in-memory SQLite database through the production code path
 * (migrations, KEK, Kysely stores) and a filesystem MediaStore in a temporary directory.
 * `VEIL_TEST_DATABASE=postgres` runs the same tests on a throwaway PostgreSQL instead (a fresh
 * database each), to check that a feature's migrations and queries are portable.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMediaStore } from '../../src/server/storage/fs-media-store.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/server/storage/sqlite.js';
import { openPostgresTestStorage } from './postgres-storage.js';

export interface TestStorage extends SqliteStorage {
  media: FsMediaStore;
  dir: string;
}

export async function openTestStorage(options: { signingKeyRetentionSeconds?: number } = {}): Promise<TestStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-storage-test-'));
  const storage =
    process.env.VEIL_TEST_DATABASE === 'postgres'
      ? await openPostgresTestStorage(options)
      : await openSqliteStorage({
          file: ':memory:',
          kek: { base64: randomBytes(32).toString('base64') },
          signingKeyRetentionSeconds: options.signingKeyRetentionSeconds ?? 3600,
        });
  return {
    ...storage,
    media: new FsMediaStore(join(dir, 'media')),
    dir,
    close: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
