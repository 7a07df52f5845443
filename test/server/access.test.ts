/**
 * The sharing API and its effect on playback, through the real handler on real storage: who
 * may read and change a video's access (and what everyone else learns: nothing), atomic batches
 * with ETags, the directory search's limits, the org boundary, and the audit records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import { createAccessTokenVerifier } from '../../src/server/identity/index.js';
import { StaticDirectory } from '../../src/server/access/directory.js';
import { DAY_MS, DEFAULT_SHARING_POLICY, type SharingPolicy } from '../../src/server/access/model.js';
import { verifyChain, type AuditRecord } from '../../src/server/audit/store.js';
import { createPlaybackTokenService } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import type { Handler } from '../../src/server/http.js';
import type { AccessDocument, DirectorySearchResult, SharingPolicyDocument } from '../../src/protocol/sharing.js';
import { sweepExpiredGrants } from '../../src/server/access/expiry-sweep.js';
import { serverAuditLog } from '../../src/server/audit/server-events.js';
import { grant, setGeneralAccess } from '../support/access.js';
import { sampleVideo } from './contracts/video-repository.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';

const ORIGIN = 'https://video.test';
const ISSUER = 'https://idp.test';
const USERS = [
  { sub: 'alice@acme.test', email: 'alice@acme.test', name: 'Alice Example', org: 'acme', groups: ['acme-staff'] },
  { sub: 'bob@acme.test', email: 'bob@acme.test', name: 'Bob Example', org: 'acme', groups: ['acme-staff'] },
  { sub: 'carol@acme.test', email: 'carol@acme.test', name: 'Carol Example', org: 'acme', groups: [] },
  ...Array.from({ length: 12 }, (_, i) => ({ sub: `user${i}@acme.test`, email: `user${i}@acme.test`, name: `Acme User ${i}`, org: 'acme', groups: [] })),
  { sub: 'mallory@globex.test', email: 'mallory@globex.test', name: 'Mallory Example', org: 'globex', groups: ['globex-staff'] },
];
const GROUPS = [
  { id: 'acme-staff', name: 'Acme staff', org: 'acme' },
  { id: 'globex-staff', name: 'Globex staff', org: 'globex' },
];

let storage: TestStorage;
let baseOptions: Parameters<typeof createVeilService>[0];
let audit: SqliteAuditStore;
let idpKey: CryptoKey;
let service: Handler;
let strictService: Handler;
const strictPolicy: SharingPolicy = { ...DEFAULT_SHARING_POLICY, orgAccessAllowed: false, maxExpiryDays: 30, defaultExpiryDays: 7 };

async function tokenOf(sub: string, groups: string[] = []): Promise<string> {
  const user = USERS.find((u) => u.sub === sub)!;
  // Token groups empty unless a test needs one (the admin group): group membership must come from the directory too.
  return new SignJWT({ org: user.org, groups, email: user.email })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(`${ORIGIN}/api`)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(idpKey);
}

async function call(method: string, path: string, as: string, init: { body?: unknown; ifMatch?: string; handler?: Handler; groups?: string[] } = {}): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${await tokenOf(as, init.groups)}` });
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.ifMatch) headers.set('if-match', init.ifMatch);
  return (init.handler ?? service)(new Request(`${ORIGIN}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }));
}

const accessPath = (videoId: string) => `/api/videos/${videoId}/access`;
const getAccess = (videoId: string, as = 'alice@acme.test', handler?: Handler) => call('GET', accessPath(videoId), as, { handler });
const save = (videoId: string, changes: unknown[], ifMatch: string | undefined, as = 'alice@acme.test', handler?: Handler) =>
  call('POST', accessPath(videoId), as, { body: { changes }, ifMatch, handler });
const search = (query: string, as = 'alice@acme.test', videoId = 'shared', handler?: Handler) => call('POST', '/api/directory/search', as, { body: { videoId, query }, handler });
const play = (videoId: string, as: string) => call('POST', '/api/playback-sessions', as, { body: { videoId } });

async function etagOf(videoId: string, handler?: Handler): Promise<string> {
  const response = await getAccess(videoId, 'alice@acme.test', handler);
  assert.equal(response.status, 200);
  return response.headers.get('etag')!;
}

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
}

async function records(): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  for await (const record of audit.scan()) all.push(record);
  return all;
}

before(async () => {
  storage = await openTestStorage();
  audit = new SqliteAuditStore(':memory:');
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  for (const id of ['shared', 'other', 'strict', 'concurrent', 'expiring', 'group', 'requests', 'sweep']) await storage.videos.put(sampleVideo(id, { owner: 'alice@acme.test', generalAccess: 'restricted' }));
  const options = {
    publicUrl: ORIGIN,
    verifyAccessToken: createAccessTokenVerifier({ issuer: ISSUER, audience: `${ORIGIN}/api`, jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }) }),
    perimeter: { issuer: ISSUER, org: 'acme' },
    videos: storage.videos,
    grants: storage.grants,
    directory: new StaticDirectory(USERS, GROUPS),
    keys: storage.keys,
    media: storage.media,
    playbackTokens: createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 60 }),
    audit: { store: audit },
  };
  baseOptions = options;
  service = createVeilService(options);
  strictService = createVeilService({ ...options, sharingPolicy: (org) => (org === 'acme' ? strictPolicy : DEFAULT_SHARING_POLICY) });
});

after(async () => {
  await audit.close();
  await storage.close();
});

describe('the access document', () => {
  it('the owner reads it with an ETag: owner, general access, grants, capabilities, limits', async () => {
    const response = await getAccess('shared');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('etag') ?? '', /^"access-\d+"$/);
    const document = (await response.json()) as AccessDocument;
    assert.deepEqual(document, {
      videoId: 'shared',
      title: 'Video shared',
      owner: { principal: 'user:alice@acme.test', displayName: 'Alice Example', kind: 'user', email: 'alice@acme.test' },
      generalAccess: 'restricted',
      grants: [],
      requests: [],
      capabilities: { share: true, setGeneralAccess: true },
      limits: { orgAccessAllowed: true, defaultExpiryDays: null, maxExpiryDays: null },
    });
  });

  it('a viewer without share rights, a member without access and an unknown video all get the same 404', async () => {
    const etag = await etagOf('other');
    assert.equal((await save('other', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'viewer' }], etag)).status, 200);
    const bodies = [];
    for (const [videoId, as] of [['other', 'bob@acme.test'], ['other', 'carol@acme.test'], ['nope', 'alice@acme.test']] as const) {
      const response = await getAccess(videoId, as);
      assert.equal(response.status, 404, `${as} on ${videoId}`);
      bodies.push(((await response.json()) as { error: { code: string; message: string } }).error);
    }
    assert.deepEqual(bodies[0], bodies[1]);
    assert.deepEqual(bodies[1], bodies[2]);
    assert.equal(bodies[0]!.code, 'VIDEO_NOT_FOUND');
  });
});

describe('saving a batch', () => {
  it('grants bob, who plays at once; a revocation stops his next session and renewal', async () => {
    assert.deepEqual(await errorOf(await play('shared', 'bob@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
    const expiresAt = Date.now() + 30 * DAY_MS;
    const saved = await save('shared', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'viewer', expiresAt }], await etagOf('shared'));
    assert.equal(saved.status, 200);
    const document = (await saved.json()) as AccessDocument;
    assert.deepEqual(document.grants, [{ principal: 'user:bob@acme.test', displayName: 'Bob Example', kind: 'user', email: 'bob@acme.test', role: 'viewer', expiresAt }]);
    assert.equal(saved.headers.get('etag'), await etagOf('shared'));
    const session = await play('shared', 'bob@acme.test');
    assert.equal(session.status, 201);
    const { token } = (await session.json()) as { token: string };

    assert.equal((await save('shared', [{ op: 'revoke', principal: 'user:bob@acme.test' }], await etagOf('shared'))).status, 200);
    assert.deepEqual(await errorOf(await play('shared', 'bob@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
    const renewal = await call('POST', '/api/playback-sessions', 'bob@acme.test', { body: { videoId: 'shared', previousToken: token } });
    assert.deepEqual(await errorOf(renewal), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
    const license = await service(new Request(`${ORIGIN}/api/license/shared`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ kids: ['AAAAAAAAAAAAAAAAAAAAAA'] }) }));
    assert.deepEqual(await errorOf(license), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('a group grant admits its members (groups from the directory) and nobody else', async () => {
    assert.equal((await save('group', [{ op: 'grant', principal: 'group:acme-staff', role: 'viewer' }], await etagOf('group'))).status, 200);
    assert.equal((await play('group', 'bob@acme.test')).status, 201);
    assert.equal((await play('group', 'alice@acme.test')).status, 201);
    assert.deepEqual(await errorOf(await play('group', 'carol@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('a grant stops giving access at its expiry', async () => {
    assert.equal((await save('expiring', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer', expiresAt: Date.now() + 400 }], await etagOf('expiring'))).status, 200);
    assert.equal((await play('expiring', 'carol@acme.test')).status, 201);
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.deepEqual(await errorOf(await play('expiring', 'carol@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('general access org opens the video to the org; restricted closes it again', async () => {
    assert.equal((await save('other', [{ op: 'general-access', value: 'org' }], await etagOf('other'))).status, 200);
    assert.equal((await play('other', 'carol@acme.test')).status, 201);
    assert.equal((await save('other', [{ op: 'general-access', value: 'restricted' }], await etagOf('other'))).status, 200);
    assert.deepEqual(await errorOf(await play('other', 'carol@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('nobody outside the org can be granted: SHARE_OUTSIDE_ORG, nothing written', async () => {
    const etag = await etagOf('shared');
    for (const principal of ['user:mallory@globex.test', 'group:globex-staff', 'user:nobody@acme.test']) {
      const response = await save('shared', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer' }, { op: 'grant', principal, role: 'viewer' }], etag);
      assert.deepEqual(await errorOf(response), { status: 422, code: 'SHARE_OUTSIDE_ORG' }, principal);
    }
    assert.equal(await etagOf('shared'), etag, 'nothing was written');
  });

  it('malformed batches are 400 and write nothing: public principals do not exist', async () => {
    const etag = await etagOf('shared');
    const bad: unknown[][] = [
      [{ op: 'grant', principal: 'anyone', role: 'viewer' }],
      [{ op: 'grant', principal: 'anyone:with-the-link', role: 'viewer' }],
      [{ op: 'grant', principal: 'lti-context:c101', role: 'viewer' }],
      [{ op: 'grant', principal: 'user:carol@acme.test', role: 'owner' }],
      [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer', password: 'x' }],
      [{ op: 'general-access', value: 'public' }],
      [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer', expiresAt: Date.now() - 1000 }],
      [{ op: 'grant', principal: 'user:alice@acme.test', role: 'viewer' }],
      [{ op: 'link', principal: 'user:carol@acme.test' }],
      [],
      Array.from({ length: 51 }, () => ({ op: 'revoke', principal: 'user:carol@acme.test' })),
    ];
    for (const changes of bad) assert.deepEqual(await errorOf(await save('shared', changes, etag)), { status: 400, code: 'BAD_REQUEST' }, JSON.stringify(changes).slice(0, 80));
    assert.equal(await etagOf('shared'), etag);
  });

  it('without If-Match: 428; concurrent saves on one ETag: one 200, one 412, nothing lost', async () => {
    assert.deepEqual(await errorOf(await save('concurrent', [{ op: 'general-access', value: 'org' }], undefined)), { status: 428, code: 'SHARE_PRECONDITION_REQUIRED' });
    const etag = await etagOf('concurrent');
    const results = await Promise.all([
      save('concurrent', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'viewer' }], etag),
      save('concurrent', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'editor' }], etag),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 412]);
    const loser = results.find((r) => r.status === 412)!;
    assert.equal((await errorOf(loser)).code, 'SHARE_CONFLICT');
    const winner = (await results.find((r) => r.status === 200)!.json()) as AccessDocument;
    assert.equal(winner.grants.length, 1);
    // The loser reloads and saves again over the winner's change: both survive.
    const lost = winner.grants[0]!.principal === 'user:bob@acme.test' ? { principal: 'user:carol@acme.test', role: 'editor' } : { principal: 'user:bob@acme.test', role: 'viewer' };
    assert.equal((await save('concurrent', [{ op: 'grant', ...lost }], await etagOf('concurrent'))).status, 200);
    assert.deepEqual(((await (await getAccess('concurrent')).json()) as AccessDocument).grants.map((g) => g.principal), ['user:bob@acme.test', 'user:carol@acme.test']);
  });

  it('bob (viewer) cannot change grants or search: SHARE_NOT_ALLOWED; an editor can', async () => {
    assert.equal((await save('shared', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'viewer' }], await etagOf('shared'))).status, 200);
    const etag = await etagOf('shared');
    assert.deepEqual(await errorOf(await save('shared', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer' }], etag, 'bob@acme.test')), { status: 403, code: 'SHARE_NOT_ALLOWED' });
    assert.deepEqual(await errorOf(await search('ca', 'bob@acme.test')), { status: 403, code: 'SHARE_NOT_ALLOWED' });
    assert.deepEqual(await errorOf(await search('ca', 'carol@acme.test')), { status: 404, code: 'VIDEO_NOT_FOUND' });
    assert.equal(await etagOf('shared'), etag);
    assert.equal((await save('shared', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'editor' }], etag)).status, 200);
    assert.equal((await save('shared', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer' }], await etagOf('shared'), 'bob@acme.test')).status, 200);
    assert.equal((await save('shared', [{ op: 'revoke', principal: 'user:carol@acme.test' }, { op: 'revoke', principal: 'user:bob@acme.test' }], await etagOf('shared'))).status, 200);
  });

  it("the org's policy: no org access, a maximum expiry, a default expiry", async () => {
    const etag = await etagOf('strict', strictService);
    const document = (await (await getAccess('strict', 'alice@acme.test', strictService)).json()) as AccessDocument;
    assert.deepEqual(document.limits, { orgAccessAllowed: false, defaultExpiryDays: 7, maxExpiryDays: 30 });
    assert.equal(document.capabilities.setGeneralAccess, false);
    assert.deepEqual(await errorOf(await save('strict', [{ op: 'general-access', value: 'org' }], etag, undefined, strictService)), { status: 422, code: 'SHARE_POLICY_VIOLATION' });
    assert.deepEqual(await errorOf(await save('strict', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'viewer', expiresAt: null }], etag, undefined, strictService)), { status: 422, code: 'SHARE_POLICY_VIOLATION' });
    const before = Date.now();
    const saved = await save('strict', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'viewer' }], etag, undefined, strictService);
    assert.equal(saved.status, 200);
    const { expiresAt } = ((await saved.json()) as AccessDocument).grants[0]!;
    assert.ok(expiresAt! >= before + 7 * DAY_MS && expiresAt! <= Date.now() + 7 * DAY_MS, 'default expiry applied');
  });
});

describe('directory search', () => {
  it('members who may share: at most 8 results of the video org, only principal, name, email and kind', async () => {
    const response = await search('acme');
    assert.equal(response.status, 200);
    const { results } = (await response.json()) as DirectorySearchResult;
    assert.equal(results.length, 8);
    for (const result of results) {
      assert.deepEqual(Object.keys(result).sort(), result.kind === 'user' ? ['displayName', 'email', 'kind', 'principal'] : ['displayName', 'kind', 'principal']);
      assert.doesNotMatch(result.principal, /globex/);
    }
    const bo = (await (await search('bo')).json()) as DirectorySearchResult;
    assert.deepEqual(bo.results, [{ principal: 'user:bob@acme.test', displayName: 'Bob Example', kind: 'user', email: 'bob@acme.test' }]);
    assert.deepEqual(((await (await search('staff')).json()) as DirectorySearchResult).results, [{ principal: 'group:acme-staff', displayName: 'Acme staff', kind: 'group' }]);
    assert.deepEqual(((await (await search('mallory')).json()) as DirectorySearchResult).results, []);
  });

  it('fewer than 2 characters, or a malformed body: 400', async () => {
    assert.deepEqual(await errorOf(await search('b')), { status: 400, code: 'BAD_REQUEST' });
    assert.deepEqual(await errorOf(await search(' b ')), { status: 400, code: 'BAD_REQUEST' });
    assert.deepEqual(await errorOf(await call('POST', '/api/directory/search', 'alice@acme.test', { body: { query: 'bob' } })), { status: 400, code: 'BAD_REQUEST' });
  });
});

describe('outside the perimeter', () => {
  it('mallory gets PERIMETER_DENIED from every sharing route, for real and unknown videos alike, and no directory bytes', async () => {
    const answers = [];
    for (const videoId of ['shared', 'nope']) {
      answers.push(await getAccess(videoId, 'mallory@globex.test'));
      answers.push(await save(videoId, [{ op: 'grant', principal: 'user:mallory@globex.test', role: 'viewer' }], '"access-0"', 'mallory@globex.test'));
      answers.push(await search('acme', 'mallory@globex.test', videoId));
    }
    const bodies = await Promise.all(answers.map(async (response) => ({ status: response.status, body: await response.text() })));
    for (const { status, body } of bodies) {
      assert.equal(status, 403);
      assert.equal(JSON.parse(body).error.code, 'PERIMETER_DENIED');
      assert.doesNotMatch(body, /acme\.test|Example|Video shared/);
    }
    assert.equal(new Set(bodies.map((b) => b.body)).size, 1, 'one answer for every route and video');
  });
});

describe('audit', () => {
  it('records share changes and refused playback sessions on the chain, by the server, under the video org', async () => {
    const etag = await etagOf('other');
    assert.equal((await save('other', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'viewer' }, { op: 'general-access', value: 'org' }], etag)).status, 200);
    assert.equal((await save('other', [{ op: 'grant', principal: 'user:carol@acme.test', role: 'editor', expiresAt: Date.now() + DAY_MS }, { op: 'revoke', principal: 'user:bob@acme.test' }, { op: 'general-access', value: 'restricted' }], await etagOf('other'))).status, 200);
    await play('other', 'mallory@globex.test');
    const trail = (await records()).filter((r) => r.video === 'other' || r.data.requestedVideo === 'other');
    const shareTypes = trail.filter((r) => r.type !== 'playback-session-denied').slice(-6).map((r) => r.type);
    assert.deepEqual(shareTypes, ['general-access-changed', 'share-granted', 'general-access-changed', 'share-revoked', 'share-role-changed', 'share-expiry-changed']);
    for (const record of trail) {
      assert.equal(record.credential, 'server');
      assert.equal(record.org, 'acme');
    }
    const denied = trail.filter((r) => r.type === 'playback-session-denied' && r.actor === 'mallory@globex.test');
    assert.equal(denied.length, 1);
    assert.deepEqual(denied[0]!.data, { code: 'PERIMETER_DENIED', requestedVideo: 'other' });
    assert.equal((await verifyChain(audit.scan())).ok, true);
  });

  it('a client cannot send a server-only event', async () => {
    const { token } = (await (await play('group', 'bob@acme.test')).json()) as { token: string };
    const event = { id: crypto.randomUUID(), type: 'share-granted', session: crypto.randomUUID(), seq: 1, clientTime: Date.now(), position: null, data: { principal: 'user:bob@acme.test' } };
    const response = await service(new Request(`${ORIGIN}/api/audit/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [event] }) }));
    assert.deepEqual(await errorOf(response), { status: 400, code: 'AUDIT_BATCH_INVALID' });
  });
});

describe('access requests', () => {
  const ask = (videoId: string, as: string) => call('POST', `/api/videos/${videoId}/access-requests`, as);

  it('a member without access asks once and learns nothing about the video; the owner sees the request', async () => {
    const first = await ask('requests', 'carol@acme.test');
    assert.equal(first.status, 201);
    const body = await first.text();
    assert.deepEqual(JSON.parse(body), { status: 'pending' });
    assert.doesNotMatch(body, /Video requests|alice/);
    const again = await ask('requests', 'carol@acme.test');
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { status: 'pending' });
    const document = (await (await getAccess('requests')).json()) as AccessDocument;
    assert.equal(document.requests.length, 1);
    const [request] = document.requests;
    assert.deepEqual({ ...request, requestedAt: 0 }, { principal: 'user:carol@acme.test', displayName: 'Carol Example', kind: 'user', email: 'carol@acme.test', requestedAt: 0 });
    assert.ok(request!.requestedAt <= Date.now());
    assert.equal((await records()).filter((r) => r.type === 'access-requested' && r.video === 'requests').length, 1, 'asked once, recorded once');
  });

  it('who can already watch gets `granted`; outsiders and unknown videos learn nothing', async () => {
    assert.deepEqual(await (await ask('requests', 'alice@acme.test')).json(), { status: 'granted' });
    assert.deepEqual(await errorOf(await ask('requests', 'mallory@globex.test')), { status: 403, code: 'PERIMETER_DENIED' });
    assert.deepEqual(await errorOf(await ask('nope', 'carol@acme.test')), { status: 404, code: 'VIDEO_NOT_FOUND' });
  });

  it('the owner approves with a role (the requester plays) or denies (they do not); both audited', async () => {
    assert.equal((await ask('requests', 'bob@acme.test')).status, 201);
    const etag = await etagOf('requests');
    assert.deepEqual(await errorOf(await save('requests', [{ op: 'approve', principal: 'user:user1@acme.test', role: 'viewer' }], etag)), { status: 400, code: 'BAD_REQUEST' }, 'no such request');
    assert.equal(await etagOf('requests'), etag, 'nothing written');
    const saved = await save('requests', [{ op: 'approve', principal: 'user:carol@acme.test', role: 'viewer' }, { op: 'deny', principal: 'user:bob@acme.test' }], etag);
    assert.equal(saved.status, 200);
    const document = (await saved.json()) as AccessDocument;
    assert.deepEqual(document.requests, []);
    assert.deepEqual(document.grants.map((g) => [g.principal, g.role]), [['user:carol@acme.test', 'viewer']]);
    assert.equal((await play('requests', 'carol@acme.test')).status, 201);
    assert.deepEqual(await errorOf(await play('requests', 'bob@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
    const trail = (await records()).filter((r) => r.video === 'requests' && r.type !== 'playback-session-denied' && r.type !== 'access-requested');
    assert.deepEqual(trail.map((r) => [r.type, r.data.principal]), [['access-approved', 'user:carol@acme.test'], ['access-denied', 'user:bob@acme.test'], ['share-granted', 'user:carol@acme.test']]);
    assert.equal((await verifyChain(audit.scan())).ok, true);
  });
});

describe('grant expiry sweep', () => {
  it('removes a grant once its expiry passed and records share-expired, once', async () => {
    await grant(storage.grants, 'sweep', 'user:carol@acme.test', 'viewer', Date.now() + 200);
    await grant(storage.grants, 'sweep', 'user:bob@acme.test', 'viewer', Date.now() + DAY_MS);
    const log = serverAuditLog(audit);
    await sweepExpiredGrants(storage.grants, log); // what earlier tests left expired
    assert.equal((await storage.grants.read('sweep'))!.grants.length, 2, 'nothing of this video expired yet');
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(await sweepExpiredGrants(storage.grants, log), 1);
    assert.equal(await sweepExpiredGrants(storage.grants, log), 0, 'recorded once');
    assert.deepEqual((await storage.grants.read('sweep'))!.grants.map((g) => g.principal), ['user:bob@acme.test']);
    const expired = (await records()).filter((r) => r.type === 'share-expired' && r.video === 'sweep');
    assert.equal(expired.length, 1);
    assert.equal(expired[0]!.data.principal, 'user:carol@acme.test');
    assert.equal(expired[0]!.org, 'acme');
  });
});

describe('directory search rate limit', () => {
  it('is per user: past the allowance 429 RATE_LIMITED, another user still searches', async () => {
    const limited = createVeilService({ ...baseOptions, rateLimits: { perViewer: { 'directory-search': { points: 3, durationSeconds: 60 } } } });
    const etag = await etagOf('shared');
    assert.equal((await save('shared', [{ op: 'grant', principal: 'user:bob@acme.test', role: 'editor' }], etag)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await search('ca', 'alice@acme.test', 'shared', limited)).status, 200);
    const refused = await search('ca', 'alice@acme.test', 'shared', limited);
    assert.deepEqual(await errorOf(refused), { status: 429, code: 'RATE_LIMITED' });
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await search('ca', 'bob@acme.test', 'shared', limited)).status, 200);
    assert.equal((await save('shared', [{ op: 'revoke', principal: 'user:bob@acme.test' }], await etagOf('shared'))).status, 200);
  });
});

describe('the org sharing policy', () => {
  let policyStorage: TestStorage;
  let policyService: Handler;
  const policyCall = (method: 'GET' | 'PUT', as: string, body?: unknown, groups?: string[]) => call(method, '/api/sharing-policy', as, { body, groups, handler: policyService });
  const admin = ['veil-admins'];
  const tight = { orgAccessAllowed: false, defaultExpiryDays: 7, maxExpiryDays: 30, editorsMayShare: true };

  before(async () => {
    policyStorage = await openTestStorage();
    for (const id of ['p-org', 'p-long']) await policyStorage.videos.put(sampleVideo(id, { owner: 'alice@acme.test', generalAccess: 'restricted' }));
    await setGeneralAccess(policyStorage.grants, 'p-org', 'org');
    await grant(policyStorage.grants, 'p-long', 'user:bob@acme.test');
    await grant(policyStorage.grants, 'p-long', 'user:carol@acme.test', 'viewer', Date.now() + 10 * DAY_MS);
    policyService = createVeilService({ ...baseOptions, videos: policyStorage.videos, grants: policyStorage.grants, keys: policyStorage.keys, sharingPolicies: policyStorage.sharingPolicies });
  });
  after(() => policyStorage.close());

  it('every member reads it (the default until an admin sets one); only admins change it', async () => {
    const read = await policyCall('GET', 'bob@acme.test');
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), { org: 'acme', policy: DEFAULT_SHARING_POLICY, updatedBy: null, updatedAt: null });
    assert.deepEqual(await errorOf(await policyCall('PUT', 'bob@acme.test', tight)), { status: 403, code: 'SHARING_POLICY_ADMIN_REQUIRED' });
    assert.deepEqual(await errorOf(await policyCall('GET', 'mallory@globex.test', undefined, admin)), { status: 403, code: 'PERIMETER_DENIED' });
  });

  it('malformed policies are 400 and change nothing', async () => {
    for (const body of [{ ...tight, defaultExpiryDays: 40 }, { ...tight, maxExpiryDays: 0 }, { ...tight, public: true }, { ...tight, defaultExpiryDays: null }, { orgAccessAllowed: false }, 'strict']) {
      assert.deepEqual(await errorOf(await policyCall('PUT', 'alice@acme.test', body, admin)), { status: 400, code: 'BAD_REQUEST' }, JSON.stringify(body));
    }
    assert.equal(((await (await policyCall('GET', 'alice@acme.test')).json()) as SharingPolicyDocument).updatedBy, null);
  });

  it('tightening revokes what it invalidates, with an audit reason, and loosening never brings it back', async () => {
    const playOn = (videoId: string, as: string) => call('POST', '/api/playback-sessions', as, { body: { videoId }, handler: policyService });
    assert.equal((await playOn('p-org', 'carol@acme.test')).status, 201);
    const saved = await policyCall('PUT', 'alice@acme.test', tight, admin);
    assert.equal(saved.status, 200);
    const document = (await saved.json()) as SharingPolicyDocument;
    assert.deepEqual({ ...document, updatedAt: 0 }, { org: 'acme', policy: tight, updatedBy: 'alice@acme.test', updatedAt: 0, revoked: { grants: 1, generalAccess: 1 } });
    assert.deepEqual(await errorOf(await playOn('p-org', 'carol@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
    assert.deepEqual(await errorOf(await playOn('p-long', 'bob@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });
    assert.equal((await playOn('p-long', 'carol@acme.test')).status, 201, 'a grant inside the maximum stays');
    assert.equal((await policyStorage.grants.read('p-org'))!.generalAccess, 'restricted');

    assert.equal((await policyCall('PUT', 'alice@acme.test', DEFAULT_SHARING_POLICY, admin)).status, 200);
    assert.deepEqual(await errorOf(await playOn('p-long', 'bob@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' }, 'not resurrected');
    assert.deepEqual(await errorOf(await playOn('p-org', 'carol@acme.test')), { status: 403, code: 'PLAYBACK_NOT_GRANTED' });

    const trail = (await records()).filter((r) => r.org === 'acme' && ['sharing-policy-changed', 'share-revoked', 'general-access-changed'].includes(r.type) && (r.video === null || r.video.startsWith('p-')));
    assert.deepEqual(
      trail.map((r) => [r.type, r.video, r.data.reason ?? null]),
      [
        ['sharing-policy-changed', null, null],
        ['share-revoked', 'p-long', 'policy'],
        ['general-access-changed', 'p-org', 'policy'],
        ['sharing-policy-changed', null, null],
      ],
    );
    assert.equal(trail[0]!.data.maxExpiryDays, 30);
    assert.equal(trail[0]!.actor, 'alice@acme.test');
  });
});
