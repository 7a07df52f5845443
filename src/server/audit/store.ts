/**
 * The audit trail's storage interface and its hash chain. Each stored record carries the hash of
 * the previous one (SHA-256 over a canonical serialisation), so any edit, insertion or deletion in
 * the middle of the trail is detected by `verifyChain`. SQLite implements it by default
 * (`sqlite-store.ts`); a PostgreSQL store implements the same four methods.
 */
import { createHash } from 'node:crypto';
import type { AuditEventType } from '../../protocol/audit-events.js';

/** What the ingest route hands the store: the client's event bound to the verified credential. */
export interface AuditRecordInput {
  id: string;
  type: AuditEventType;
  /** `sub` of the verified token. */
  actor: string;
  /** `org` of the verified token ('' when the token has none). */
  org: string;
  /** `vid` of a verified playback token; null for events authenticated by an access token. */
  video: string | null;
  /** `sid` of a verified playback token; null for access-token events. */
  playbackSession: string | null;
  /** Which credential authenticated the event; `server` for the service's own records (`client-blocked`). */
  credential: 'playback' | 'access' | 'server';
  playerSession: string;
  playerSeq: number;
  clientTime: number;
  position: number | null;
  data: Record<string, string | number | boolean>;
}

/** A stored record: the input plus its place in the chain, the server's time and the hashes. */
export interface AuditRecord extends AuditRecordInput {
  /** 1, 2, 3 … position in the chain. */
  seq: number;
  /** Epoch milliseconds on the server's clock when the record was written. */
  serverTime: number;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  /** Always set by the read route: records of this org only. */
  org: string;
  video?: string;
  actor?: string;
  type?: string;
  /** Inclusive bounds on `serverTime` (epoch ms). */
  from?: number;
  to?: number;
  /** Records with `seq` greater than this (paging). */
  after?: number;
  limit: number;
}

export interface AppendResult {
  /** Ids written now. */
  stored: string[];
  /** Ids already in the store (a replayed or retried delivery): nothing written for them. */
  duplicates: string[];
}

export interface AuditStore {
  /** Appends a batch in one transaction: all of it (minus duplicates by id) or nothing. */
  append(records: readonly AuditRecordInput[], serverTime?: number): Promise<AppendResult>;
  query(query: AuditQuery): Promise<AuditRecord[]>;
  /** Every record in chain order (for verification). */
  scan(): AsyncIterable<AuditRecord>;
  close(): Promise<void>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one byte sequence per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of a record: SHA-256 (hex) over the canonical JSON of every field but `hash` itself. */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  const { seq, id, type, actor, org, video, playbackSession, credential, playerSession, playerSeq, clientTime, serverTime, position, data, prevHash } = record;
  const canonical = canonicalJson({ seq, id, type, actor, org, video, playbackSession, credential, playerSession, playerSeq, clientTime, serverTime, position, data, prevHash });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export interface ChainReport {
  ok: boolean;
  /** Records checked. */
  count: number;
  /** The first record that does not verify, and why. */
  broken?: { seq: number; id: string; reason: string };
  /** Hash of the last record: keep it elsewhere to detect truncation of the tail. */
  head: string;
}

/**
 * Walks the chain: every record's `prevHash` must be the previous record's `hash`, its `seq` the
 * next number, and its `hash` must match its content.
 */
export async function verifyChain(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>): Promise<ChainReport> {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for await (const record of records) {
    const broken = (reason: string): ChainReport => ({ ok: false, count, broken: { seq: record.seq, id: record.id, reason }, head: previous });
    if (record.seq !== expectedSeq) return broken(`expected record #${expectedSeq} here, found #${record.seq} (a record was removed or inserted)`);
    if (record.prevHash !== previous) return broken('its prevHash is not the previous record\'s hash (the previous link was altered)');
    const { hash, ...rest } = record;
    if (recordHash(rest) !== hash) return broken('its content does not match its hash (the record was edited)');
    previous = hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count, head: previous };
}
