/**
 * The default `AuditStore`: one SQLite file through better-sqlite3. Append-only twice over:
 * triggers refuse UPDATE and DELETE, and the hash chain exposes whoever bypasses them.
 * One batch is one `BEGIN IMMEDIATE` transaction, so the chain head cannot race between writers.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fromRow, type Row } from './row.js';
import { canonicalJson, GENESIS_HASH, recordHash, type AppendResult, type AuditQuery, type AuditRecord, type AuditRecordInput, type AuditStore } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  seq              INTEGER PRIMARY KEY,
  id               TEXT    NOT NULL UNIQUE,
  type             TEXT    NOT NULL,
  actor            TEXT    NOT NULL,
  org              TEXT    NOT NULL,
  video            TEXT,
  playback_session TEXT,
  credential       TEXT    NOT NULL,
  player_session   TEXT    NOT NULL,
  player_seq       INTEGER NOT NULL,
  client_time      INTEGER NOT NULL,
  server_time      INTEGER NOT NULL,
  position         REAL,
  data             TEXT    NOT NULL,
  prev_hash        TEXT    NOT NULL,
  hash             TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_org_time  ON audit_events (org, server_time);
CREATE INDEX IF NOT EXISTS audit_events_org_video ON audit_events (org, video);
CREATE INDEX IF NOT EXISTS audit_events_org_actor ON audit_events (org, actor);
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
`;

/** Where the demo keeps its trail unless `VEIL_AUDIT_DB` says otherwise. */
export const DEFAULT_AUDIT_DB = '.cache/veil-audit.sqlite';

export class SqliteAuditStore implements AuditStore {
  readonly #db: Database.Database;
  readonly #appendBatch: (records: readonly AuditRecordInput[], serverTime: number) => AppendResult;

  /** `readonly`: open an existing trail for reading and verification only (no schema changes). */
  constructor(readonly path: string, options: { readonly?: boolean } = {}) {
    if (options.readonly) {
      this.#db = new Database(path, { readonly: true, fileMustExist: true });
    } else {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.exec(SCHEMA);
    }
    const exists = this.#db.prepare<[string], { one: number }>('SELECT 1 AS one FROM audit_events WHERE id = ?');
    const head = this.#db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const insert = this.#db.prepare(
      `INSERT INTO audit_events (seq, id, type, actor, org, video, playback_session, credential, player_session, player_seq,
         client_time, server_time, position, data, prev_hash, hash)
       VALUES (@seq, @id, @type, @actor, @org, @video, @playbackSession, @credential, @playerSession, @playerSeq,
         @clientTime, @serverTime, @position, @data, @prevHash, @hash)`,
    );
    const transaction = this.#db.transaction((records: readonly AuditRecordInput[], serverTime: number): AppendResult => {
      const result: AppendResult = { stored: [], duplicates: [] };
      const last = head.get();
      let seq = last?.seq ?? 0;
      let prevHash = last?.hash ?? GENESIS_HASH;
      const seen = new Set<string>();
      for (const input of records) {
        if (seen.has(input.id) || exists.get(input.id)) {
          result.duplicates.push(input.id);
          continue;
        }
        seen.add(input.id);
        seq += 1;
        // Round-trip `data` through canonical JSON so what is hashed is exactly what is stored.
        const data = JSON.parse(canonicalJson(input.data)) as AuditRecord['data'];
        const record = { ...input, data, seq, serverTime, prevHash };
        const hash = recordHash(record);
        insert.run({ ...record, data: canonicalJson(data), hash });
        prevHash = hash;
        result.stored.push(input.id);
      }
      return result;
    });
    this.#appendBatch = (records, serverTime) => transaction.immediate(records, serverTime);
  }

  async append(records: readonly AuditRecordInput[], serverTime = Date.now()): Promise<AppendResult> {
    return this.#appendBatch(records, serverTime);
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const where = ['org = @org'];
    if (query.video !== undefined) where.push('video = @video');
    if (query.actor !== undefined) where.push('actor = @actor');
    if (query.type !== undefined) where.push('type = @type');
    if (query.from !== undefined) where.push('server_time >= @from');
    if (query.to !== undefined) where.push('server_time <= @to');
    if (query.after !== undefined) where.push('seq > @after');
    const rows = this.#db
      .prepare<Record<string, unknown>, Row>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`)
      .all(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
    return rows.map(fromRow);
  }

  async *scan(): AsyncIterable<AuditRecord> {
    for (const row of this.#db.prepare<[], Row>('SELECT * FROM audit_events ORDER BY seq').iterate()) yield fromRow(row);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
