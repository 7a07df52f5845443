/**
 * Regression tests for issue 10's findings 1–4 (an outside attack run against the service), plus
 * the limits for slow and oversized clients. Each `describe` is named after its finding.
 *
 * The service runs behind the exported Node listener on an ephemeral port, configured with a
 * public origin (`https://video.test`) other than the address it listens on — as behind a proxy.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { MAX_TOKEN_LENGTH } from '../../src/protocol/defaults.js';
import { VeilError } from '../../src/protocol/errors.js';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import type { AuditStore } from '../../src/server/audit/store.js';
import type { Handler } from '../../src/server/context.js';
import { readBodyBytes } from '../../src/server/http/body.js';
import { createVeilNodeServer, NODE_SERVER_LIMITS, toNodeListener } from '../../src/server/http/node.js';
import { createPlaybackTokenService, PLAYBACK_TOKEN_TYP, type PlaybackTokenService } from '../../src/server/playback-token.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { API, ISSUER, ORIGIN, testService } from '../support/service.js';

const EVIL = 'http://evil.example';

let storage: TestStorage;
let store: SqliteAuditStore;
let service: Handler;
let server: Server;
let plainServer: Server;
let idpKey: CryptoKey;
let playbackKey: CryptoKey;
let playbackKid: string;
let tokens: PlaybackTokenService;
const logged: unknown[] = [];

function port(s: Server): number {
  return (s.address() as AddressInfo).port;
}

/** One raw HTTP/1.1 exchange: what a hostile client can send that `fetch` never would. */
function raw(target: Server, text: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve) => {
    const socket = connect(port(target), '127.0.0.1', () => socket.write(text));
    let out = '';
    const done = () => {
      const split = out.indexOf('\r\n\r\n');
      const head = split < 0 ? out : out.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split < 0 ? '' : out.slice(split + 4) });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (out += chunk));
    socket.on('end', done);
    socket.on('error', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, 3000);
  });
}

