/**
 * The LTI tool's login initiation and launch against real storage (in-memory SQLite through the
 * production stores) and a test platform signing with the demo LMS's own code: the happy path,
 * then every rule of the issue's validation list refused with its own code, no session created;
 * then Deep Linking 2.0: the picker, the signed response, and every refusal of its request and return.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { deepLinkingClaims, DEEP_LINK_MUTATORS, launchClaims, MUTATORS, PlatformKeys, ROLE, signLaunch, type Signing } from '../../demo/lms/platform.js';
import { StaticDirectory } from '../../src/server/access/directory.js';
import type { ServerAuditEvent } from '../../src/server/audit/server-events.js';
import { createLtiTool, type LtiTool } from '../../src/server/lti/tool.js';
import { sampleVideo } from './contracts/video-repository.js';
import { LTI_ROUTES } from '../../src/protocol/lti.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';

const TOOL = 'http://127.0.0.1:9';
const ISSUER = 'http://localhost:9/lms';
const CLIENT_ID = 'veil-tool';
const LAUNCH_URL = `${TOOL}${LTI_ROUTES.launch}`;
let storage: TestStorage;
let platform: PlatformKeys;
let tool: LtiTool;
/** The same tool without deep linking (an `LtiDeepLinkingRequest` is then an unknown message type). */
let plainTool: LtiTool;
const TEACHER = 'tess@acme.test';
const RETURN_URL = 'http://localhost:9/lms/deep-link/return';
/** What the tool handed to the audit trail (its `ServerAuditLog`), in order. */
const audited: ServerAuditEvent[] = [];

before(async () => {
  storage = await openTestStorage();
  platform = await PlatformKeys.create();
  await storage.lti.putRegistration({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    authEndpoint: `${ISSUER}/auth`,
    tokenEndpoint: `${ISSUER}/token`,
    jwksUrl: `${ISSUER}/jwks`,
    algorithms: ['RS256'],
    deployments: { d1: 'acme' },
  });
  // Deep linking: the teacher's own video, one shared with her as editor, one as viewer, someone else's.
  for (const [id, owner] of [['dl-own', TEACHER], ['dl-edit', 'alice@acme.test'], ['dl-view', 'alice@acme.test'], ['dl-other', 'alice@acme.test']] as const) {
    await storage.videos.put(sampleVideo(id, { owner, org: 'acme', generalAccess: 'restricted', title: `Video ${id}` }));
  }
  for (const [id, role] of [['dl-edit', 'editor'], ['dl-view', 'viewer']] as const) {
    const access = (await storage.grants.read(id))!;
    await storage.grants.save(id, access.version, { put: [{ principal: `user:${TEACHER}`, role, expiresAt: null, grantedBy: 'alice@acme.test', grantedAt: Date.now() }], remove: [] });
  }
  const options = {
    publicUrl: TOOL,
    store: storage.lti,
    signingKeys: storage.signingKeys,
    toolKeys: storage.ltiToolKeys,
    assets: { scripts: ['/veil/define.js'] },
    // The platform's current key set, read at each verification (rotation shows at once).
    platformKeys: () => (header: Parameters<ReturnType<typeof createLocalJWKSet>>[0], token: Parameters<ReturnType<typeof createLocalJWKSet>>[1]) => createLocalJWKSet(platform.jwks())(header, token),
  };
  const directory = new StaticDirectory([{ sub: TEACHER, email: 'teacher@school.test', name: 'Tess Teacher', org: 'acme', groups: [] }], []);
  tool = createLtiTool({ ...options, deepLinking: { videos: storage.videos, grants: storage.grants, directory, audit: async (events) => void audited.push(...events) } });
  plainTool = createLtiTool(options);
});

after(() => storage.close());

const LOGIN = { iss: ISSUER, login_hint: 'student-7', target_link_uri: LAUNCH_URL, lti_message_hint: 'c101/week1', client_id: CLIENT_ID, lti_deployment_id: 'd1' };

function get(path: string, params: Record<string, string>, via = tool): Promise<Response> {
  return via.handler(new Request(`${TOOL}${path}?${new URLSearchParams(params)}`));
}

