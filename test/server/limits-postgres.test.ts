/**
 * Rate limits and blocking across replicas: two services sharing one PostgreSQL database for their
 * counters (`postgresRateLimits`) — a limit is one limit, a client blocked through one replica is
 * refused by the other, and the block is lifted after its period on both.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createVeilNodeServer } from '../../src/server/http/node.js';
import type { PartialRateLimits } from '../../src/server/limits/guard.js';
import { postgresRateLimits, type RateLimitBackend } from '../../src/server/limits/rate-limiter.js';
import { createPlaybackTokenService, type PlaybackTokenService } from '../../src/server/playback-token.js';
import { createPostgresPool } from '../../src/server/storage/postgres.js';
import { closeBeforeStop, freshPostgresDatabase } from '../support/postgres.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { API, ISSUER, ORIGIN, testService } from '../support/service.js';
import { rateLimiterContract } from './contracts/rate-limiter.js';


let storage: TestStorage;
let idpKey: CryptoKey;
let jwks: ReturnType<typeof createLocalJWKSet>;
let tokens: PlaybackTokenService;
const servers: Server[] = [];

async function backend(url?: string): Promise<RateLimitBackend> {
  const pool = createPostgresPool(url ?? (await freshPostgresDatabase()), 4);
  closeBeforeStop(() => pool.end());
  return postgresRateLimits(pool);
}

rateLimiterContract('postgres', () => backend());

/** Two replicas: each its own service (own guard, own limiter objects), counters in one database. */
async function replicas(rateLimits: PartialRateLimits): Promise<[string, string]> {
  const url = await freshPostgresDatabase();
  const start = async () => {
    const service = testService({
      storage,
      jwks,
      playbackTokens: tokens,
      rateLimits,
      rateLimitBackend: await backend(url),
    });
    const server = createVeilNodeServer(service, { origin: ORIGIN });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  return [await start(), await start()];
}

function accessToken(sub: string): Promise<string> {
  return new SignJWT({ org: 'acme' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(API).setSubject(sub).setIssuedAt().setExpirationTime('5m').sign(idpKey);
}

function session(base: string, token: string): Promise<Response> {
  return fetch(`${base}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId: 'hls' }) });
}

async function code(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

before(async () => {
  storage = await openTestStorage();
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] });
  tokens = createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 });
  await storage.videos.put({ id: 'hls', title: 'HLS', owner: 'alice', org: 'acme', generalAccess: 'org', protocol: 'hls', manifest: 'master.m3u8', protection: { scheme: 'hls-aes-128', kids: ['00112233445566778899aabbccddeeff'] }, status: 'ready' });
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await storage.close();
});

describe('rate limits across replicas (PostgreSQL)', () => {
  it('a per-client allowance is one allowance, whichever replica serves the request', async () => {
    const [a, b] = await replicas({ perClient: { 'token-service': { points: 4, durationSeconds: 60 } } });
    for (const base of [a, b, a, b]) assert.equal((await session(base, await accessToken(`viewer-${randomUUID()}`))).status, 201);
    for (const base of [a, b]) {
      const limited = await session(base, await accessToken('late'));
      assert.equal(limited.status, 429);
      assert.equal(await code(limited), 'RATE_LIMITED');
    }
  });

  it('a client blocked through one replica is blocked through the other, until the block ends', async () => {
    const [a, b] = await replicas({ refusals: { points: 3, durationSeconds: 60, blockSeconds: 2 } });
    const forged = (await accessToken('alice')).replace(/\.[^.]+$/, '.AAAA');
    for (let i = 0; i < 4; i++) assert.equal((await session(a, forged)).status, 401, `refusal ${i + 1}`);
    const blocked = await session(b, await accessToken('alice'));
    assert.equal(blocked.status, 429);
    assert.equal(await code(blocked), 'CLIENT_BLOCKED');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, String(retryAfter));
    await new Promise((resolve) => setTimeout(resolve, 2200));
    assert.equal((await session(b, await accessToken('alice'))).status, 201, 'lifted on B');
    assert.equal((await session(a, await accessToken('alice'))).status, 201, 'lifted on A');
  });
});
