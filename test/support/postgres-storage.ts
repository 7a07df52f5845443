/** Real PostgreSQL storage for server tests: the production path (migrations, KEK) on a fresh database. */
import { randomBytes } from 'node:crypto';
import { openPostgresStorage, type PostgresStorage } from '../../src/server/storage/postgres.js';
import { freshPostgresDatabase } from './postgres.js';

export async function openPostgresTestStorage(options: { signingKeyRetentionSeconds?: number; url?: string; kek?: string } = {}): Promise<PostgresStorage> {
  return openPostgresStorage({
    url: options.url ?? (await freshPostgresDatabase()),
    kek: { base64: options.kek ?? randomBytes(32).toString('base64') },
    signingKeyRetentionSeconds: options.signingKeyRetentionSeconds ?? 3600,
  });
}