function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}, via = tool): Promise<Response> {
  return via.handler(new Request(`${TOOL}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:9', ...headers }, body: new URLSearchParams(form) }));
}

interface Login {
  authUrl: URL;
  state: string;
  nonce: string;
  binding: string;
  cookieName: string;
  html: string;
}

function attribute(html: string, name: string): string {
  const match = new RegExp(`data-${name}="([^"]*)"`).exec(html);
  assert.ok(match, `login page has data-${name}`);
  return match[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}

async function login(params: Record<string, string> = LOGIN, via = tool): Promise<Login> {
  const response = await get(LTI_ROUTES.login, params, via);
  const html = await response.text();
  assert.equal(response.status, 200, html);
  const authUrl = new URL(attribute(html, 'auth-url'));
  return { authUrl, state: authUrl.searchParams.get('state')!, nonce: authUrl.searchParams.get('nonce')!, binding: attribute(html, 'binding'), cookieName: attribute(html, 'cookie-name'), html };
}

async function signed(at: Login, mutate?: (s: Signing) => void | Promise<void>): Promise<string> {
  const claims = launchClaims({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    deploymentId: 'd1',
    nonce: at.nonce,
    targetLinkUri: LAUNCH_URL,
    sub: 'student-7',
    roles: [ROLE.learner],
    context: { id: 'c101', title: 'Course 101' },
    resourceLink: { id: 'week1' },
    custom: { video: 'sample-course' },
    name: 'Sam Student',
  });
  const signing: Signing = { claims, header: { alg: 'RS256', kid: platform.current.kid, typ: 'JWT' }, key: platform.current.privateKey };
  await mutate?.(signing);
  return signLaunch(signing);
}

async function launch(at: Login, idToken: string, bound = true, via = tool): Promise<Response> {
  return post(LTI_ROUTES.launch, { id_token: idToken, state: at.state }, bound ? { cookie: `${at.cookieName}=${at.binding}` } : {}, via);
}

async function refusal(response: Response): Promise<{ status: number; code: string }> {
  const html = await response.text();
  assert.doesNotMatch(html, /veil-lti-session/, 'no session token on a refusal');
  return { status: response.status, code: /data-veil-error-code="([A-Z_]+)"/.exec(html)?.[1] ?? `(no code) ${html.slice(0, 200)}` };
}

function sessionToken(html: string): string | undefined {
  return /<meta name="veil-lti-session" content="([^"]+)">/.exec(html)?.[1];
}