function request(method: string, target: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The server still answers a normal request. */
async function stillUp(target: Server): Promise<void> {
  const response = await raw(target, request('GET', '/api/keys/hls'));
  assert.equal(response.status, 401, `server stopped answering: ${response.head}`);
}

async function errorCode(response: Response | { body: string }): Promise<string> {
  const text = response instanceof Response ? await response.text() : response.body;
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

async function allRecords(): Promise<number> {
  let count = 0;
  for await (const _ of store.scan()) count += 1;
  return count;
}

async function accessToken(claims: Record<string, unknown>, times: { iat?: number; exp?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'org', ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(API)
    .setSubject(String(claims.sub))
    .setIssuedAt(times.iat ?? now)
    .setExpirationTime(times.exp ?? now + 300)
    .sign(idpKey);
}

async function playbackToken(vid: string, times: { iat: number; exp: number }): Promise<string> {
  return new SignJWT({ org: 'acme', vid, sid: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', typ: PLAYBACK_TOKEN_TYP, kid: playbackKid })
    .setIssuer(ORIGIN)
    .setAudience(`${ORIGIN}/media`)
    .setSubject('alice')
    .setIssuedAt(times.iat)
    .setExpirationTime(times.exp)
    .setJti(randomUUID())
    .sign(playbackKey);
}

function auditEvent(type = 'play') {
  return { id: randomUUID(), type, session: randomUUID(), seq: 1, clientTime: Date.now(), position: 1, data: {} };
}

before(async () => {
  storage = await openTestStorage();
  const hls = { id: 'hls', title: 'h', owner: 'alice', org: 'acme', generalAccess: 'org', protocol: 'hls', status: 'ready', manifest: 'master.m3u8', protection: { scheme: 'hls-aes-128', kids: ['04'.repeat(16)] } } as const;
  await storage.videos.put({ ...hls, protection: { ...hls.protection, kids: [...hls.protection.kids] } });
  await storage.keys.put('hls', [{ kid: '04'.repeat(16), key: new Uint8Array(16) }]);
  await storage.media.write('hls', 'master.m3u8', new TextEncoder().encode('#EXTM3U'));
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  ({ kid: playbackKid, privateKey: playbackKey } = await storage.signingKeys.signingKey());
  tokens = createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 });
  const delegate: AuditStore = {
    append: (records, serverTime) => store.append(records, serverTime),
    query: (query) => store.query(query),
    scan: () => store.scan(),
    close: async () => undefined,
  };
  service = testService({
    storage,
    jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }),
    playbackTokens: tokens,
    // A wide late-delivery window: it must not widen what a future `iat` may be.
    audit: { store: delegate, lateDeliverySeconds: 7 * 24 * 3600 },
    allowedOrigins: ['https://intranet.test'],
    log: (error) => logged.push(error),
  });
  server = createVeilNodeServer(service, { origin: ORIGIN, log: (error) => logged.push(error) });
  // The exported listener in a plain server the host application made (no limits applied).
  plainServer = createServer(toNodeListener(service, { origin: ORIGIN, log: (error) => logged.push(error) }));
  await Promise.all([server, plainServer].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
});

beforeEach(async () => {
  await store?.close();
  store = new SqliteAuditStore(join(storage.dir, `${randomUUID()}.sqlite`));
  logged.length = 0;
});

after(async () => {
  for (const s of [server, plainServer]) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await store?.close();
  await storage.close();
});

describe('finding 1: one unauthenticated request took the whole server down (TRACE, TRACK, malformed requests)', () => {
  const hostile = [
    request('TRACE', '/'),
    request('TRACE', '/api/audit/events'),
    request('TRACK', '/'),
    request('CONNECT', '127.0.0.1:443'),
    request('PROPFIND', '/api/keys/hls'),
    request('BREW', '/'),
    request('GET', '*'),
    request('GET', 'evil.example:80'),
    'GET /api/keys/hls HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET /api/keys/hls\r\n\r\n',
    'GET /api/keys hls HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /api/keys/hls HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n',
    'GET /api/keys/hls HTTP/1.1\r\nHost: x\r\nno-colon\r\n\r\n',
    'GET /api/keys/hls HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n',
    'GET /api/keys/hls HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'GET /api/keys/hls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n',
    `GET /api/keys/hls HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    '\u0000\u0001\u0002 garbage\r\n\r\n',
  ];

  for (const [name, target] of [['the hardened server', () => server], ['the exported Node listener in a plain server', () => plainServer]] as const) {
    it(`answers every method and malformed request with a 4xx and keeps running (${name})`, async () => {
      for (const text of hostile) {
        const response = await raw(target(), text);
        // Without `hardenNodeServer`, Node itself closes a CONNECT without an answer (no listener).
        if (target() === plainServer && text.startsWith('CONNECT') && response.status === 0) {
          await stillUp(target());
          continue;
        }
        assert.ok(response.status >= 400 && response.status < 500, `${JSON.stringify(text.slice(0, 60))} → ${response.status} ${response.head.split('\r\n')[0]}`);
        await stillUp(target());
      }
      assert.deepEqual(logged, [], 'nothing is logged as a server error');
    });
  }

  it('answers a method the route does not take with 405 and Allow', async () => {
    const response = await raw(server, request('TRACE', '/api/audit/events'));
    assert.equal(response.status, 405);
    assert.match(response.head, /\r\nallow: POST, GET, HEAD, OPTIONS/i);
    assert.equal(await errorCode(response), 'METHOD_NOT_ALLOWED');
  });
});

describe('finding 2: the origin allowlist could be bypassed by a protocol-relative or absolute-form target', () => {
  const beacon = async () => JSON.stringify({ credential: (await tokens.sign({ sub: 'bob', org: 'acme', vid: 'hls', sid: randomUUID() })).token, events: [auditEvent()] });

  it('refuses a foreign Origin with 403 ORIGIN_NOT_ALLOWED whatever the target says the origin is', async () => {
    for (const target of ['//evil.example/api/audit/events', `${EVIL}/api/audit/events`, '/api/audit/events']) {
      for (const host of ['127.0.0.1', 'evil.example']) {
        const response = await raw(server, request('GET', target, { Origin: EVIL, Host: host }));
        assert.equal(response.status, 403, `${target} (Host ${host})`);
        assert.equal(await errorCode(response), 'ORIGIN_NOT_ALLOWED');
      }
    }
  });

  it('stores nothing from a text/plain beacon sent through such a target', async () => {
    for (const target of ['//evil.example/api/audit/events', `${EVIL}/api/audit/events`, '/api/audit/events']) {
      const response = await raw(server, request('POST', target, { Origin: EVIL, 'Content-Type': 'text/plain;charset=UTF-8' }, await beacon()));
      assert.equal(response.status, 403, target);
    }
    assert.equal(await allRecords(), 0);
  });

  it('routes by the path only: a protocol-relative target is a path, not another host', async () => {
    const response = await raw(server, request('POST', '//evil.example/api/audit/events', { 'Content-Type': 'text/plain' }, await beacon()));
    assert.equal(response.status, 404);
    assert.equal(await allRecords(), 0);
    // The absolute form's authority is ignored: the path decides, and our origin is the configured one.
    const absolute = await raw(server, request('POST', `${EVIL}/api/audit/events`, { Origin: ORIGIN, 'Content-Type': 'text/plain' }, await beacon()));
    assert.equal(absolute.status, 200, absolute.body);
    assert.equal(await allRecords(), 1);
  });

  it('never trusts the Request URL of the web handler either (other runtimes build it from Host)', async () => {
    const response = await service(new Request(`${EVIL}/api/audit/events`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: await beacon() }));
    assert.equal(response.status, 403);
    assert.equal(await errorCode(response), 'ORIGIN_NOT_ALLOWED');
    assert.equal(await allRecords(), 0);
  });
});

describe('finding 3: malformed percent-encoding answered 500 with a stack trace in the log', () => {
  const cases: Array<[string, string]> = [
    ['GET', '/media/%ZZ/manifest.mpd'],
    ['GET', '/api/keys/%C0'],
    ['POST', '/api/license/%'],
    ['GET', '/media/hls/%E0%A4%A'],
    ['GET', '/api/keys/%'],
  ];

  it('answers 400 with a JSON error body and logs nothing (web handler)', async () => {
    for (const [method, path] of cases) {
      const response = await service(new Request(`${ORIGIN}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined }));
      assert.equal(response.status, 400, path);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(await errorCode(response), 'BAD_REQUEST');
    }
    assert.deepEqual(logged, []);
  });

  it('answers 400 with a JSON error body and logs nothing (Node server)', async () => {
    for (const [method, path] of cases) {
      const response = await raw(server, request(method, path));
      assert.equal(response.status, 400, path);
      assert.equal(await errorCode(response), 'BAD_REQUEST');
    }
    assert.deepEqual(logged, []);
    await stillUp(server);
  });
});

