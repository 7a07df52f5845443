/**
 * What every `AuditStore` must do: `auditStoreContract('sqlite', async () => ({ stores, close }))`
 * where `stores` opens another handle on the same trail (another replica, or another connection).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyChain, type AuditRecord, type AuditRecordInput, type AuditStore } from '../../../src/server/audit/store.js';
import { using } from './harness.js';

export type MakeAuditStore = () => Promise<{ store: AuditStore; another(): Promise<AuditStore>; close(): Promise<void> }>;

export function auditInput(overrides: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return {
    id: randomUUID(),
    type: 'heartbeat',
    actor: 'bob',
    org: 'acme',
    video: 'v',
    playbackSession: 's',
    credential: 'playback',
    playerSession: 'p',
    playerSeq: 1,
    clientTime: 1_700_000_000_000,
    position: 1.25,
    data: { watchedSeconds: 30, label: 'é', ok: true },
    ...overrides,
  };
}

async function all(store: AuditStore): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of store.scan()) records.push(record);
  return records;
}

export function auditStoreContract(name: string, make: MakeAuditStore): void {
  describe(`AuditStore contract: ${name}`, () => {
    it('stores exactly what was appended, chained, and skips duplicate ids', () =>
      using(make, async ({ store }) => {
        const first = auditInput({ data: { b: 2, a: 'x' } });
        const second = auditInput({ position: null, video: null, playbackSession: null, credential: 'access' });
        assert.deepEqual(await store.append([first, second], 1000), { stored: [first.id, second.id], duplicates: [] });
        assert.deepEqual(await store.append([first, auditInput({ id: second.id }), second], 2000), { stored: [], duplicates: [first.id, second.id, second.id] });
        const records = await all(store);
        assert.equal(records.length, 2);
        assert.deepEqual({ ...records[0], hash: undefined, prevHash: undefined }, { ...first, seq: 1, serverTime: 1000, hash: undefined, prevHash: undefined });
        assert.deepEqual({ ...records[1], hash: undefined, prevHash: undefined }, { ...second, seq: 2, serverTime: 1000, hash: undefined, prevHash: undefined });
        assert.deepEqual(await verifyChain(records), { ok: true, count: 2, head: records[1]!.hash });
      }));

    it('queries by org, video, actor, type, time and seq, in chain order, up to the limit', () =>
      using(make, async ({ store }) => {
        await store.append([auditInput({ actor: 'a', type: 'play' }), auditInput({ actor: 'b', video: 'w' }), auditInput({ org: 'globex' })], 10);
        await store.append([auditInput({ actor: 'a', type: 'pause' })], 20);
        const ids = async (query: Partial<Parameters<AuditStore['query']>[0]>) =>
          (await store.query({ org: 'acme', limit: 100, ...query })).map((record) => record.seq);
        assert.deepEqual(await ids({}), [1, 2, 4]);
        assert.deepEqual(await ids({ org: 'globex' }), [3]);
        assert.deepEqual(await ids({ actor: 'a' }), [1, 4]);
        assert.deepEqual(await ids({ video: 'w' }), [2]);
        assert.deepEqual(await ids({ type: 'pause' }), [4]);
        assert.deepEqual(await ids({ from: 15 }), [4]);
        assert.deepEqual(await ids({ to: 15 }), [1, 2]);
        assert.deepEqual(await ids({ after: 1, limit: 1 }), [2]);
      }));

    it('concurrent appends through two handles form one chain: no gaps, no forks, no duplicates', () =>
      using(make, async ({ store, another }) => {
        const other = await another();
        try {
          const batches = (prefix: string) => Array.from({ length: 20 }, (_, b) => Array.from({ length: 25 }, (_, n) => auditInput({ actor: prefix, playerSeq: b * 25 + n })));
          const a = batches('a');
          const b = batches('b');
          const shared = auditInput(); // delivered through both at once: stored once
          await Promise.all([...a.map((batch) => store.append(batch)), ...b.map((batch) => other.append(batch)), store.append([shared]), other.append([shared])]);
          const records = await all(store);
          assert.equal(records.length, 1001);
          assert.equal(new Set(records.map((record) => record.id)).size, 1001);
          assert.deepEqual(records.map((record) => record.seq), Array.from({ length: 1001 }, (_, i) => i + 1));
          const report = await verifyChain(other.scan());
          assert.deepEqual({ ok: report.ok, count: report.count }, { ok: true, count: 1001 });
        } finally {
          await other.close();
        }
      }));
  });
}
