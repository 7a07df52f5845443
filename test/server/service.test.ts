/**
 * The token service and the media, key and license routes, through the real handler: every way
 * of presenting a bad playback token is refused with 401/403 and a JSON error body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createAccessTokenVerifier } from '../../src/server/identity/oidc.js';
import { createPlaybackTokenService, PLAYBACK_TOKEN_TYP } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import type { Handler } from '../../src/server/context.js';
import type { VideoRecord } from '../../src/server/storage/videos.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { grant, revoke } from '../support/access.js';

const ORIGIN = 'https://video.test';
const ISSUER = 'https://idp.test';
const API = `${ORIGIN}/api`;
const KID = new Uint8Array(16).fill(1);
const KEY = new Uint8Array(16).fill(2);
const HLS_KEY = new Uint8Array(16).fill(3);

let service: Handler;
let storage: TestStorage;
let idpKey: CryptoKey;
let playbackKey: CryptoKey;
/** The ring's signing key id: forged tokens name it, so only their forgery differs. */
let playbackKid: string;

async function accessToken(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ scope: 'org', ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(API)
    .setSubject(String(claims.sub))
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(idpKey);
}

const alice = () => accessToken({ sub: 'alice', org: 'acme', groups: ['veil-admins'], email: 'alice@acme.test' });