describe('finding 4: a future iat was accepted by both verifiers', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a playback token issued in the future, on media routes and on the audit ingest (with its wide grace)', async () => {
    const future = await playbackToken('hls', { iat: now() + 3600, exp: now() + 3600 + 120 });
    const media = await service(new Request(`${ORIGIN}/api/keys/hls`, { headers: { authorization: `Bearer ${future}` } }));
    assert.equal(media.status, 401);
    assert.equal(await errorCode(media), 'PLAYBACK_TOKEN_INVALID');
    const audit = await service(new Request(`${ORIGIN}/api/audit/events`, { method: 'POST', headers: { authorization: `Bearer ${future}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [auditEvent()] }) }));
    assert.equal(audit.status, 401);
    assert.equal(await allRecords(), 0);
  });

  it('refuses a playback token that claims a longer life than any the service signs, or is older than that', async () => {
    const longLived = await playbackToken('hls', { iat: now() - 10, exp: now() + 3600 });
    const response = await service(new Request(`${ORIGIN}/api/keys/hls`, { headers: { authorization: `Bearer ${longLived}` } }));
    assert.equal(response.status, 401);
    assert.equal(await errorCode(response), 'PLAYBACK_TOKEN_INVALID');
    const genuine = (await tokens.sign({ sub: 'alice', org: 'acme', vid: 'hls', sid: randomUUID() })).token;
    assert.equal((await service(new Request(`${ORIGIN}/api/keys/hls`, { headers: { authorization: `Bearer ${genuine}` } }))).status, 200);
  });

  it('refuses an access token issued in the future or too long ago, for sessions and for the audit ingest', async () => {
    const future = await accessToken({ sub: 'alice', org: 'acme' }, { iat: now() + 3600, exp: now() + 7200 });
    const ancient = await accessToken({ sub: 'alice', org: 'acme' }, { iat: now() - 3 * 24 * 3600, exp: now() + 300 });
    for (const token of [future, ancient]) {
      const session = await service(new Request(`${ORIGIN}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId: 'hls' }) }));
      assert.equal(session.status, 401);
      assert.equal(await errorCode(session), 'ACCESS_TOKEN_INVALID');
      const audit = await service(new Request(`${ORIGIN}/api/audit/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [auditEvent('sign-in')] }) }));
      assert.equal(audit.status, 401);
    }
    assert.equal(await allRecords(), 0);
    const fresh = await accessToken({ sub: 'alice', org: 'acme' });
    const ok = await service(new Request(`${ORIGIN}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${fresh}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId: 'hls' }) }));
    assert.equal(ok.status, 201);
  });
});

