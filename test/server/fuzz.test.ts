/**
 * Fuzzing every route (fast-check, bounded in runs and time): random methods, targets
 * (protocol-relative, absolute-form, overlong, malformed percent-encoding), headers and bodies,
 * some with genuine tokens. The server stays up and never answers 5xx, and a refused request
 * changes neither the audit trail (beyond the server's own `client-blocked` records) nor the
 * video registry.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { API_ROUTES } from '../../src/protocol/paths.js';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import type { AuditRecord } from '../../src/server/audit/store.js';
import type { Handler } from '../../src/server/context.js';
import { createVeilNodeServer } from '../../src/server/http/node.js';
import { createPlaybackTokenService, type PlaybackTokenService } from '../../src/server/playback-token.js';
import type { VideoRecord } from '../../src/server/storage/videos.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { API, ISSUER, ORIGIN, testService } from '../support/service.js';

/** Bounds: runs per property and wall time per property. */
const RUNS = Number(process.env.VEIL_FUZZ_RUNS || 1000);
const TIME_LIMIT_MS = 45_000;

let storage: TestStorage;
let store: SqliteAuditStore;
let service: Handler;
let server: Server;
let tokens: PlaybackTokenService;
let idpKey: CryptoKey;
const genuine: string[] = [];
const logged: unknown[] = [];

const VIDEO_IDS = ['dash', 'hls'];

const KIDS = { dash: '01'.repeat(16), hls: '03'.repeat(16) };

function videoRecords(): VideoRecord[] {
  return [
    { id: 'dash', title: 'd', owner: 'alice', org: 'acme', generalAccess: 'org', protocol: 'dash', status: 'ready', manifest: 'manifest.mpd', protection: { scheme: 'cenc', kids: [KIDS.dash] } },
    { id: 'hls', title: 'h', owner: 'alice', org: 'acme', generalAccess: 'org', protocol: 'hls', status: 'ready', manifest: 'master.m3u8', protection: { scheme: 'hls-aes-128', kids: [KIDS.hls] } },
  ];
}

