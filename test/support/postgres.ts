/**
 * Real PostgreSQL for server tests: one throwaway cluster per test file (started on first use,
 * stopped when the file's tests end) and a fresh database per call, so every test starts empty.
 */
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { startPostgres, type PostgresCluster } from '../../scripts/cluster/postgres.js';

let cluster: Promise<PostgresCluster> | undefined;

after(async () => {
  if (cluster) await (await cluster).stop();
});

/** The URL of a new, empty database on this file's cluster. */
export async function freshPostgresDatabase(): Promise<string> {
  cluster ??= startPostgres();
  return (await cluster).createDatabase(`t_${randomUUID().replaceAll('-', '')}`);
}
