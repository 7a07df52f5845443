/**
 * Issue 10, finding 5 ("nothing is rate-limited"): per-client and per-viewer rate limits (429 with
 * `Retry-After` and a JSON body), blocking a client that keeps presenting refused tokens (with a
 * `client-blocked` audit record), and the audit ingest bounds (events per token, late events only
 * from inside the token's validity window). Small limits here; the defaults are in the README.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import type { AuditRecord, AuditStore } from '../../src/server/audit/store.js';
import { createVeilNodeServer } from '../../src/server/http/node.js';
import { DEFAULT_RATE_LIMITS, type PartialRateLimits } from '../../src/server/limits/guard.js';
import { memoryRateLimits } from '../../src/server/limits/rate-limiter.js';
import { createPlaybackTokenService, PLAYBACK_TOKEN_TYP, type PlaybackTokenService } from '../../src/server/playback-token.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { API, ISSUER, ORIGIN, testService } from '../support/service.js';
import { rateLimiterContract } from './contracts/rate-limiter.js';


let storage: TestStorage;
let store: SqliteAuditStore;
let idpKey: CryptoKey;
let playbackKey: CryptoKey;
let playbackKid: string;
let tokens: PlaybackTokenService;
let jwks: ReturnType<typeof createLocalJWKSet>;
const servers: Server[] = [];

const delegate: AuditStore = {
  append: (records, serverTime) => store.append(records, serverTime),
  query: (query) => store.query(query),
  scan: () => store.scan(),
  close: async () => undefined,
};

/** A fresh service (its own counters) behind the Node server; returns its base URL. */
async function start(rateLimits: PartialRateLimits, onClientBlocked?: () => void): Promise<string> {
  const service = testService({
    storage,
    jwks,
    playbackTokens: tokens,
    audit: { store: delegate, lateDeliverySeconds: 3600 },
    rateLimits,
    onClientBlocked,
  });
  const server = createVeilNodeServer(service, { origin: ORIGIN });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function accessToken(sub: string): Promise<string> {
  return new SignJWT({ org: 'acme' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(API).setSubject(sub).setIssuedAt().setExpirationTime('5m').sign(idpKey);
}

async function playbackToken(sub = 'alice'): Promise<string> {
  return (await tokens.sign({ sub, org: 'acme', vid: 'hls', sid: randomUUID() })).token;
}

function session(base: string, token: string): Promise<Response> {
  return fetch(`${base}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId: 'hls' }) });
}

function key(base: string, token: string): Promise<Response> {
  return fetch(`${base}/api/keys/hls`, { headers: { authorization: `Bearer ${token}` } });
}

function events(count: number, clientTime = Date.now()) {
  const session = randomUUID();
  return Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type: 'heartbeat', session, seq: i + 1, clientTime, position: i, data: { watchedSeconds: 30 } }));
}

function ingest(base: string, token: string, batch: unknown[]): Promise<Response> {
  return fetch(`${base}/api/audit/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: batch }) });
}

async function body(response: Response): Promise<{ code: string; retryAfterSeconds?: number }> {
  return ((await response.json()) as { error: { code: string; retryAfterSeconds?: number } }).error;
}

async function records(): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  for await (const record of store.scan()) all.push(record);
  return all;
}

before(async () => {
  storage = await openTestStorage();
  await storage.videos.put({ id: 'hls', title: 'h', owner: 'alice', org: 'acme', generalAccess: 'org', protocol: 'hls', status: 'ready', manifest: 'master.m3u8', protection: { scheme: 'hls-aes-128', kids: ['04'.repeat(16)] } });
  await storage.keys.put('hls', [{ kid: '04'.repeat(16), key: new Uint8Array(16) }]);
  await storage.media.write('hls', 'master.m3u8', new TextEncoder().encode('#EXTM3U'));
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] });
  ({ kid: playbackKid, privateKey: playbackKey } = await storage.signingKeys.signingKey());
  tokens = createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 });
});

beforeEach(async () => {
  await store?.close();
  store = new SqliteAuditStore(join(storage.dir, `${randomUUID()}.sqlite`));
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await store?.close();
  await storage.close();
});

describe('finding 5: rate limits', () => {
  it('per client: over the allowance → 429 RATE_LIMITED with Retry-After and a JSON body', async () => {
    const base = await start({ perClient: { 'token-service': { points: 5, durationSeconds: 60 } } });
    for (let i = 0; i < 5; i++) assert.equal((await session(base, await accessToken(`viewer-${i}`))).status, 201);
    const limited = await session(base, await accessToken('viewer-x'));
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    const error = await body(limited);
    assert.equal(error.code, 'RATE_LIMITED');
    assert.equal(error.retryAfterSeconds, retryAfter);
    // Another group has its own allowance.
    assert.equal((await key(base, await playbackToken())).status, 200);
  });

  it('per viewer: one viewer over the allowance is limited, another is not', async () => {
    const base = await start({ perViewer: { media: { points: 3, durationSeconds: 60 } } });
    const alice = await playbackToken('alice');
    for (let i = 0; i < 3; i++) assert.equal((await key(base, alice)).status, 200);
    const limited = await key(base, await playbackToken('alice'));
    assert.equal(limited.status, 429);
    assert.equal((await body(limited)).code, 'RATE_LIMITED');
    assert.equal((await key(base, await playbackToken('bob'))).status, 200);
  });

  it('the defaults are generous for real players', () => {
    // A 2 s-segment stream in two renditions: ~60 media requests a minute per viewer; renewals at
    // 70 % of a 5 s test token: ~17 a minute; audit: at most 6 requests a minute in steady playback.
    assert.ok(DEFAULT_RATE_LIMITS.perViewer.media.points >= 20 * 60);
    assert.ok(DEFAULT_RATE_LIMITS.perViewer['token-service'].points >= 5 * 17);
    assert.ok(DEFAULT_RATE_LIMITS.perViewer.audit.points >= 10 * 6);
    for (const group of ['token-service', 'media', 'audit', 'admin'] as const) {
      assert.ok(DEFAULT_RATE_LIMITS.perClient[group].points >= 5 * DEFAULT_RATE_LIMITS.perViewer[group].points, group);
    }
  });
});