function call(method: string, path: string, init: { token?: string; body?: unknown; origin?: string } = {}) {
  const headers = new Headers();
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.origin) headers.set('origin', init.origin);
  return service(new Request(`${ORIGIN}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }));
}

async function session(videoId: string, token?: string) {
  const response = await call('POST', '/api/playback-sessions', { token: token ?? (await alice()), body: { videoId } });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as { token: string; manifestUrl: string; drm: unknown; watermark: { text: string } };
}

async function errorCode(response: Response): Promise<string> {
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  return ((await response.json()) as { error: { code: string } }).error.code;
}

const licenseBody = { kids: [Buffer.from(KID).toString('base64url')], type: 'temporary' };

before(async () => {
  storage = await openTestStorage();
  const video = (id: string, protocol: 'dash' | 'hls', generalAccess: VideoRecord['generalAccess'], kid: Uint8Array): VideoRecord => ({
    id, title: id[0]!, owner: 'alice', org: 'acme', generalAccess, protocol, status: 'ready',
    manifest: protocol === 'dash' ? 'manifest.mpd' : 'master.m3u8',
    protection: { scheme: protocol === 'dash' ? 'cenc' : 'hls-aes-128', kids: [Buffer.from(kid).toString('hex')] },
  });
  const HLS_KID = new Uint8Array(16).fill(4);
  for (const [record, key] of [
    [video('dash', 'dash', 'org', KID), KEY],
    [video('hls', 'hls', 'org', HLS_KID), HLS_KEY],
    [video('private', 'hls', 'restricted', HLS_KID), HLS_KEY],
  ] as const) {
    await storage.videos.put(record);
    await storage.keys.put(record.id, [{ kid: record.protection.kids[0]!, key }]);
    await storage.media.write(record.id, record.manifest, new TextEncoder().encode(record.protocol === 'dash' ? '<MPD/>' : '#EXTM3U'));
  }
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  ({ kid: playbackKid, privateKey: playbackKey } = await storage.signingKeys.signingKey());
  service = createVeilService({
    publicUrl: ORIGIN,
    verifyAccessToken: createAccessTokenVerifier({
      issuer: ISSUER,
      audience: API,
      jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }),
    }),
    perimeter: { issuer: ISSUER, org: 'acme' },
    videos: storage.videos,
    grants: storage.grants,
    keys: storage.keys,
    media: storage.media,
    playbackTokens: createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 }),
    allowedOrigins: ['https://intranet.test'],
  });
});

after(async () => {
  await storage.close();
});

describe('playback sessions', () => {
  it('grants an acme viewer a bound ES256 token and the session description', async () => {
    const body = await session('dash');
    const [header, payload] = body.token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    assert.equal(header.alg, 'ES256');
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'org', 'sid', 'sub', 'vid']);
    assert.equal(payload.exp - payload.iat, 120);
    assert.equal(payload.vid, 'dash');
    assert.equal(body.manifestUrl, `${ORIGIN}/media/dash/manifest.mpd`);
    assert.deepEqual(body.drm, { keySystems: { 'org.w3.clearkey': { licenseUrl: `${ORIGIN}/api/license/dash` } } });
    assert.equal(body.watermark.text, 'alice@acme.test');
  });

  it('refuses viewers outside the perimeter, without grants, or unsigned', async () => {
    const mallory = await accessToken({ sub: 'mallory', org: 'globex', groups: [] });
    assert.equal(await errorCode(await call('POST', '/api/playback-sessions', { token: mallory, body: { videoId: 'dash' } })), 'PERIMETER_DENIED');
    const bob = await accessToken({ sub: 'bob', org: 'acme', groups: [] });
    const denied = await call('POST', '/api/playback-sessions', { token: bob, body: { videoId: 'private' } });
    assert.equal(denied.status, 403);
    assert.equal(await errorCode(denied), 'PLAYBACK_NOT_GRANTED');
    const unsigned = await call('POST', '/api/playback-sessions', { body: { videoId: 'dash' } });
    assert.equal(unsigned.status, 401);
    assert.equal(await errorCode(unsigned), 'ACCESS_TOKEN_INVALID');
  });

  it('rejects malformed requests with 400 and unknown videos with 404', async () => {
    const token = await alice();
    for (const body of [{}, { videoId: 7 }, { videoId: '../etc' }]) {
      const response = await call('POST', '/api/playback-sessions', { token, body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(await errorCode(response), 'BAD_REQUEST');
    }
    const missing = await call('POST', '/api/playback-sessions', { token, body: { videoId: 'nope' } });
    assert.equal(missing.status, 404);
  });
});

describe('renewal', () => {
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const renew = async (videoId: string, previousToken: string, accessToken?: string) =>
    call('POST', '/api/playback-sessions', { token: accessToken ?? (await alice()), body: { videoId, previousToken } });

  it('keeps the session id and issues a fresh token', async () => {
    const first = await session('dash');
    const response = await renew('dash', first.token);
    assert.equal(response.status, 201);
    const renewed = (await response.json()) as { token: string; sessionId: string };
    assert.equal(claimsOf(renewed.token).sid, claimsOf(first.token).sid);
    assert.equal(renewed.sessionId, claimsOf(first.token).sid);
    assert.notEqual(claimsOf(renewed.token).jti, claimsOf(first.token).jti);
  });

  it("refuses another viewer's token, another video's token, and a token past the grace period", async () => {
    const bob = await accessToken({ sub: 'bob', org: 'acme', groups: [] });
    const aliceToken = (await session('dash')).token;
    const stolen = await renew('dash', aliceToken, bob);
    assert.equal(stolen.status, 401);
    assert.equal(await errorCode(stolen), 'PLAYBACK_TOKEN_INVALID');
    const otherVideo = await renew('hls', aliceToken);
    assert.equal(otherVideo.status, 403);
    assert.equal(await errorCode(otherVideo), 'PLAYBACK_TOKEN_WRONG_VIDEO');
    const now = Math.floor(Date.now() / 1000);
    const ancient = await new SignJWT({ org: 'acme', vid: 'dash', sid: 's', jti: 'j' })
      .setProtectedHeader({ alg: 'ES256', typ: PLAYBACK_TOKEN_TYP, kid: playbackKid })
      .setIssuer(ORIGIN)
      .setAudience(`${ORIGIN}/media`)
      .setSubject('alice')
      .setIssuedAt(now - 1000)
      .setExpirationTime(now - 400)
      .sign(playbackKey);
    const expired = await renew('dash', ancient);
    assert.equal(expired.status, 401);
    assert.equal(await errorCode(expired), 'PLAYBACK_TOKEN_EXPIRED');
  });

  it('re-checks grants: a revoked viewer gets no renewal', async () => {
    const bob = await accessToken({ sub: 'bob', org: 'acme', groups: [] });
    await grant(storage.grants, 'private', 'user:bob');
    try {
      const first = await session('private', bob);
      await revoke(storage.grants, 'private', 'user:bob');
      const response = await renew('private', first.token, bob);
      assert.equal(response.status, 403);
      assert.equal(await errorCode(response), 'PLAYBACK_NOT_GRANTED');
      // From the revocation on, the token still in hand releases no key either.
      const key = await call('GET', '/api/keys/private', { token: first.token });
      assert.equal(key.status, 403);
      assert.equal(await errorCode(key), 'PLAYBACK_NOT_GRANTED');
    } finally {
      await revoke(storage.grants, 'private', 'user:bob');
    }
  });
});

describe('media, key and license routes', () => {
  const routes = [
    ['GET', '/media/dash/manifest.mpd', 'dash'],
    ['GET', '/api/keys/hls', 'hls'],
    ['POST', '/api/license/dash', 'dash'],
  ] as const;
  const bodyFor = (method: string) => (method === 'POST' ? licenseBody : undefined);

  it('serve the holder of the video token', async () => {
    const manifest = await call('GET', '/media/dash/manifest.mpd', { token: (await session('dash')).token });
    assert.equal(manifest.status, 200);
    assert.equal(await manifest.text(), '<MPD/>');
    const key = await call('GET', '/api/keys/hls', { token: (await session('hls')).token });
    assert.deepEqual(new Uint8Array(await key.arrayBuffer()), HLS_KEY);
    const license = await call('POST', '/api/license/dash', { token: (await session('dash')).token, body: licenseBody });
    assert.deepEqual(await license.json(), {
      keys: [{ kty: 'oct', kid: Buffer.from(KID).toString('base64url'), k: Buffer.from(KEY).toString('base64url') }],
      type: 'temporary',
    });
  });

  it('answer 401 without a token', async () => {
    for (const [method, path] of routes) {
      const response = await call(method, path, { body: bodyFor(method) });
      assert.equal(response.status, 401, path);
      assert.equal(await errorCode(response), 'PLAYBACK_TOKEN_MISSING');
    }
  });

  it("answer 403 to another video's token", async () => {
    for (const [method, path, video] of routes) {
      const other = (await session(video === 'dash' ? 'hls' : 'dash')).token;
      const response = await call(method, path, { token: other, body: bodyFor(method) });
      assert.equal(response.status, 403, path);
      assert.equal(await errorCode(response), 'PLAYBACK_TOKEN_WRONG_VIDEO');
    }
  });

  it('answer 401 to expired, alg:none, altered and foreign-key tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { org: 'acme', sid: 's', jti: 'j' };
    const forge = (key: CryptoKey, vid: string, iat: number, exp: number) =>
      new SignJWT({ ...claims, vid })
        .setProtectedHeader({ alg: 'ES256', typ: PLAYBACK_TOKEN_TYP, kid: playbackKid })
        .setIssuer(ORIGIN)
        .setAudience(`${ORIGIN}/media`)
        .setSubject('alice')
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
    const foreign = (await generateKeyPair('ES256')).privateKey;
    for (const [method, path, video] of routes) {
      const genuine = (await session(video)).token;
      const [header, payload, signature] = genuine.split('.');
      const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const altered = `${header}.${Buffer.from(JSON.stringify({ ...decoded, sub: 'mallory' })).toString('base64url')}.${signature}`;
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: PLAYBACK_TOKEN_TYP })).toString('base64url')}.${payload}.`;
      const cases: Array<[string, string, string]> = [
        ['expired', await forge(playbackKey, video, now - 300, now - 60), 'PLAYBACK_TOKEN_EXPIRED'],
        ['alg none', none, 'PLAYBACK_TOKEN_INVALID'],
        ['altered payload', altered, 'PLAYBACK_TOKEN_INVALID'],
        ['foreign key', await forge(foreign, video, now, now + 60), 'PLAYBACK_TOKEN_INVALID'],
      ];
      for (const [name, token, code] of cases) {
        const response = await call(method, path, { token, body: bodyFor(method) });
        assert.equal(response.status, 401, `${name} on ${path}`);
        assert.equal(await errorCode(response), code, `${name} on ${path}`);
      }
    }
  });

  it('never serve key material or paths outside the media directory as media', async () => {
    const token = (await session('dash')).token;
    for (const file of ['keys.json', '..%2Fkeys.json', 'manifest.key', '.hidden.mpd']) {
      const response = await call('GET', `/media/dash/${file}`, { token });
      assert.equal(response.status, 404, file);
    }
  });
});

describe('CORS', () => {
  it('allows listed origins, refuses others, answers preflights', async () => {
    const allowed = await call('POST', '/api/playback-sessions', { token: await alice(), body: { videoId: 'dash' }, origin: 'https://intranet.test' });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://intranet.test');
    const refused = await call('POST', '/api/playback-sessions', { token: await alice(), body: { videoId: 'dash' }, origin: 'https://evil.test' });
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), 'ORIGIN_NOT_ALLOWED');
    const preflight = await call('OPTIONS', '/api/playback-sessions', { origin: 'https://intranet.test' });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
  });
});
