/**
 * The `AuditStore` on PostgreSQL, for replicas sharing one trail. The same table and hash chain as
 * SQLite; append-only through triggers that refuse UPDATE, DELETE and TRUNCATE. The chain head is
 * serialised across replicas by a transaction-scoped advisory lock: a batch takes it, reads the
 * head, writes its records and commits, so concurrent appends from any number of processes form
 * one chain without gaps or forks.
 */
import pg from 'pg';
import { fromRow, type Row } from './row.js';
import { createPostgresPool } from '../storage/postgres.js';
import { canonicalJson, GENESIS_HASH, recordHash, type AppendResult, type AuditQuery, type AuditRecord, type AuditRecordInput, type AuditStore } from './store.js';

/** The advisory lock key of the chain head (any constant; `hashtext('veil audit chain')` would do as well). */
const CHAIN_LOCK = 0x7665696c; // 'veil'
/** Held while creating the schema, so replicas starting together do not race on CREATE. */
const SCHEMA_LOCK = 0x7665696d;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  seq              bigint           PRIMARY KEY,
  id               text             NOT NULL UNIQUE,
  type             text             NOT NULL,
  actor            text             NOT NULL,
  org              text             NOT NULL,
  video            text,
  playback_session text,
  credential       text             NOT NULL,
  player_session   text             NOT NULL,
  player_seq       bigint           NOT NULL,
  client_time      bigint           NOT NULL,
  server_time      bigint           NOT NULL,
  position         double precision,
  data             text             NOT NULL,
  prev_hash        text             NOT NULL,
  hash             text             NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_org_time  ON audit_events (org, server_time);
CREATE INDEX IF NOT EXISTS audit_events_org_video ON audit_events (org, video);
CREATE INDEX IF NOT EXISTS audit_events_org_actor ON audit_events (org, actor);
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE OR REPLACE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE OR REPLACE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
`;

const COLUMNS = [
  'seq', 'id', 'type', 'actor', 'org', 'video', 'playback_session', 'credential', 'player_session', 'player_seq',
  'client_time', 'server_time', 'position', 'data', 'prev_hash', 'hash',
] as const;

/** Rows per INSERT statement (PostgreSQL allows 65 535 parameters per statement). */
const ROWS_PER_INSERT = 1000;
const SCAN_PAGE = 1000;

function toValues(record: AuditRecord): unknown[] {
  return [
    record.seq, record.id, record.type, record.actor, record.org, record.video, record.playbackSession, record.credential,
    record.playerSession, record.playerSeq, record.clientTime, record.serverTime, record.position, canonicalJson(record.data),
    record.prevHash, record.hash,
  ];
}

export class PostgresAuditStore implements AuditStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Opens the trail at `url`, creating its table and guards if need be. */
  static async open(url: string, options: { poolSize?: number } = {}): Promise<PostgresAuditStore> {
    const pool = createPostgresPool(url, options.poolSize ?? 4);
    try {
      await transaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await client.query(SCHEMA);
      });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresAuditStore(pool);
  }

  async append(records: readonly AuditRecordInput[], serverTime = Date.now()): Promise<AppendResult> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const head = (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')).rows[0];
      const ids = records.map((record) => record.id);
      const existing = new Set((await client.query<{ id: string }>('SELECT id FROM audit_events WHERE id = ANY($1)', [ids])).rows.map((row) => row.id));
      const result: AppendResult = { stored: [], duplicates: [] };
      const rows: AuditRecord[] = [];
      let seq = head?.seq ?? 0;
      let prevHash = head?.hash ?? GENESIS_HASH;
      for (const input of records) {
        if (existing.has(input.id)) {
          result.duplicates.push(input.id);
          continue;
        }
        existing.add(input.id);
        seq += 1;
        // Round-trip `data` through canonical JSON so what is hashed is exactly what is stored.
        const data = JSON.parse(canonicalJson(input.data)) as AuditRecord['data'];
        const record = { ...input, data, seq, serverTime, prevHash };
        const hash = recordHash(record);
        rows.push({ ...record, hash });
        prevHash = hash;
        result.stored.push(input.id);
      }
      for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) await insert(client, rows.slice(start, start + ROWS_PER_INSERT));
      return result;
    });
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const where = ['org = $1'];
    const values: unknown[] = [query.org];
    const add = (condition: string, value: unknown) => {
      values.push(value);
      where.push(`${condition} $${values.length}`);
    };
    if (query.video !== undefined) add('video =', query.video);
    if (query.actor !== undefined) add('actor =', query.actor);
    if (query.type !== undefined) add('type =', query.type);
    if (query.from !== undefined) add('server_time >=', query.from);
    if (query.to !== undefined) add('server_time <=', query.to);
    if (query.after !== undefined) add('seq >', query.after);
    values.push(query.limit);
    const { rows } = await this.pool.query<Row>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${values.length}`, values);
    return rows.map(fromRow);
  }

  async *scan(): AsyncIterable<AuditRecord> {
    let after = 0;
    for (;;) {
      const { rows } = await this.pool.query<Row>('SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [after, SCAN_PAGE]);
      for (const row of rows) yield fromRow(row);
      if (rows.length < SCAN_PAGE) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function insert(client: pg.PoolClient, rows: readonly AuditRecord[]): Promise<void> {
  if (rows.length === 0) return;
  const placeholders = rows.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
  await client.query(`INSERT INTO audit_events (${COLUMNS.join(', ')}) VALUES ${placeholders.join(', ')}`, rows.flatMap(toValues));
}

async function transaction<T>(pool: pg.Pool, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await run(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