describe('finding 5: a client presenting refused tokens repeatedly is blocked', () => {
  it('blocks it for a while (429 CLIENT_BLOCKED, even with a good token) and writes one client-blocked audit event', async () => {
    let reported = 0;
    const base = await start({ refusals: { points: 5, durationSeconds: 60, blockSeconds: 120 } }, () => (reported += 1));
    const forged = (await playbackToken()).replace(/\.[^.]+$/, '.AAAA');
    for (let i = 0; i < 6; i++) assert.equal((await key(base, forged)).status, 401, `refusal ${i + 1}`);
    const blocked = await key(base, await playbackToken());
    assert.equal(blocked.status, 429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter > 60 && retryAfter <= 120, String(retryAfter));
    assert.equal((await body(blocked)).code, 'CLIENT_BLOCKED');
    assert.equal((await session(base, await accessToken('alice'))).status, 429, 'every route');
    for (let i = 0; i < 3; i++) await key(base, forged);
    const written = await records();
    assert.equal(written.length, 1, 'one record per block');
    assert.equal(written[0]!.type, 'client-blocked');
    assert.equal(written[0]!.credential, 'server');
    assert.match(written[0]!.actor, /^client:(::ffff:)?127\.0\.0\.1$/);
    assert.deepEqual({ ...written[0]!.data, address: undefined }, { address: undefined, refusals: 6, blockedSeconds: 120, code: 'PLAYBACK_TOKEN_INVALID' });
    assert.equal(reported, 1);
  });

  it('refuses a client batch that claims to be the server', async () => {
    const base = await start({});
    const response = await ingest(base, await playbackToken(), [{ ...events(1)[0]!, type: 'client-blocked', data: {} }]);
    assert.equal(response.status, 400);
    assert.equal((await body(response)).code, 'AUDIT_BATCH_INVALID');
    assert.deepEqual(await records(), []);
  });
});

describe('finding 5: audit ingest bounds', () => {
  it('accepts at most a real player\'s events per token: the rest refused whole (403 AUDIT_BUDGET_EXCEEDED), nothing stored', async () => {
    // A 120 s token: ceil(120 / 30) heartbeats + a burst of 10 = 14 events.
    const base = await start({ audit: { burstEvents: 10 } });
    const token = await playbackToken();
    const first = events(5);
    assert.equal((await ingest(base, token, first)).status, 200);
    // A retried batch (duplicates) costs nothing.
    assert.deepEqual(await (await ingest(base, token, first)).json(), { stored: 0, duplicates: 5 });
    assert.equal((await ingest(base, token, events(5))).status, 200);
    const over = await ingest(base, token, events(5));
    assert.equal(over.status, 403);
    assert.equal((await body(over)).code, 'AUDIT_BUDGET_EXCEEDED');
    assert.equal((await records()).length, 10);
    assert.equal((await ingest(base, token, events(4))).status, 200, 'what still fits is accepted');
    assert.equal((await ingest(base, token, events(1))).status, 403);
    assert.equal((await records()).length, 14);
    // Another token of the same viewer has its own budget.
    assert.equal((await ingest(base, await playbackToken(), events(3))).status, 200);
  });

  it('accepts late events only from inside the token\'s validity window plus skew (400 AUDIT_EVENT_TOO_LATE)', async () => {
    const base = await start({});
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ org: 'acme', vid: 'hls', sid: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: PLAYBACK_TOKEN_TYP, kid: playbackKid })
      .setIssuer(ORIGIN)
      .setAudience(`${ORIGIN}/media`)
      .setSubject('alice')
      .setIssuedAt(now - 720)
      .setExpirationTime(now - 600)
      .setJti(randomUUID())
      .sign(playbackKey);
    const during = (now - 650) * 1000;
    assert.equal((await ingest(base, expired, events(2, during))).status, 200, 'recorded while valid, delivered late');
    for (const clientTime of [Date.now(), (now - 720 - 400) * 1000]) {
      const response = await ingest(base, expired, [...events(1, during), ...events(1, clientTime)]);
      assert.equal(response.status, 400, String(clientTime));
      assert.equal((await body(response)).code, 'AUDIT_EVENT_TOO_LATE');
    }
    assert.equal((await records()).length, 2);
  });
});

rateLimiterContract('memory', async () => memoryRateLimits);
