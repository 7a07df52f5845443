/**
 * The audit-store contract on SQLite and PostgreSQL, and PostgreSQL's own guards: the trail is
 * append-only in the database, and `audit:verify` walks a PostgreSQL trail and names an edit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { PostgresAuditStore } from '../../src/server/audit/postgres-store.js';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import { auditInput, auditStoreContract } from './contracts/audit-store.js';
import { freshPostgresDatabase } from '../support/postgres.js';

auditStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-audit-contract-'));
  const file = join(dir, 'audit.sqlite');
  const store = new SqliteAuditStore(file);
  return {
    store,
    another: async () => new SqliteAuditStore(file),
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

auditStoreContract('postgres', async () => {
  const url = await freshPostgresDatabase();
  const store = await PostgresAuditStore.open(url);
  return { store, another: () => PostgresAuditStore.open(url), close: () => store.close() };
});

describe('PostgreSQL audit trail', () => {
  async function withSql<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }

  it('refuses UPDATE, DELETE and TRUNCATE in the database', async () => {
    const url = await freshPostgresDatabase();
    const store = await PostgresAuditStore.open(url);
    await store.append([auditInput()]);
    await store.close();
    await withSql(url, async (client) => {
      await assert.rejects(client.query("UPDATE audit_events SET actor = 'x'"), /append-only/);
      await assert.rejects(client.query('DELETE FROM audit_events'), /append-only/);
      await assert.rejects(client.query('TRUNCATE audit_events'), /append-only/);
    });
  });

  it('audit:verify takes a PostgreSQL URL, passes an intact trail and names the edited record', async () => {
    const url = await freshPostgresDatabase();
    const store = await PostgresAuditStore.open(url);
    const inputs = Array.from({ length: 5 }, (_, n) => auditInput({ playerSeq: n + 1 }));
    for (const input of inputs) await store.append([input]);
    await store.close();
    const verify = () => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--db', url], { encoding: 'utf8' });
    const intact = verify();
    assert.equal(intact.status, 0, intact.stderr);
    assert.match(intact.stdout, /OK, 5 records/);
    assert.doesNotMatch(intact.stdout, /veil@/, 'the URL is not printed whole (it may carry a password)');

    await withSql(url, async (client) => {
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await client.query("UPDATE audit_events SET actor = 'alice' WHERE seq = 3");
    });
    const broken = verify();
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, new RegExp(`record #3 \\(id ${inputs[2]!.id}\\)`));
    assert.match(broken.stderr, /was edited/);
  });
});
