/**
 * The audit trail on the server: ingest (credentials, schema, idempotency), the hash-chained
 * SQLite store, the admin read API and the `audit:verify` command — through the real handler.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { AuditEvent } from '../../src/protocol/audit-events.js';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import { verifyChain, type AuditRecord, type AuditStore } from '../../src/server/audit/store.js';
import { createAccessTokenVerifier } from '../../src/server/identity/oidc.js';
import type { Handler } from '../../src/server/context.js';
import { createPlaybackTokenService, type PlaybackTokenService } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';

const ORIGIN = 'https://video.test';
const ISSUER = 'https://idp.test';
const API = `${ORIGIN}/api`;

let dir: string;
let dbPath: string;
let store: SqliteAuditStore;
let service: Handler;
let openService: Handler;
let idpKey: CryptoKey;
let tokens: PlaybackTokenService;
let storage: TestStorage;

async function accessToken(claims: Record<string, unknown>, expiresIn: string | number = '5m'): Promise<string> {
  return new SignJWT({ scope: 'org', ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(API)
    .setSubject(String(claims.sub))
    .setIssuedAt(typeof expiresIn === 'number' ? expiresIn - 60 : undefined)
    .setExpirationTime(expiresIn)
    .sign(idpKey);
}
const alice = () => accessToken({ sub: 'alice', org: 'acme', groups: ['veil-admins'] });
const bob = () => accessToken({ sub: 'bob', org: 'acme', groups: [] });
const globexAdmin = () => accessToken({ sub: 'gina', org: 'globex', groups: ['veil-admins'] });

function event(type: AuditEvent['type'], session: string, seq: number, data: AuditEvent['data'] = {}): AuditEvent {
  return { id: randomUUID(), type, session, seq, clientTime: Date.now(), position: seq * 1.5, data };
}

function post(body: unknown, init: { token?: string; contentType?: string; handler?: Handler } = {}): Promise<Response> {
  const headers = new Headers({ 'content-type': init.contentType ?? 'application/json' });
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  return (init.handler ?? service)(new Request(`${ORIGIN}/api/audit/events`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }));
}

async function read(query: string, token: string, handler: Handler = service): Promise<Response> {
  return handler(new Request(`${ORIGIN}/api/audit/events${query}`, { headers: { authorization: `Bearer ${token}` } }));
}

async function all(): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of store.scan()) records.push(record);
  return records;
}

async function playbackToken(sub = 'bob', vid = 'dash', org = 'acme') {
  return (await tokens.sign({ sub, org, vid, sid: randomUUID() })).token;
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-audit-'));
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  storage = await openTestStorage();
  tokens = createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 });
  const verifyAccessToken = createAccessTokenVerifier({
    issuer: ISSUER,
    audience: API,
    jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }),
  });
  const common = { publicUrl: ORIGIN, verifyAccessToken, videos: storage.videos, grants: storage.grants, keys: storage.keys, media: storage.media, playbackTokens: tokens };
  // A fresh store per test: `beforeEach` swaps it in through this indirection.
  const delegate: AuditStore = {
    append: (records, serverTime) => store.append(records, serverTime),
    query: (query) => store.query(query),
    scan: () => store.scan(),
    close: async () => undefined,
  };
  const audit = { store: delegate, lateDeliverySeconds: 3600 };
  service = createVeilService({ ...common, perimeter: { issuer: ISSUER, org: 'acme' }, audit });
  // A multi-organisation deployment: the perimeter admits any org of the issuer.
  openService = createVeilService({ ...common, perimeter: { issuer: ISSUER }, audit });
});

beforeEach(async () => {
  await store?.close();
  dbPath = join(dir, `${randomUUID()}.sqlite`);
  store = new SqliteAuditStore(dbPath);
});

after(async () => {
  await store?.close();
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

describe('audit ingest', () => {
  it('stores events with the actor, org, video and session of the verified playback token, and a server time', async () => {
    const session = randomUUID();
    const token = await playbackToken('bob', 'dash');
    const before = Date.now();
    const response = await post({ events: [event('play', session, 1), event('seek', session, 2, { from: 1, to: 30 })] }, { token });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { stored: 2, duplicates: 0 });
    const records = await all();
    assert.deepEqual(records.map((r) => [r.seq, r.type, r.actor, r.org, r.video, r.credential, r.playerSeq]), [
      [1, 'play', 'bob', 'acme', 'dash', 'playback', 1],
      [2, 'seek', 'bob', 'acme', 'dash', 'playback', 2],
    ]);
    assert.ok(records[0]!.serverTime >= before);
    assert.deepEqual(records[1]!.data, { from: 1, to: 30 });
    assert.equal(records[1]!.prevHash, records[0]!.hash);
  });

  it('ignores a client that claims another actor, org or video: the token decides', async () => {
    const token = await playbackToken('bob', 'dash', 'acme');
    const claimed = { ...event('pause', randomUUID(), 1), actor: 'alice', org: 'globex', video: 'other' };
    assert.equal((await post({ events: [claimed] }, { token })).status, 200);
    const [record] = await all();
    assert.deepEqual([record!.actor, record!.org, record!.video], ['bob', 'acme', 'dash']);
  });

  it('accepts the credential in the body (sendBeacon, text/plain), never needing it in the URL', async () => {
    const token = await playbackToken();
    const response = await post(JSON.stringify({ credential: token, events: [event('pause', randomUUID(), 1)] }), { contentType: 'text/plain;charset=UTF-8' });
    assert.equal(response.status, 200);
    assert.equal((await all()).length, 1);
  });

  it('authenticates pre-session events with the access token: actor and org from it, no video', async () => {
    const mallory = await accessToken({ sub: 'mallory', org: 'globex', groups: [] });
    const response = await post({ events: [event('perimeter-denied', randomUUID(), 1, { reason: 'org', requestedVideo: 'dash' })] }, { token: mallory });
    assert.equal(response.status, 200);
    const [record] = await all();
    assert.deepEqual([record!.actor, record!.org, record!.video, record!.credential], ['mallory', 'globex', null, 'access']);
    assert.equal(record!.data.requestedVideo, 'dash');
    // …but an access token cannot vouch for playback events, nor a playback token for a sign-in.
    assert.equal((await post({ events: [event('play', randomUUID(), 1)] }, { token: await bob() })).status, 400);
    assert.equal((await post({ events: [event('sign-in', randomUUID(), 1)] }, { token: await playbackToken() })).status, 400);
  });

  it('refuses missing, forged and long-expired credentials', async () => {
    const batch = { events: [event('play', randomUUID(), 1)] };
    assert.equal((await post(batch)).status, 401);
    const forged = (await playbackToken()).replace(/\.[^.]+$/, '.AAAA');
    assert.equal((await post(batch, { token: forged })).status, 401);
    // Expired an hour and a half ago: past the one-hour late-delivery window of this service.
    const stale = await accessToken({ sub: 'bob', org: 'acme' }, Math.floor(Date.now() / 1000) - 5400);
    assert.equal((await post({ events: [event('sign-in', randomUUID(), 1)] }, { token: stale })).status, 401);
    // Expired ten minutes ago: inside the window (queued offline, delivered late). The event was
    // recorded while the token was valid, as a queued event is (issue 10: late events must be).
    const late = await accessToken({ sub: 'bob', org: 'acme' }, Math.floor(Date.now() / 1000) - 600);
    const recordedThen = { ...event('sign-in', randomUUID(), 1), clientTime: Date.now() - 630_000 };
    assert.equal((await post({ events: [recordedThen] }, { token: late })).status, 200);
    assert.equal((await all()).length, 1);
  });

  it('rejects a malformed batch whole with 400: nothing of it is written', async () => {
    const token = await playbackToken();
    const session = randomUUID();
    const good = () => event('play', session, 1);
    const malformed: unknown[] = [
      'not json',
      { events: [] },
      { events: [good(), { ...good(), id: 'not-a-uuid' }] },
      { events: [good(), { ...good(), type: 'teleport' }] },
      { events: [good(), { ...good(), seq: 0 }] },
      { events: [good(), { ...good(), position: -1 }] },
      { events: [good(), { ...good(), data: { from: 'x' } }] },
      { events: [good(), { ...event('seek', session, 2), data: { from: '1' } }] },
      { events: [good(), { ...good(), extra: 1 }] },
      { events: [good()], surprise: true },
    ];
    for (const body of malformed) {
      const response = await post(body, { token });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(await errorCode(response), 'AUDIT_BATCH_INVALID');
    }
    assert.deepEqual(await all(), []);
  });

  it('rejects an oversized batch with 413 and writes nothing', async () => {
    const token = await playbackToken();
    const session = randomUUID();
    const events = Array.from({ length: 400 }, (_, i) => event('download-attempt', session, i + 1, { via: 'x'.repeat(200) }));
    const response = await post({ events }, { token });
    assert.equal(response.status, 413);
    assert.equal(await errorCode(response), 'AUDIT_BATCH_TOO_LARGE');
    assert.deepEqual(await all(), []);
  });

  it('deduplicates a replayed batch by event id: the store is unchanged', async () => {
    const token = await playbackToken();
    const session = randomUUID();
    const batch = { events: [event('play', session, 1), event('pause', session, 2)] };
    assert.deepEqual(await (await post(batch, { token })).json(), { stored: 2, duplicates: 0 });
    const stored = await all();
    assert.deepEqual(await (await post(batch, { token })).json(), { stored: 0, duplicates: 2 });
    // A replay with altered content under the same ids changes nothing either.
    const altered = { events: batch.events.map((e) => ({ ...e, position: 999 })) };
    assert.deepEqual(await (await post(altered, { token })).json(), { stored: 0, duplicates: 2 });
    assert.deepEqual(await all(), stored);
  });
});

describe('audit store', () => {
  it('is append-only: UPDATE and DELETE are refused by the database', async () => {
    await store.append([{ id: randomUUID(), type: 'play', actor: 'a', org: 'o', video: 'v', playbackSession: 's', credential: 'playback', playerSession: randomUUID(), playerSeq: 1, clientTime: 1, position: 0, data: {} }]);
    const db = new Database(dbPath);
    assert.throws(() => db.prepare("UPDATE audit_events SET actor = 'x'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_events').run(), /append-only/);
    db.close();
  });

  it('chains every record to the previous one, across batches', async () => {
    const session = randomUUID();
    for (let batch = 0; batch < 3; batch++) {
      await store.append([1, 2].map((n) => ({ id: randomUUID(), type: 'heartbeat' as const, actor: 'a', org: 'o', video: 'v', playbackSession: 's', credential: 'playback' as const, playerSession: session, playerSeq: batch * 2 + n, clientTime: 1, position: 1.25, data: { watchedSeconds: 30 } })));
    }
    const report = await verifyChain(store.scan());
    assert.deepEqual({ ok: report.ok, count: report.count }, { ok: true, count: 6 });
  });
});

describe('audit:verify', () => {
  function verifyCommand(path: string) {
    return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--db', path], { encoding: 'utf8' });
  }

  it('passes an intact trail and names the first edited record', async () => {
    const session = randomUUID();
    const ids: string[] = [];
    for (let seq = 1; seq <= 5; seq++) {
      const id = randomUUID();
      ids.push(id);
      await store.append([{ id, type: 'play', actor: 'bob', org: 'acme', video: 'dash', playbackSession: 's', credential: 'playback', playerSession: session, playerSeq: seq, clientTime: seq, position: seq, data: {} }]);
    }
    const intact = verifyCommand(dbPath);
    assert.equal(intact.status, 0, intact.stderr);
    assert.match(intact.stdout, /OK, 5 records/);

    // Someone with the file drops the guard and rewrites who watched record #3.
    const db = new Database(dbPath);
    db.exec('DROP TRIGGER audit_events_no_update');
    db.prepare("UPDATE audit_events SET actor = 'alice' WHERE seq = 3").run();
    db.close();
    const broken = verifyCommand(dbPath);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, new RegExp(`record #3 \\(id ${ids[2]}\\)`));
    assert.match(broken.stderr, /was edited/);
  });

  it('names a record whose predecessor was removed', async () => {
    const session = randomUUID();
    const ids: string[] = [];
    for (let seq = 1; seq <= 4; seq++) {
      const id = randomUUID();
      ids.push(id);
      await store.append([{ id, type: 'pause', actor: 'bob', org: 'acme', video: 'dash', playbackSession: 's', credential: 'playback', playerSession: session, playerSeq: seq, clientTime: seq, position: seq, data: {} }]);
    }
    const db = new Database(dbPath);
    db.exec('DROP TRIGGER audit_events_no_delete');
    db.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    db.close();
    const broken = verifyCommand(dbPath);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, new RegExp(`record #3 \\(id ${ids[2]}\\)`));
  });

  it('exits 2 when the trail cannot be read', () => {
    assert.equal(verifyCommand(join(dir, 'missing.sqlite')).status, 2);
  });
});

describe('reading the trail', () => {
  async function seed() {
    const dashToken = await playbackToken('bob', 'dash');
    const hlsToken = await playbackToken('alice', 'hls');
    const globexToken = await playbackToken('gus', 'gvideo', 'globex');
    await post({ events: [event('play', randomUUID(), 1), event('pause', randomUUID(), 1)] }, { token: dashToken });
    await post({ events: [event('play', randomUUID(), 1)] }, { token: hlsToken });
    await post({ events: [event('play', randomUUID(), 1)] }, { token: globexToken });
  }

  it('lets an org admin filter by video, user, type and time, as JSON', async () => {
    await seed();
    const token = await alice();
    const byVideo = (await (await read('?video=dash', token)).json()) as { events: AuditRecord[] };
    assert.deepEqual(byVideo.events.map((e) => [e.video, e.actor, e.type]), [['dash', 'bob', 'play'], ['dash', 'bob', 'pause']]);
    const byUserType = (await (await read('?user=alice&type=play', token)).json()) as { events: AuditRecord[] };
    assert.deepEqual(byUserType.events.map((e) => e.video), ['hls']);
    const future = (await (await read(`?from=${new Date(Date.now() + 60_000).toISOString()}`, token)).json()) as { events: AuditRecord[] };
    assert.deepEqual(future.events, []);
    const everything = (await (await read('', token)).json()) as { events: AuditRecord[] };
    assert.deepEqual(everything.events.map((e) => e.org), ['acme', 'acme', 'acme']);
    assert.equal((await read('?type=teleport', token)).status, 400);
  });

  it('exports CSV with a header row and one line per record', async () => {
    await seed();
    const response = await read('?format=csv&video=dash', await alice());
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'seq,id,serverTime,clientTime,type,actor,org,video,playbackSession,playerSession,playerSeq,position,credential,data,prevHash,hash');
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /,play,bob,acme,dash,/);
  });

  it('refuses a non-admin (403) and a request without a token (401)', async () => {
    await seed();
    const response = await read('', await bob());
    assert.equal(response.status, 403);
    assert.equal(await errorCode(response), 'AUDIT_ADMIN_REQUIRED');
    assert.equal((await service(new Request(`${ORIGIN}/api/audit/events`))).status, 401);
  });

  it('never shows an admin of another org our records', async () => {
    await seed();
    // Outside this deployment's perimeter: refused outright.
    const outside = await read('', await globexAdmin());
    assert.equal(outside.status, 403);
    assert.equal(await errorCode(outside), 'PERIMETER_DENIED');
    // In a multi-org deployment: they read their own org's trail only, whatever they filter on.
    for (const query of ['', '?video=dash', '?user=bob']) {
      const response = await read(query, await globexAdmin(), openService);
      assert.equal(response.status, 200);
      const { events } = (await response.json()) as { events: AuditRecord[] };
      assert.ok(events.every((e) => e.org === 'globex'), query);
    }
    const own = (await (await read('', await globexAdmin(), openService)).json()) as { events: AuditRecord[] };
    assert.deepEqual(own.events.map((e) => e.video), ['gvideo']);
  });
});

describe('GET /api/audit/verify (the audit page\'s chain status)', () => {
  const verify = (token?: string) => service(new Request(`${ORIGIN}/api/audit/verify`, { headers: token ? { authorization: `Bearer ${token}` } : {} }));

  it('tells an admin the chain is intact, with its length and head hash; names a broken record by number', async () => {
    const session = randomUUID();
    for (let seq = 1; seq <= 3; seq++) {
      await store.append([{ id: randomUUID(), type: 'play', actor: 'bob', org: 'acme', video: 'dash', playbackSession: 's', credential: 'playback', playerSession: session, playerSeq: seq, clientTime: seq, position: seq, data: {} }]);
    }
    const records = await all();
    const intact = await verify(await alice());
    assert.equal(intact.status, 200);
    const report = (await intact.json()) as { ok: boolean; count: number; head: string; broken?: unknown; verifiedAt: number };
    assert.deepEqual({ ok: report.ok, count: report.count, head: report.head, broken: report.broken }, { ok: true, count: 3, head: records[2]!.hash, broken: undefined });
    assert.ok(Math.abs(report.verifiedAt - Date.now()) < 60_000);

    const db = new Database(dbPath);
    db.exec('DROP TRIGGER audit_events_no_update');
    db.prepare("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2").run();
    db.close();
    const broken = (await (await verify(await alice())).json()) as { ok: boolean; count: number; head: string; broken: { seq: number; reason: string; id?: string } };
    assert.equal(broken.ok, false);
    assert.equal(broken.count, 1);
    assert.equal(broken.head, records[0]!.hash);
    assert.equal(broken.broken.seq, 2);
    assert.match(broken.broken.reason, /edited/);
    assert.equal(broken.broken.id, undefined, 'no record content of possibly another org');
  });

  it('refuses a non-admin (403) and a request without a token (401)', async () => {
    const refused = await verify(await bob());
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), 'AUDIT_ADMIN_REQUIRED');
    assert.equal((await verify()).status, 401);
  });
});
