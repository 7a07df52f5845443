/**
 * Real PostgreSQL for server tests: one throwaway cluster per test file (started on first use,
 * stopped when the file's tests end) and a fresh database per call, so every test starts empty.
 */
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { startPostgres, type PostgresCluster } from '../../scripts/cluster/postgres.js';

let cluster: Promise<PostgresCluster> | undefined;
const closers: Array<() => Promise<void>> = [];

// Registered before any test file's own hooks, so it runs first: whatever the file left open on
// the cluster (`closeBeforeStop`) is closed before the cluster goes.
after(async () => {
  for (const close of closers.splice(0)) await close();
  if (cluster) await (await cluster).stop();
});

/** Closes `close` (a pool, a store) at the end of the file, before the cluster stops. */
export function closeBeforeStop(close: () => Promise<void>): void {
  closers.push(close);
}

/** The URL of a new, empty database on this file's cluster. */
export async function freshPostgresDatabase(): Promise<string> {
  cluster ??= startPostgres();
  return (await cluster).createDatabase(`t_${randomUUID().replaceAll('-', '')}`);
}
