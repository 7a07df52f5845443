/**
 * The JSON request log: one parseable line per request with method, path, status and duration,
 * and no access token, playback token, content key or KEK in any line — also when an error
 * message quotes a token.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createLogger, errorLog, withRequestLog } from '../../src/server/http/request-log.js';
import { createPlaybackTokenService } from '../../src/server/playback-token.js';
import type { Handler } from '../../src/server/context.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { API, ISSUER, ORIGIN, testService } from '../support/service.js';

const KID = '0a'.repeat(16);
const KEY = Uint8Array.from(randomBytes(16));

let storage: TestStorage;
let idpKey: CryptoKey;
let service: Handler;
const lines: string[] = [];

before(async () => {
  storage = await openTestStorage();
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] });
  await storage.videos.put({ id: 'hls', title: 'HLS', owner: 'alice', org: 'acme', generalAccess: 'org', protocol: 'hls', manifest: 'master.m3u8', protection: { scheme: 'hls-aes-128', kids: [KID] }, status: 'ready' });
  await storage.keys.put('hls', [{ kid: KID, key: KEY }]);
  await storage.media.write('hls', 'master.m3u8', new TextEncoder().encode('#EXTM3U\n'));
  const logger = createLogger({ replica: 2 }, { write: (line: string) => void lines.push(line) });
  const inner = testService({
    storage,
    jwks,
    playbackTokens: createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 }),
    log: errorLog(logger),
  });
  service = withRequestLog(inner, logger);
});

after(() => storage.close());

function accessToken(): Promise<string> {
  return new SignJWT({ org: 'acme' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(API).setSubject('bob').setIssuedAt().setExpirationTime('5m').sign(idpKey);
}

describe('JSON request log', () => {
  it('one line per request, and no token or key in any line', async () => {
    const access = await accessToken();
    const created = await service(new Request(`${API}/playback-sessions?token=${access}`, { method: 'POST', headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId: 'hls' }) }));
    assert.equal(created.status, 201);
    const { token } = (await created.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await service(new Request(`${API}/keys/hls`, { headers: auth }))).status, 200);
    assert.equal((await service(new Request(`${ORIGIN}/media/hls/master.m3u8`, { headers: auth }))).status, 200);
    assert.equal((await service(new Request(`${API}/keys/hls`, { headers: { authorization: `Bearer ${token}x` } }))).status, 401);

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = parsed.filter((line) => line.msg === 'request');
    assert.deepEqual(
      requests.map(({ method, path, status }) => ({ method, path, status })),
      [
        { method: 'POST', path: '/api/playback-sessions', status: 201 },
        { method: 'GET', path: '/api/keys/hls', status: 200 },
        { method: 'GET', path: '/media/hls/master.m3u8', status: 200 },
        { method: 'GET', path: '/api/keys/hls', status: 401 },
      ],
    );
    assert.ok(requests.every((line) => line.replica === 2 && typeof line.ms === 'number' && typeof line.time === 'number'));
    const secrets = [access, token, access.split('.')[2]!, token.split('.')[2]!, Buffer.from(KEY).toString('hex'), Buffer.from(KEY).toString('base64url'), Buffer.from(KEY).toString('base64')];
    for (const line of lines) for (const secret of secrets) assert.ok(!line.includes(secret), `a secret in: ${line}`);
  });

  it('an error quoting a token is logged without it', async () => {
    const access = await accessToken();
    const logged: string[] = [];
    const logger = createLogger({}, { write: (line: string) => void logged.push(line) });
    const failing = withRequestLog(async () => {
      throw new Error(`upstream refused ${access}`);
    }, logger);
    await assert.rejects(failing(new Request(`${ORIGIN}/x/${randomUUID()}`)));
    errorLog(logger)(new Error(`again: ${access}`));
    assert.equal(logged.length, 2);
    for (const line of logged) {
      assert.ok(!line.includes(access.split('.')[1]!), line);
      assert.match(line, /\[redacted token\]/);
    }
  });
});