describe('LTI launch: the happy path', () => {
  it('a login page carries the auth redirect with every required parameter, the hints echoed unaltered', async () => {
    const at = await login({ ...LOGIN, login_hint: 'a hint/with spaces&symbols=1', lti_message_hint: '{"x":1}' });
    const q = at.authUrl.searchParams;
    assert.equal(at.authUrl.origin + at.authUrl.pathname, `${ISSUER}/auth`);
    assert.deepEqual(
      { scope: q.get('scope'), response_type: q.get('response_type'), response_mode: q.get('response_mode'), prompt: q.get('prompt'), client_id: q.get('client_id'), redirect_uri: q.get('redirect_uri') },
      { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: CLIENT_ID, redirect_uri: LAUNCH_URL },
    );
    assert.equal(q.get('login_hint'), 'a hint/with spaces&symbols=1');
    assert.equal(q.get('lti_message_hint'), '{"x":1}');
    // ≥ 128 bits each (32 random bytes, base64url).
    for (const secret of [at.state, at.nonce, at.binding]) assert.ok(Buffer.from(secret, 'base64url').length >= 16, secret);
    assert.notEqual(at.state, at.nonce);
  });

  it('POST login initiation works like GET', async () => {
    const response = await post(LTI_ROUTES.login, LOGIN);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /data-auth-url=/);
  });

  it('a valid launch yields the tool page with the player and a session token bound to the course', async () => {
    const at = await login();
    const response = await launch(at, await signed(at));
    const html = await response.text();
    assert.equal(response.status, 200, html);
    assert.match(html, /<veil-session provider="lti"/);
    assert.match(html, /<veil-player video="sample-course"/);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors http:\/\/localhost:9(;|$)/);
    const token = sessionToken(html)!;
    const viewer = await tool.verifier.verify(token);
    assert.deepEqual(
      { sub: viewer.sub, org: viewer.org, course: viewer.course, issuer: viewer.issuer },
      { sub: `lti:${ISSUER}#student-7`, org: 'acme', course: `lti-context:${ISSUER}/d1/c101`, issuer: `${TOOL}/lti` },
    );
    assert.ok((decodeJwt(token).exp as number) - (decodeJwt(token).iat as number) <= 300);
  });

  it('short role names are accepted; the session renews with its own token', async () => {
    const at = await login();
    const response = await launch(at, await signed(at, (s) => void (s.claims['https://purl.imsglobal.org/spec/lti/claim/roles'] = ['Instructor'])));
    const token = sessionToken(await response.text())!;
    assert.equal(decodeJwt(token).role, 'instructor');
    const renewed = await tool.handler(new Request(`${TOOL}${LTI_ROUTES.session}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
    assert.equal(renewed.status, 200);
    const body = (await renewed.json()) as { token: string; expiresAt: number };
    assert.equal((await tool.verifier.verify(body.token)).course, `lti-context:${ISSUER}/d1/c101`);
    const refused = await tool.handler(new Request(`${TOOL}${LTI_ROUTES.session}`, { method: 'POST', headers: { authorization: 'Bearer nope' } }));
    assert.equal(refused.status, 401);
  });

  it('a launch without the cookie gets the page that reads the binding back, then succeeds with it', async () => {
    const at = await login();
    const idToken = await signed(at);
    const first = await launch(at, idToken, false);
    const html = await first.text();
    assert.equal(first.status, 200);
    assert.match(html, /id="veil-lti-launch"/);
    assert.equal(sessionToken(html), undefined);
    const second = await post(LTI_ROUTES.launch, { id_token: idToken, state: at.state, bind: at.binding, carrier: 'local-storage' });
    const tool2 = await second.text();
    assert.equal(second.status, 200);
    assert.match(tool2, /data-veil-lti-carrier="local-storage"/);
    assert.ok(sessionToken(tool2));
  });

  it('a platform key rotation is picked up', async () => {
    await platform.rotate();
    const at = await login();
    assert.equal((await launch(at, await signed(at))).status, 200);
  });

  it('the tool publishes its RS256 keys', async () => {
    const response = await tool.handler(new Request(`${TOOL}${LTI_ROUTES.jwks}`));
    const { keys } = (await response.json()) as { keys: Array<{ alg: string; kid: string; kty: string; d?: string }> };
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.alg, 'RS256');
    assert.equal(keys[0]!.kty, 'RSA');
    assert.equal(keys[0]!.d, undefined);
  });
});

describe('LTI login initiation refusals (400, an error page, no redirect)', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['no iss', { ...LOGIN, iss: '' }, 'LTI_LOGIN_PARAMETER_MISSING'],
    ['no login_hint', { ...LOGIN, login_hint: '' }, 'LTI_LOGIN_PARAMETER_MISSING'],
    ['no target_link_uri', { ...LOGIN, target_link_uri: '' }, 'LTI_LOGIN_PARAMETER_MISSING'],
    ['an oversized login_hint', { ...LOGIN, login_hint: 'h'.repeat(3000) }, 'LTI_LOGIN_PARAMETER_MISSING'],
    ['an unregistered issuer', { ...LOGIN, iss: 'https://unknown-lms.test' }, 'LTI_PLATFORM_UNKNOWN'],
    ['an unregistered client id', { ...LOGIN, client_id: 'someone-else' }, 'LTI_PLATFORM_UNKNOWN'],
    ['an unknown deployment', { ...LOGIN, lti_deployment_id: 'd9' }, 'LTI_PLATFORM_UNKNOWN'],
    ['an unregistered target (open redirect)', { ...LOGIN, target_link_uri: 'https://attacker.test/phish' }, 'LTI_TARGET_LINK_UNREGISTERED'],
    ['a target on our origin but not a launch URL', { ...LOGIN, target_link_uri: `${TOOL}/watch?v=sample-dash` }, 'LTI_TARGET_LINK_UNREGISTERED'],
  ];
  for (const [name, params, code] of cases) {
    it(`refuses ${name} with ${code}`, async () => {
      const response = await get(LTI_ROUTES.login, params);
      assert.equal(response.headers.get('location'), null);
      assert.deepEqual(await refusal(response), { status: 400, code });
    });
  }

  it('refuses a parameter sent twice', async () => {
    const response = await tool.handler(new Request(`${TOOL}${LTI_ROUTES.login}?${new URLSearchParams(LOGIN)}&iss=${encodeURIComponent('https://other.test')}`));
    assert.deepEqual(await refusal(response), { status: 400, code: 'LTI_LOGIN_PARAMETER_MISSING' });
  });
});

describe('LTI launch refusals (401, an error page, no session)', () => {
  for (const [name, mutator] of Object.entries(MUTATORS)) {
    it(`refuses ${name} with ${mutator.code}`, async () => {
      const at = await login();
      assert.deepEqual(await refusal(await launch(at, await signed(at, mutator.apply))), { status: 401, code: mutator.code });
      // The refusal spent nothing: the same login still launches with a good token.
      assert.equal((await launch(at, await signed(at))).status, 200);
    });
  }

  it('refuses a launch without id_token or state', async () => {
    const at = await login();
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { state: at.state })), { status: 401, code: 'LTI_ID_TOKEN_MISSING' });
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { id_token: await signed(at) })), { status: 401, code: 'LTI_ID_TOKEN_MISSING' });
  });

  it("refuses the platform's error response (login_required)", async () => {
    const at = await login();
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { error: 'login_required', state: at.state })), { status: 401, code: 'LTI_ID_TOKEN_MISSING' });
  });

  it('refuses a state that was never issued', async () => {
    const at = await login();
    const idToken = await signed(at);
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { id_token: idToken, state: 'forged-state-0123456789abcdef' }, { cookie: `${at.cookieName}=${at.binding}` })), { status: 401, code: 'LTI_STATE_UNKNOWN' });
  });

  it('refuses a replayed launch: state is single-use', async () => {
    const at = await login();
    const idToken = await signed(at);
    assert.equal((await launch(at, idToken)).status, 200);
    assert.deepEqual(await refusal(await launch(at, idToken)), { status: 401, code: 'LTI_STATE_UNKNOWN' });
  });

  it('refuses the nonce of another login (equal to what was sent, not merely unseen)', async () => {
    const first = await login();
    const second = await login();
    const token = await signed(first);
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { id_token: token, state: second.state }, { cookie: `${second.cookieName}=${second.binding}` })), { status: 401, code: 'LTI_NONCE_MISMATCH' });
  });

  it('refuses a launch with the wrong binding (another browser) and with an empty one', async () => {
    const at = await login();
    const idToken = await signed(at);
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { id_token: idToken, state: at.state }, { cookie: `${at.cookieName}=someone-elses-binding` })), { status: 401, code: 'LTI_STATE_UNBOUND' });
    assert.deepEqual(await refusal(await post(LTI_ROUTES.launch, { id_token: idToken, state: at.state, bind: '', carrier: 'none' })), { status: 401, code: 'LTI_STATE_UNBOUND' });
  });

  it('refuses concurrent launches of one state: exactly one wins', async () => {
    const at = await login();
    const idToken = await signed(at);
    const statuses = (await Promise.all([launch(at, idToken), launch(at, idToken), launch(at, idToken)])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 401, 401]);
  });

  it('refuses a launch whose link names no video', async () => {
    const at = await login();
    assert.deepEqual(await refusal(await launch(at, await signed(at, (s) => void delete s.claims['https://purl.imsglobal.org/spec/lti/claim/custom']))), { status: 401, code: 'LTI_CLAIM_INVALID' });
  });

  it('ignores unknown claims', async () => {
    const at = await login();
    assert.equal((await launch(at, await signed(at, (s) => void (s.claims['https://example.test/claim/anything'] = { nested: [1, 2] })))).status, 200);
  });
});

/** An instructor's deep-linking request for course c101, signed like the demo LMS signs it. */
async function deepLinkRequest(at: Login, mutate?: (s: Signing) => void | Promise<void>): Promise<string> {
  const claims = deepLinkingClaims({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    deploymentId: 'd1',
    nonce: at.nonce,
    targetLinkUri: LAUNCH_URL,
    sub: 'teacher-1',
    roles: [ROLE.instructor],
    context: { id: 'c101', title: 'Course 101' },
    name: 'Tess Teacher',
    email: 'Teacher@School.test',
    returnUrl: RETURN_URL,
    data: 'platform-opaque-data.123',
  });
  const signing: Signing = { claims, header: { alg: 'RS256', kid: platform.current.kid, typ: 'JWT' }, key: platform.current.privateKey };
  await mutate?.(signing);
  return signLaunch(signing);
}

/** The picker page of a fresh deep-linking launch, and its single-use secret. */
async function picker(mutate?: (s: Signing) => void | Promise<void>): Promise<{ html: string; deepLink: string; response: Response }> {
  const at = await login();
  const response = await launch(at, await deepLinkRequest(at, mutate));
  const html = await response.text();
  return { html, response, deepLink: /name="deep_link" value="([^"]+)"/.exec(html)?.[1] ?? '', };
}

function pick(deepLink: string, video: string): Promise<Response> {
  return post(LTI_ROUTES.deepLink, { deep_link: deepLink, video });
}

const COURSE = `lti-context:${ISSUER}/d1/c101` as const;
const courseGrant = async (videoId: string) => (await storage.grants.read(videoId))!.grants.find((grant) => grant.principal === COURSE);

describe('LTI Deep Linking 2.0: the picker and the signed response', () => {
  it("an instructor's request opens the picker: her own videos and those shared with her as editor, nothing else", async () => {
    const { html, response, deepLink } = await picker();
    assert.equal(response.status, 200, html);
    assert.match(html, /id="veil-lti-picker"/);
    const offered = [...html.matchAll(/data-veil-pick="([^"]+)"/g)].map((match) => match[1]).sort();
    assert.deepEqual(offered, ['dl-edit', 'dl-own']);
    assert.equal(sessionToken(html), undefined, 'a picker is no playback session');
    assert.ok(Buffer.from(deepLink, 'base64url').length >= 16);
    assert.doesNotMatch(html, /<script>/, 'no inline script');
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors http:\/\/localhost:9(;|$)/);
  });

  it('short and sub-role names of the instructor roles are accepted', async () => {
    for (const roles of [['Instructor'], ['TeachingAssistant'], ['ContentDeveloper'], ['http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator'], ['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant']]) {
      const { html, response } = await picker((s) => void (s.claims['https://purl.imsglobal.org/spec/lti/claim/roles'] = roles));
      assert.equal(response.status, 200, `${roles.join()}: ${html.slice(0, 300)}`);
      assert.match(html, /id="veil-lti-picker"/);
    }
  });

  it('choosing a video grants the course viewer and answers a signed LtiDeepLinkingResponse, auto-posted to the return URL', async () => {
    const { deepLink } = await picker();
    const response = await pick(deepLink, 'dl-own');
    const html = await response.text();
    assert.equal(response.status, 200, html);
    const grant = await courseGrant('dl-own');
    assert.deepEqual(grant && { role: grant.role, expiresAt: grant.expiresAt, grantedBy: grant.grantedBy }, { role: 'viewer', expiresAt: null, grantedBy: TEACHER });
    // The form posts to the platform only (CSP form-action), by the tool's script file.
    assert.match(html, new RegExp(`<form id="veil-lti-return-form" method="post" action="${RETURN_URL}">`));
    assert.match(html, /<script src="\/lti\/launch.js" defer><\/script>/);
    assert.match(response.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/localhost:9;/);
    const jwt = /name="JWT" value="([^"]+)"/.exec(html)![1]!;
    const header = decodeProtectedHeader(jwt);
    const { keys } = (await (await tool.handler(new Request(`${TOOL}${LTI_ROUTES.jwks}`))).json()) as { keys: Array<{ kid: string }> };
    assert.equal(header.alg, 'RS256');
    assert.ok(keys.some((key) => key.kid === header.kid), "signed with the tool's published kid");
    const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: keys as never }), { issuer: CLIENT_ID, audience: ISSUER, algorithms: ['RS256'] });
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/message_type'], 'LtiDeepLinkingResponse');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/version'], '1.3.0');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], 'd1');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'platform-opaque-data.123', 'data echoed unaltered');
    assert.ok(typeof payload.nonce === 'string' && payload.nonce.length >= 16);
    assert.deepEqual(payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'], [{ type: 'ltiResourceLink', title: 'Video dl-own', url: LAUNCH_URL, custom: { video: 'dl-own' } }]);
  });

  it('a video shared with her as editor can be added too; picking it again keeps the one grant', async () => {
    for (let round = 0; round < 2; round++) {
      const { deepLink } = await picker();
      assert.equal((await pick(deepLink, 'dl-edit')).status, 200);
    }
    assert.equal((await storage.grants.read('dl-edit'))!.grants.filter((grant) => grant.principal === COURSE).length, 1);
  });

  it("the course's grant is on the audit trail as a share-dialog grant is: share-granted, the instructor as actor, once", async () => {
    // dl-edit: the test above granted it (twice picked, once granted); its record, and no second one.
    const forVideo = (video: string) => audited.filter((event) => event.video === video);
    assert.deepEqual(forVideo('dl-edit'), [{ type: 'share-granted', actor: TEACHER, org: 'acme', video: 'dl-edit', data: { principal: COURSE, role: 'viewer', expiresAt: undefined } }]);
    const { deepLink } = await picker();
    const before = audited.length;
    assert.equal((await pick(deepLink, 'dl-edit')).status, 200);
    assert.equal(audited.length, before, 'a grant kept is no new share');
  });
});

describe('LTI Deep Linking 2.0: refusals', () => {
  for (const [name, mutator] of Object.entries(DEEP_LINK_MUTATORS)) {
    it(`refuses the request ${name} with ${mutator.code}, no picker`, async () => {
      const { html, response } = await picker(mutator.apply);
      assert.doesNotMatch(html, /veil-lti-picker|name="deep_link"/);
      assert.deepEqual({ status: response.status, code: /data-veil-error-code="([A-Z_]+)"/.exec(html)?.[1] }, { status: ERROR_STATUS[mutator.code], code: mutator.code });
    });
  }

  // Every launch rule holds for a deep-linking request too (those about a resource link do not apply: it has none).
  const notApplicable = new Set(['no-resource-link', 'resource-link-no-id', 'resource-link-id-number']);
  for (const [name, mutator] of Object.entries(MUTATORS).filter(([name]) => !notApplicable.has(name))) {
    it(`refuses a deep-linking request with ${name} (${mutator.code})`, async () => {
      const { html, response } = await picker(mutator.apply);
      assert.doesNotMatch(html, /name="deep_link"/);
      assert.deepEqual({ status: response.status, code: /data-veil-error-code="([A-Z_]+)"/.exec(html)?.[1] }, { status: 401, code: mutator.code });
    });
  }

  it('a tool without a picker refuses a deep-linking request as an unknown message type', async () => {
    const at = await login(LOGIN, plainTool);
    assert.deepEqual(await refusal(await launch(at, await deepLinkRequest(at), true, plainTool)), { status: 401, code: 'LTI_MESSAGE_TYPE_INVALID' });
  });

  it('a return already used is refused (single-use), and so is one never issued', async () => {
    const { deepLink } = await picker();
    assert.equal((await pick(deepLink, 'dl-own')).status, 200);
    const again = await pick(deepLink, 'dl-edit');
    assert.deepEqual(await refusal(again), { status: 401, code: 'LTI_DEEP_LINK_UNKNOWN' });
    assert.deepEqual(await refusal(await pick('never-issued-0123456789abcdef', 'dl-own')), { status: 401, code: 'LTI_DEEP_LINK_UNKNOWN' });
    assert.deepEqual(await refusal(await post(LTI_ROUTES.deepLink, { video: 'dl-own' })), { status: 401, code: 'LTI_DEEP_LINK_UNKNOWN' });
  });

  it('concurrent choices on one picker: exactly one wins', async () => {
    const { deepLink } = await picker();
    const statuses = (await Promise.all([pick(deepLink, 'dl-own'), pick(deepLink, 'dl-own'), pick(deepLink, 'dl-own')])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 401, 401]);
  });

  for (const video of ['dl-view', 'dl-other', 'no-such-video', '']) {
    it(`refuses a choice she may not share (${video || 'none'}): no grant, no response`, async () => {
      const { deepLink } = await picker();
      const response = await pick(deepLink, video);
      const html = await response.clone().text();
      assert.doesNotMatch(html, /name="JWT"/);
      assert.deepEqual(await refusal(response), { status: 403, code: 'LTI_DEEP_LINK_VIDEO_REFUSED' });
      if (video.startsWith('dl-')) assert.equal(await courseGrant(video), undefined);
      assert.deepEqual(audited.filter((event) => event.video === video), [], 'nothing granted, nothing audited');
    });
  }

  it('an expired picker is refused by the store (and swept)', async () => {
    await storage.lti.saveDeepLink({ idHash: 'expired', issuer: ISSUER, clientId: CLIENT_ID, deploymentId: 'd1', org: 'acme', contextId: 'c101', sub: TEACHER, returnUrl: RETURN_URL, data: null, expiresAt: Date.now() - 1 });
    assert.equal(await storage.lti.takeDeepLink('expired', Date.now()), undefined);
  });
});

const ERROR_STATUS: Record<string, number> = { LTI_DEEP_LINK_SETTINGS_INVALID: 401, LTI_DEEP_LINK_ROLE_REFUSED: 403, LTI_INSTRUCTOR_UNKNOWN: 403, LTI_ROLES_INVALID: 401 };
