/**
 * The dev IdP's Entra look-alike over HTTPS (a CA made for this run), signed into with the
 * authorization-code flow like a browser would, and its access tokens judged by the real Entra
 * verifier: a member of the allowed tenant passes with `oid`/`tid`/`groups`; the other tenant and
 * the consumer tenant find no verifier; a guest fails members-only; the overage user fails closed
 * without a directory. Also what a browser on it sees: discovery at the tenant issuer, TLS only.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt } from 'jose';
import { createEntraLookalike, ENTRA_DEV_TENANTS, type EntraLookalike } from '../../demo/idp/entra-lookalike.js';
import { VeilError } from '../../src/protocol/errors.js';
import { createEntraVerifiers } from '../../src/server/identity/entra.js';
import { createIdentityRegistry } from '../../src/server/identity/registry.js';
import type { AccessTokenVerifier } from '../../src/server/identity/verifier.js';
import { Browser, CLIENT_ID, startAuthorization, type Discovery } from '../support/idp.js';
import { createTestTls, fetchTrusting, type TestTls } from '../support/tls.js';

let tls: TestTls;
let server: Server;
let origin: string;
let lookalike: EntraLookalike;
let trusting: typeof fetch;
let verify: AccessTokenVerifier;
let membersOnly: AccessTokenVerifier;
const API = 'api://veil-dev';

async function discoveryOf(tenantId: string): Promise<Discovery> {
  const response = await trusting(`${lookalike.authorityBase}/${tenantId}/v2.0/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  return (await response.json()) as Discovery;
}

/** Starts authorization code + PKCE at a tenant (as msal does) and submits the sign-in form. */
async function submitLogin(tenantId: string, login: string) {
  const discovery = await discoveryOf(tenantId);
  const redirectUri = `${origin}/entra-callback`;
  const browser = new Browser(trusting);
  const auth = await startAuthorization({ discovery, redirectUri }, browser);
  const interactionUrl = new URL(auth.response.headers.get('location') ?? '', auth.url).href;
  const html = await (await browser.fetch(interactionUrl)).text();
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', interactionUrl).href;
  return { discovery, redirectUri, browser, auth, action, posted: await browser.postForm(action, { login, password: 'veil-demo' }) };
}

/** A complete sign-in; returns the token response. */
async function signIn(tenantId: string, login: string): Promise<{ access_token: string; id_token: string }> {
  const { discovery, redirectUri, browser, auth, action, posted } = await submitLogin(tenantId, login);
  const result = await browser.follow(posted, action, redirectUri);
  const code = result.location?.searchParams.get('code');
  assert.ok(code, `sign-in of ${login} should end at the redirect URI`);
  const response = await trusting(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: auth.verifier }).toString(),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { access_token: string; id_token: string };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VeilError, String(error));
    return error.code === 'ACCESS_TOKEN_INVALID' ? `${error.code}:${String(error.data.reason)}` : error.code;
  }
  assert.fail('accepted');
}

before(async () => {
  tls = createTestTls();
  trusting = fetchTrusting(tls.ca);
  let handle: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  lookalike = await createEntraLookalike({ origin, apiResource: API, clients: [{ client_id: CLIENT_ID, redirect_uris: [`${origin}/entra-callback`], post_logout_redirect_uris: [] }] });
  handle = (req, res) => {
    if (!lookalike.handle(req, res)) res.writeHead(404).end();
  };
  // The deployment allows acme's tenant only; keys from the look-alike (Entra's would come from its JWKS URL).
  const acme = lookalike.tenants.find((tenant) => tenant.tenantId === ENTRA_DEV_TENANTS.acme)!;
  const options = { tenants: [{ tenantId: acme.tenantId, org: 'acme' }], audience: API, authorityBase: lookalike.authorityBase, algorithms: ['ES256'], jwks: () => createLocalJWKSet(acme.jwks) };
  verify = createIdentityRegistry(createEntraVerifiers(options));
  membersOnly = createIdentityRegistry(createEntraVerifiers({ ...options, membersOnly: true }));
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tls.remove();
});

describe('Entra look-alike over TLS', () => {
  it('serves each tenant as its own v2.0 issuer, over HTTPS with the run CA only', async () => {
    for (const tenantId of Object.values(ENTRA_DEV_TENANTS)) assert.equal((await discoveryOf(tenantId)).issuer, `${origin}/entra/${tenantId}/v2.0`);
    await assert.rejects(fetch(`${lookalike.authorityBase}/${ENTRA_DEV_TENANTS.acme}/v2.0/.well-known/openid-configuration`), 'an untrusted CA is refused');
  });

  it('a member of the allowed tenant: Entra claims in the tokens, accepted as acme with oid as the subject', async () => {
    const tokens = await signIn(ENTRA_DEV_TENANTS.acme, 'alice@acme.test');
    const idClaims = decodeJwt(tokens.id_token);
    assert.equal(idClaims.tid, ENTRA_DEV_TENANTS.acme);
    assert.equal(idClaims.preferred_username, 'alice@acme.test');
    const viewer = await verify(tokens.access_token);
    assert.deepEqual(viewer, { issuer: `${origin}/entra/${ENTRA_DEV_TENANTS.acme}/v2.0`, sub: 'a11ce000-0000-4000-8000-00000000a11c', org: 'acme', groups: ['acme-staff'], email: 'alice@acme.test', name: 'Alice Example' });
  });

  it('another tenant and the consumer tenant are refused; a guest under members-only; overage without a directory', async () => {
    assert.equal(await refusal(verify((await signIn(ENTRA_DEV_TENANTS.globex, 'mallory@globex.test')).access_token)), 'ACCESS_TOKEN_INVALID:issuer');
    assert.equal(await refusal(verify((await signIn(ENTRA_DEV_TENANTS.consumers, 'pat@outlook.test')).access_token)), 'ACCESS_TOKEN_INVALID:issuer');
    const guest = (await signIn(ENTRA_DEV_TENANTS.acme, 'gary@partner.test')).access_token;
    assert.equal(decodeJwt(guest).acct, 1);
    assert.equal(await refusal(membersOnly(guest)), 'ENTRA_GUEST_NOT_ALLOWED');
    assert.equal((await verify(guest)).sub, '6a770000-0000-4000-8000-0000000006a7', 'a guest passes when members-only is off');
    const overage = (await signIn(ENTRA_DEV_TENANTS.acme, 'olga@acme.test')).access_token;
    assert.equal(decodeJwt(overage).groups, undefined);
    assert.equal(await refusal(verify(overage)), 'ENTRA_GROUPS_OVERAGE');
  });

  it("a tenant's users cannot sign in at another tenant", async () => {
    assert.equal((await submitLogin(ENTRA_DEV_TENANTS.globex, 'alice@acme.test')).posted.status, 401);
  });
});
