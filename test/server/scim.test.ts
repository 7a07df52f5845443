/**
 * SCIM provisioning through the real handler on real storage, in the order Entra's provisioning
 * service sends its requests (Microsoft's "develop a SCIM endpoint" sequence: look up by filter,
 * create, PATCH attributes, create a group, add and remove members, `active: false`, delete),
 * with Entra's own shapes (`"Replace"`, `"False"`, `$ref: null`, work-email paths). Then what the
 * directory means for the rest of Veil: search, group grants, and no playback for deprovisioned
 * users; and errors: SCIM format, 409/404/400/401, nothing half-written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import type { AuditRecord } from '../../src/server/audit/store.js';
import { createPlaybackTokenService, type PlaybackTokenService } from '../../src/server/playback-token.js';
import type { Handler } from '../../src/server/http.js';
import { sampleVideo } from './contracts/video-repository.js';
import { grant } from '../support/access.js';
import { ISSUER, ORIGIN, testService, type TestServiceOptions } from '../support/service.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';
import { scimStoreContract } from './contracts/scim-store.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let storage: TestStorage;
let audit: SqliteAuditStore;
let idpKey: CryptoKey;
let service: Handler;
let secret: string;
let globexSecret: string;

type Json = Record<string, any>;

async function scim(method: string, path: string, body?: unknown, token: string | null = secret): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers = new Headers();
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('content-type', 'application/scim+json');
  const response = await service(new Request(`${ORIGIN}/scim/v2${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }));
  const text = await response.text();
  if (text) assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/, `${method} ${path}: ${text}`);
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {}, headers: response.headers };
}

async function play(sub: string, videoId: string, previousToken?: string): Promise<{ status: number; code?: string; token?: string }> {
  const token = await new SignJWT({ org: 'acme', groups: [], email: sub })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(`${ORIGIN}/api`)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(idpKey);
  const response = await service(
    new Request(`${ORIGIN}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId, ...(previousToken ? { previousToken } : {}) }) }),
  );
  const body = (await response.json()) as Json;
  return { status: response.status, code: body.error?.code, token: body.token };
}

const entraUser = (userName: string, objectId: string) => ({
  schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: objectId,
  userName,
  active: true,
  displayName: userName.split('@')[0],
  emails: [{ primary: true, type: 'work', value: userName }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering', employeeNumber: '42' },
});

async function records(): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  for await (const record of audit.scan()) all.push(record);
  return all;
}

let playbackTokens: PlaybackTokenService;
let jwks: ReturnType<typeof createLocalJWKSet>;

/** The service as every server test builds it (test/support/service.ts), with SCIM and an audit trail. */
function scimService(options: Partial<TestServiceOptions> = {}): Handler {
  return testService({ storage, jwks, playbackTokens, audit: { store: audit }, scim: storage.scim, ...options });
}

before(async () => {
  storage = await openTestStorage();
  audit = new SqliteAuditStore(':memory:');
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] });
  playbackTokens = createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 60 });
  await storage.videos.put(sampleVideo('talk', { owner: 'owner-oid', generalAccess: 'restricted' }));
  service = scimService();
  secret = await storage.scim.secrets.rotate('acme');
  globexSecret = await storage.scim.secrets.rotate('globex');
});

after(async () => {
  await audit.close();
  await storage.close();
});

scimStoreContract('sqlite', async () => {
  const other = await openTestStorage();
  return { scim: other.scim, close: other.close };
});

