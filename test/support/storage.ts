/**
 * Real storage for server tests: an in-memory SQLite database through the production code path
 * (migrations, KEK, Kysely stores) and a filesystem MediaStore in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMediaStore } from '../../src/server/storage/fs-media-store.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/server/storage/sqlite.js';

export interface TestStorage extends SqliteStorage {
  media: FsMediaStore;
  dir: string;
}

export async function openTestStorage(options: { signingKeyRetentionSeconds?: number } = {}): Promise<TestStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-storage-test-'));
  const storage = await openSqliteStorage({
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