describe('slow and oversized clients: timeouts, header cap, token cap', () => {
  it('the Node server has header and body timeouts and a header-size cap', () => {
    assert.equal(server.headersTimeout, NODE_SERVER_LIMITS.headersTimeout);
    assert.equal(server.requestTimeout, NODE_SERVER_LIMITS.requestTimeout);
    assert.ok(NODE_SERVER_LIMITS.headersTimeout <= 15_000 && NODE_SERVER_LIMITS.requestTimeout <= 60_000);
  });

  it('answers 431 to headers over the cap', async () => {
    const response = await raw(server, request('GET', '/api/keys/hls', { 'X-Big': 'a'.repeat(NODE_SERVER_LIMITS.maxHeaderSize) }));
    assert.equal(response.status, 431);
  });

  it('gives up on a body that stops arriving (408)', async () => {
    const stalled = new Request(`${ORIGIN}/x`, { method: 'POST', body: new ReadableStream({ pull: () => new Promise(() => undefined) }), duplex: 'half' } as RequestInit);
    await assert.rejects(readBodyBytes(stalled, 1024, 50), (error: unknown) => error instanceof VeilError && error.code === 'REQUEST_TIMEOUT' && error.status === 408);
  });

  it('refuses an oversized token before parsing it, as a plain 401', async () => {
    const huge = `${'a'.repeat(MAX_TOKEN_LENGTH)}.${'b'.repeat(10)}.c`;
    for (const [method, path, body] of [['GET', '/api/keys/hls', undefined], ['POST', '/api/playback-sessions', '{"videoId":"hls"}']] as const) {
      const response = await service(new Request(`${ORIGIN}${path}`, { method, headers: { authorization: `Bearer ${huge}`, 'content-type': 'application/json' }, body }));
      assert.equal(response.status, 401, path);
    }
    const beacon = await service(new Request(`${ORIGIN}/api/audit/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ credential: huge, events: [auditEvent()] }) }));
    assert.equal(beacon.status, 400);
    assert.deepEqual(logged, []);
  });
});