describe('SCIM: Entra provisioning sequence', () => {
  let userId: string;
  let groupId: string;

  it('looks the user up (none), creates them (201, Location), and finds them by userName in any case', async () => {
    const lookup = await scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "ada@acme.test"'));
    assert.equal(lookup.status, 200);
    assert.deepEqual(lookup.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

    const created = await scim('POST', '/Users', entraUser('ada@acme.test', 'oid-ada'));
    assert.equal(created.status, 201);
    userId = created.body.id;
    assert.equal(created.headers.get('location'), `${ORIGIN}/scim/v2/Users/${userId}`);
    assert.equal(created.body.userName, 'ada@acme.test');
    assert.equal(created.body.externalId, 'oid-ada');
    assert.equal(created.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].department, 'Engineering');
    assert.equal(created.body.meta.resourceType, 'User');

    const found = await scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "ADA@acme.test"'));
    assert.equal(found.body.totalResults, 1);
    assert.equal(found.body.Resources[0].id, userId);
    const byExternalId = await scim('GET', '/Users?filter=' + encodeURIComponent('externalId eq "oid-ada"'));
    assert.equal(byExternalId.body.Resources[0].id, userId);
    assert.equal((await scim('GET', `/Users/${userId}`)).body.displayName, 'ada');
  });

  it('refuses a second user with the same userName (409 uniqueness) and writes nothing', async () => {
    const duplicate = await scim('POST', '/Users', entraUser('Ada@Acme.test', 'oid-other'));
    assert.equal(duplicate.status, 409);
    assert.deepEqual(duplicate.body, { schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: duplicate.body.detail });
    assert.equal((await scim('GET', '/Users')).body.totalResults, 1);
  });

  it("PATCHes attributes as Entra sends them (capitalised ops, work-email path, enterprise extension)", async () => {
    const patched = await scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ada.lovelace@acme.test' },
        { op: 'Replace', path: 'name.familyName', value: 'Byron' },
        { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Research' },
        { op: 'Replace', path: 'displayName', value: 'Ada Lovelace' },
      ],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.emails[0].value, 'ada.lovelace@acme.test');
    assert.equal(patched.body.name.familyName, 'Byron');
    assert.equal(patched.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].department, 'Research');
    assert.equal((await scim('GET', `/Users/${userId}`)).body.displayName, 'Ada Lovelace');
  });

  it("sets and removes the manager as Entra sends it (a bare id on the path `manager`)", async () => {
    // The manager's SCIM id (a resource of this directory or not: Veil keeps it as an attribute).
    const managerId = '2819c223-7f76-453a-919d-413861904646';
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const added = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'manager', value: managerId }] });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body[enterprise].manager, { value: managerId });
    assert.equal(added.body[enterprise].department, 'Research', 'the rest of the extension stays');
    // A later change names the extension's full path and may wrap the id as Entra's reference form.
    const replaced = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: `${enterprise}:manager`, value: [{ $ref: null, value: 'oid-someone-else' }] }] });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.deepEqual((await scim('GET', `/Users/${userId}`)).body[enterprise].manager, { value: 'oid-someone-else' });
    const removed = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'manager' }] });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal((await scim('GET', `/Users/${userId}`)).body[enterprise].manager, undefined);
  });

  it('adds a work email to a user who has none (Entra adds through the filtered path)', async () => {
    const bare = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'grace@acme.test', externalId: 'oid-grace', active: true });
    const patched = await scim('PATCH', `/Users/${bare.body.id}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'grace@acme.test' }] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.emails, [{ type: 'work', value: 'grace@acme.test' }]);
  });

  it('creates a group (looked up first, without members), adds and removes members by PATCH', async () => {
    const lookup = await scim('GET', '/Groups?excludedAttributes=members&filter=' + encodeURIComponent('displayName eq "Research"'));
    assert.equal(lookup.body.totalResults, 0);
    const created = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: 'gid-research', displayName: 'Research', members: [] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    groupId = created.body.id;
    const grace = (await scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "grace@acme.test"'))).body.Resources[0].id;

    const added = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }, { value: grace }] }] });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.members.map((m: Json) => m.value).sort(), [userId, grace].sort());

    const removed = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: `members[value eq "${grace}"]` }] });
    assert.deepEqual(removed.body.members.map((m: Json) => m.value), [userId]);
    const removedByValue = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: grace }] }, { op: 'Remove', path: 'members', value: [{ value: grace }] }] });
    assert.deepEqual(removedByValue.body.members.map((m: Json) => m.value), [userId]);

    const listed = await scim('GET', '/Groups?excludedAttributes=members&filter=' + encodeURIComponent('displayName eq "research"'));
    assert.equal(listed.body.totalResults, 1);
    assert.equal(listed.body.Resources[0].members, undefined);
    assert.equal((await scim('GET', '/Groups?filter=' + encodeURIComponent('externalId eq "gid-research"'))).body.Resources[0].id, groupId);
  });

  it('the provisioned people and groups are the directory: search, and a group grant lets members play', async () => {
    const users = await storage.scim.directory.search('acme', 'lovelace');
    assert.deepEqual(users, [{ principal: 'user:oid-ada', displayName: 'Ada Lovelace', kind: 'user', email: 'ada.lovelace@acme.test' }]);
    assert.deepEqual(await storage.scim.directory.search('acme', 'resea'), [{ principal: 'group:gid-research', displayName: 'Research', kind: 'group' }]);
    assert.deepEqual(await storage.scim.directory.search('globex', 'a'), [], 'nothing crosses orgs');
    assert.deepEqual(await storage.scim.directory.search('acme', '%'), [], 'LIKE wildcards are literal');
    assert.deepEqual(await storage.scim.directory.groupsOf('acme', 'oid-ada'), ['gid-research']);

    assert.equal((await play('oid-ada', 'talk')).code, 'PLAYBACK_NOT_GRANTED');
    await grant(storage.grants, 'talk', 'group:gid-research');
    assert.equal((await play('oid-ada', 'talk')).status, 201);
    assert.equal((await play('oid-grace', 'talk')).code, 'PLAYBACK_NOT_GRANTED', 'removed from the group');
  });

  it('active false (as the string "False", as Entra sends it) ends playback: ACCOUNT_DEPROVISIONED', async () => {
    const playing = await play('oid-ada', 'talk');
    assert.equal(playing.status, 201);
    const deactivated = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    assert.equal(deactivated.status, 200, JSON.stringify(deactivated.body));
    assert.equal(deactivated.body.active, false);
    assert.deepEqual(await play('oid-ada', 'talk'), { status: 403, code: 'ACCOUNT_DEPROVISIONED', token: undefined });
    assert.deepEqual(await play('oid-ada', 'talk', playing.token), { status: 403, code: 'ACCOUNT_DEPROVISIONED', token: undefined }, 'the open player gets no renewal');
    assert.deepEqual(await storage.scim.directory.search('acme', 'lovelace'), [], 'an inactive user is not offered for sharing');

    const reactivated = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    assert.equal(reactivated.body.active, true);
    assert.equal((await play('oid-ada', 'talk')).status, 201);
  });

  it('deleting the user removes the resource (404 after) and keeps them refused', async () => {
    assert.equal((await scim('DELETE', `/Users/${userId}`)).status, 204);
    assert.equal((await scim('GET', `/Users/${userId}`)).status, 404);
    assert.equal((await scim('DELETE', `/Users/${userId}`)).status, 404);
    assert.deepEqual((await scim('GET', `/Groups/${groupId}`)).body.members, []);
    assert.deepEqual(await play('oid-ada', 'talk'), { status: 403, code: 'ACCOUNT_DEPROVISIONED', token: undefined });
    // Provisioned again (Entra restores a soft-deleted user): they play again.
    assert.equal((await scim('POST', '/Users', entraUser('ada@acme.test', 'oid-ada'))).status, 201);
    assert.equal((await play('oid-ada', 'talk')).code, 'PLAYBACK_NOT_GRANTED', 'back, but no longer in the group');
  });

  it('provisioning and deprovisioning are in the audit trail, written by the server', async () => {
    const trail = (await records()).filter((r) => r.type.startsWith('user-'));
    assert.deepEqual(
      trail.map((r) => [r.type, r.data.sub, r.data.reason ?? null]),
      [
        ['user-provisioned', 'oid-ada', null],
        ['user-provisioned', 'oid-grace', null],
        ['user-deprovisioned', 'oid-ada', 'deactivated'],
        ['user-provisioned', 'oid-ada', null],
        ['user-deprovisioned', 'oid-ada', 'deleted'],
        ['user-provisioned', 'oid-ada', null],
      ],
    );
    assert.ok(trail.every((r) => r.org === 'acme' && r.credential === 'server' && r.actor.startsWith('scim:')));
  });

  it('deletes a group', async () => {
    assert.equal((await scim('DELETE', `/Groups/${groupId}`)).status, 204);
    assert.equal((await scim('GET', `/Groups/${groupId}`)).status, 404);
  });
});

describe('SCIM: lists, errors and authentication', () => {
  it('pages with startIndex and count', async () => {
    for (let i = 0; i < 5; i += 1) assert.equal((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: `page${i}@acme.test` })).status, 201);
    const all = await scim('GET', '/Users');
    const page = await scim('GET', '/Users?startIndex=2&count=2');
    assert.equal(page.body.totalResults, all.body.totalResults);
    assert.equal(page.body.startIndex, 2);
    assert.equal(page.body.itemsPerPage, 2);
    assert.deepEqual(page.body.Resources.map((u: Json) => u.id), all.body.Resources.slice(1, 3).map((u: Json) => u.id));
    const countOnly = await scim('GET', '/Users?count=0');
    assert.equal(countOnly.body.totalResults, all.body.totalResults);
    assert.deepEqual(countOnly.body.Resources, []);
  });

  it('400 invalidFilter for filters it cannot answer or parse', async () => {
    for (const filter of ['userName co "a"', 'title eq "x"', 'userName eq "a" or userName eq "b"', 'userName eq', 'userName eq 5']) {
      const response = await scim('GET', '/Users?filter=' + encodeURIComponent(filter));
      assert.equal(response.status, 400, filter);
      assert.equal(response.body.scimType, 'invalidFilter', filter);
      assert.deepEqual(response.body.schemas, [ERROR]);
    }
  });

  it('malformed bodies are SCIM errors and write nothing', async () => {
    const before = (await scim('GET', '/Users')).body.totalResults;
    assert.equal((await scim('POST', '/Users', '{not json')).status, 400);
    assert.equal((await scim('POST', '/Users', [])).status, 400);
    assert.equal((await scim('POST', '/Users', { schemas: [USER_SCHEMA] })).body.scimType, 'invalidValue');
    assert.equal((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 7 })).status, 400);
    assert.equal((await scim('GET', '/Users')).body.totalResults, before);

    const user = (await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'whole@acme.test', displayName: 'Whole' })).body;
    const half = await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'active', value: 'maybe' }] });
    assert.equal(half.status, 400);
    assert.equal((await scim('GET', `/Users/${user.id}`)).body.displayName, 'Whole', 'the first operation was not applied either');
    assert.equal((await scim('PATCH', `/Users/${user.id}`, { Operations: 'nope' })).status, 400);
    assert.equal((await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'explode', path: 'displayName' }] })).status, 400);

    const groups = (await scim('GET', '/Groups')).body.totalResults;
    const unknownMember = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ghosts', members: [{ value: user.id }, { value: 'no-such-user' }] });
    assert.equal(unknownMember.status, 400);
    assert.equal((await scim('GET', '/Groups')).body.totalResults, groups, 'no group without its members');
    assert.equal((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'x@acme.test' }, secret)).status, 201);
    assert.equal((await scim('PUT', '/Users/missing', { schemas: [USER_SCHEMA], userName: 'y@acme.test' })).status, 404);
  });

  it('PUT replaces a user whole', async () => {
    const user = (await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'put@acme.test', displayName: 'Before', title: 'Engineer' })).body;
    const replaced = await scim('PUT', `/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'put@acme.test', displayName: 'After' });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.displayName, 'After');
    assert.equal(replaced.body.title, undefined);
  });

  it('401 without a secret, with a wrong one, and with a rotated-out one; an org sees only its own directory', async () => {
    for (const token of [null, 'veil_scim_wrong', 'not-even-prefixed']) {
      const response = await scim('GET', '/Users', undefined, token);
      assert.equal(response.status, 401);
      assert.deepEqual(response.body.schemas, [ERROR]);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    assert.equal((await scim('GET', '/Users', undefined, globexSecret)).body.totalResults, 0);
    const acmeUser = (await scim('GET', '/Users?count=1')).body.Resources[0].id;
    assert.equal((await scim('GET', `/Users/${acmeUser}`, undefined, globexSecret)).status, 404);
    assert.equal((await scim('DELETE', `/Users/${acmeUser}`, undefined, globexSecret)).status, 404);

    const graced = await storage.scim.secrets.rotate('globex');
    assert.equal((await scim('GET', '/Users', undefined, globexSecret)).status, 200, 'the previous secret works during the grace period');
    const next = await storage.scim.secrets.rotate('globex', 0);
    assert.equal((await scim('GET', '/Users', undefined, globexSecret)).status, 401);
    assert.equal((await scim('GET', '/Users', undefined, graced)).status, 401);
    assert.equal((await scim('GET', '/Users', undefined, next)).status, 200);
  });

  it('a client guessing secrets is blocked like one presenting refused tokens (SCIM_UNAUTHORIZED counts)', async () => {
    const guarded = scimService({ rateLimits: { refusals: { points: 3, durationSeconds: 60, blockSeconds: 120 } }, clientAddress: () => '203.0.113.9' });
    const call = (token: string) => guarded(new Request(`${ORIGIN}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } }));
    for (let i = 0; i < 4; i++) assert.equal((await call(`veil_scim_guess${i}`)).status, 401, `guess ${i + 1}`);
    const blocked = await call(secret);
    assert.equal(blocked.status, 429, 'blocked, even with the right secret');
    assert.equal(((await blocked.json()) as Json).error.code, 'CLIENT_BLOCKED');
    assert.equal((await scim('GET', '/Users?count=1')).status, 200, 'another client is not blocked');
  });

  it('serves ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    assert.equal(config.status, 200);
    assert.equal(config.body.patch.supported, true);
    assert.equal(config.body.filter.supported, true);
    assert.equal(config.body.authenticationSchemes[0].type, 'oauthbearertoken');
    const types = await scim('GET', '/ResourceTypes');
    assert.deepEqual(types.body.Resources.map((t: Json) => t.id).sort(), ['Group', 'User']);
    assert.equal((await scim('GET', '/ResourceTypes/User')).body.endpoint, '/Users');
    const schemas = await scim('GET', '/Schemas');
    assert.ok(schemas.body.Resources.some((s: Json) => s.id === USER_SCHEMA));
    assert.equal((await scim('GET', `/Schemas/${USER_SCHEMA}`)).body.name, 'User');
    assert.equal((await scim('GET', '/ServiceProviderConfig', undefined, null)).status, 401);
  });
});