async function snapshot(): Promise<{ client: string[]; server: AuditRecord[]; videos: string }> {
  const client: string[] = [];
  const server: AuditRecord[] = [];
  for await (const record of store.scan()) {
    if (record.credential === 'server') server.push(record);
    else client.push(record.id);
  }
  const all = await Promise.all(VIDEO_IDS.map(async (id) => ({ video: await storage.videos.get(id), keys: await storage.keys.get(id), media: await storage.media.list(id) })));
  return { client, server, videos: JSON.stringify(all, (_key, value) => (value instanceof Uint8Array ? [...value] : value)) };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('dash', 'hls', 'manifest.mpd', 'master.m3u8') },
  fc.constantFrom('dash', 'hls', 'nope', 'manifest.mpd', 'master.m3u8', 'keys.json', '..', '.', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%ZZ', '%C0', '%', '%E0%A4%A', '%00', 'a%2Fb', '~', ''),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%!$&\'()*+,;=:@'.split('')), maxLength: 24 }),
);
const routePath: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom<string>(...Object.values(API_ROUTES)) },
  fc.constantFrom('/', '/api/', '/media/', '/api/keys', '/watch', '/idp/.well-known/openid-configuration'),
);
const path = fc.tuple(routePath, fc.array(segment, { maxLength: 3 }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined })).map(([route, segments, query]) => {
  let i = 0;
  const filled = route.replace(/:[a-zA-Z]+/g, () => segments[i++] ?? 'dash');
  return query === undefined ? filled : `${filled}?${encodeURI(query)}`;
});
const target = fc.oneof(
  { weight: 5, arbitrary: path },
  { weight: 2, arbitrary: path.map((p) => `//evil.example${p}`) },
  { weight: 2, arbitrary: path.map((p) => `http://evil.example${p}`) },
  { weight: 1, arbitrary: fc.integer({ min: 2049, max: 12_000 }).map((n) => `/api/keys/${'a'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'evil.example:443', '/api/audit/events#frag', '/media/dash/manifest.mpd?%ZZ=%C0') },
);
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
  { weight: 2, arbitrary: fc.constantFrom('TRACE', 'TRACK', 'CONNECT', 'PROPFIND', 'get', 'BREW', 'M-SEARCH') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
);
const jwtish = fc.tuple(fc.json(), fc.json(), fc.string({ maxLength: 40 })).map(([h, p, s]) => `${Buffer.from(h).toString('base64url')}.${Buffer.from(p).toString('base64url')}.${Buffer.from(s).toString('base64url')}`);
const token = fc.oneof(
  fc.constant(undefined),
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 3).map((i) => genuine[i]) },
  jwtish,
  fc.string({ maxLength: 60 }),
  fc.constant('x'.repeat(10_000)),
);
const eventLike = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
    type: fc.constantFrom('play', 'pause', 'seek', 'heartbeat', 'sign-in', 'client-blocked', 'teleport'),
    session: fc.oneof(fc.uuid(), fc.constant('x')),
    seq: fc.oneof(fc.integer({ min: -1, max: 10 }), fc.double()),
    clientTime: fc.oneof(fc.constant(Date.now()), fc.integer(), fc.double()),
    position: fc.oneof(fc.constant(null), fc.double()),
    data: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom('from', 'to', 'watchedSeconds', 'x'), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean()))),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc.record({ videoId: fc.oneof(fc.constantFrom(...VIDEO_IDS), fc.string({ maxLength: 10 })), previousToken: token }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  fc.record({ kids: fc.array(fc.oneof(fc.constant('AQEBAQEBAQEBAQEBAQEBAQ'), fc.string({ maxLength: 30 })), { maxLength: 3 }), type: fc.string({ maxLength: 10 }) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  fc.record({ events: fc.array(eventLike, { maxLength: 4 }), credential: token }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
);
const headers = fc.record(
  {
    origin: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(ORIGIN, 'https://intranet.test') }, fc.constantFrom('http://evil.example', 'null', '')),
    authorization: token.map((t) => (t === undefined ? undefined : `Bearer ${t}`)),
    'content-type': fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'),
    'access-control-request-method': fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'),
    host: fc.constantFrom('evil.example', '127.0.0.1', 'video.test'),
    'x-forwarded-host': fc.constant('evil.example'),
    cookie: fc.string({ maxLength: 30 }),
  },
  { requiredKeys: [] },
);
const requestArb = fc.record({ method, target, headers, body });
type Fuzzed = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Transports

function asWebRequest(input: Fuzzed): Request | undefined {
  try {
    const url = /^https?:\/\//.test(input.target) ? input.target : new URL(input.target.startsWith('/') ? `${ORIGIN}${input.target}` : `${ORIGIN}/${input.target}`).href;
    const init: RequestInit = { method: input.method, headers: Object.fromEntries(Object.entries(input.headers).filter(([name, value]) => value !== undefined && name !== 'host') as [string, string][]) };
    if (!['GET', 'HEAD'].includes(input.method.toUpperCase()) && input.body !== '') init.body = input.body;
    return new Request(url, init);
  } catch {
    return undefined; // fetch cannot even represent it (TRACE, a bad method name): the Node run covers it
  }
}

function rawExchange(input: Fuzzed): Promise<number> {
  const port = (server.address() as AddressInfo).port;
  const lines = [`${input.method} ${input.target} HTTP/1.1`, `Host: ${input.headers.host ?? '127.0.0.1'}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(input.body)}`];
  for (const [name, value] of Object.entries(input.headers)) if (value !== undefined && name !== 'host') lines.push(`${name}: ${value.replace(/[\r\n]/g, '')}`);
  const text = `${lines.join('\r\n')}\r\n\r\n${input.body}`;
  return new Promise((resolve) => {
    // write, not end: a client that half-closes gets no answer from Node for a pending response.
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (out += chunk));
    const done = () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0));
    socket.on('close', done);
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 10_000);
  });
}

async function checkOne(status: number, before: Awaited<ReturnType<typeof snapshot>>, label: string): Promise<Awaited<ReturnType<typeof snapshot>>> {
  assert.ok(status < 500, `${label} → ${status}`);
  const now = await snapshot();
  assert.equal(now.videos, before.videos, `${label} changed the video registry`);
  if (status >= 400 || status === 0) assert.deepEqual(now.client, before.client, `${label} → ${status} changed the audit trail`);
  // The server's own records: blocked clients, and each refused playback-session request of a genuine viewer.
  for (const record of now.server) {
    assert.ok(record.type === 'client-blocked' || (record.type === 'playback-session-denied' && ['alice', 'bob'].includes(record.actor)), `${label} wrote a server record ${record.type} for ${record.actor}`);
  }
  return now;
}

before(async () => {
  storage = await openTestStorage();
  for (const video of videoRecords()) {
    await storage.videos.put(video);
    await storage.keys.put(video.id, [{ kid: video.protection.kids[0]!, key: new Uint8Array(16).fill(video.id === 'dash' ? 2 : 3) }]);
    await storage.media.write(video.id, video.manifest, new TextEncoder().encode(video.protocol === 'dash' ? '<MPD/>' : '#EXTM3U'));
  }
  store = new SqliteAuditStore(join(storage.dir, 'audit.sqlite'));
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  tokens = createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 120 });
  service = testService({
    storage,
    jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }),
    playbackTokens: tokens,
    audit: { store, lateDeliverySeconds: 3600 },
    allowedOrigins: ['https://intranet.test'],
    log: (error) => logged.push(error),
  });
  server = createVeilNodeServer(service, { origin: ORIGIN, log: (error) => logged.push(error) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const access = (sub: string) =>
    new SignJWT({ org: 'acme', groups: ['veil-admins'] }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(API).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(idpKey);
  genuine.push(
    (await tokens.sign({ sub: 'alice', org: 'acme', vid: 'dash', sid: randomUUID() })).token,
    (await tokens.sign({ sub: 'alice', org: 'acme', vid: 'hls', sid: randomUUID() })).token,
    await access('alice'),
    await access('bob'),
  );
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  await storage.close();
});

describe('fuzzing every route', () => {
  it('the web handler never answers 5xx and refused requests change nothing', async () => {
    let state = await snapshot();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (input) => {
        const request = asWebRequest(input);
        if (!request) return;
        const response = await service(request);
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        state = await checkOne(response.status, state, `${input.method} ${input.target.slice(0, 80)}`);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    console.log(`web handler: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.deepEqual(logged, [], 'no server error was logged');
    assert.ok(statuses.size >= 5, 'the fuzzer reached several kinds of answer');
  });

  it('the Node server stays up, answers every raw request below 500, and refused requests change nothing', async () => {
    let state = await snapshot();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (input) => {
        const status = await rawExchange(input);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        state = await checkOne(status, state, `raw ${input.method} ${input.target.slice(0, 80)}`);
      }),
      { numRuns: Math.ceil(RUNS / 3), interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    console.log(`node server: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.equal(statuses.get(0), undefined, 'every request got an answer');
    assert.deepEqual(logged, [], 'no server error was logged');
    const alive = await rawExchange({ method: 'GET', target: '/api/keys/hls', headers: {}, body: '' });
    assert.ok(alive === 401 || alive === 429, `still answering (${alive})`);
  });
});
