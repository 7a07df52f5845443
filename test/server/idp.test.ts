/**
 * The dev IdP end to end over real HTTP: mounted under /idp of a node http server on an
 * ephemeral port, driven like a browser (fetch, `redirect: 'manual'`, a small cookie jar)
 * through authorization code + PKCE, then token, refresh and logout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { DevIdp } from '../../demo/idp/index.js';
import { VeilError } from '../../src/protocol/errors.js';
import { createAccessTokenVerifier } from '../../src/server/identity/oidc.js';
import { checkPerimeter } from '../../src/server/identity/perimeter.js';
import {
  assertCspSafePage,
  authorizeUrl as authorizeUrlAt,
  Browser,
  CLIENT_ID,
  pkce,
  SCOPE,
  startAuthorization as startAuthorizationAt,
  startIdpServer,
  type Discovery,
  type IdpServer,
} from '../support/idp.js';

interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  error?: string;
}

describe('dev IdP (oidc-provider mounted under /idp)', () => {
  let idp: DevIdp;
  let origin: string;
  let issuer: string;
  let apiResource: string;
  let redirectUri: string;
  let discovery: Discovery;
  let env: IdpServer;

  before(async () => {
    env = await startIdpServer();
    ({ idp, origin, issuer, apiResource, redirectUri, discovery } = env);
  });

  after(async () => {
    await env.close();
  });

  function authorizeUrl(params: Record<string, string>): string {
    return authorizeUrlAt(discovery, params);
  }

  function startAuthorization(browser: Browser, extra: Record<string, string> = {}) {
    return startAuthorizationAt(env, browser, extra);
  }

  async function signIn(login: string, password = 'veil-demo') {
    const browser = new Browser();
    const auth = await startAuthorization(browser);
    assert.equal(auth.response.status, 303);
    const interactionUrl = new URL(auth.response.headers.get('location') ?? '', auth.url).href;
    await auth.response.arrayBuffer();
    const page = await browser.fetch(interactionUrl);
    const html = await page.text();
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', interactionUrl).href;
    const posted = await browser.postForm(action, { login, password });
    const result = await browser.follow(posted, action, redirectUri);
    assert.ok(result.location, `sign-in should end at the redirect_uri, got ${result.response?.status}`);
    const code = result.location.searchParams.get('code');
    assert.ok(code, 'code');
    assert.equal(result.location.searchParams.get('state'), auth.state);
    const tokens = await exchangeCode(code, auth.verifier);
    return { browser, tokens, auth, hops: result.hops };
  }

  async function tokenRequest(fields: Record<string, string>): Promise<{ status: number; body: TokenResponse }> {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, ...fields }).toString(),
    });
    return { status: response.status, body: (await response.json()) as TokenResponse };
  }

  async function exchangeCode(code: string, verifier: string): Promise<TokenResponse> {
    const { status, body } = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  }

  it('serves discovery for an issuer with a path, every endpoint under /idp', () => {
    assert.equal(discovery.issuer, issuer);
    for (const endpoint of [discovery.authorization_endpoint, discovery.token_endpoint, discovery.jwks_uri, discovery.end_session_endpoint]) {
      assert.ok(endpoint.startsWith(`${issuer}/`), endpoint);
    }
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['ES256']);
    for (const scope of ['openid', 'profile', 'email', 'org', 'offline_access']) assert.ok(discovery.scopes_supported?.includes(scope), scope);
    for (const claim of ['org', 'groups', 'email', 'name']) assert.ok(discovery.claims_supported?.includes(claim), claim);
  });

  it('publishes only public keys, the same ones as its jwks_uri', async () => {
    const published = (await (await fetch(discovery.jwks_uri)).json()) as { keys: JsonWebKey[] };
    assert.ok(idp.jwks.keys.length >= 1, 'idp.jwks.keys.length >= 1');
    for (const key of idp.jwks.keys) {
      assert.equal(key.d, undefined);
      assert.equal(key.kty, 'EC');
    }
    const kids = (keys: JsonWebKey[]) => keys.map((k) => (k as { kid?: string }).kid).sort();
    assert.deepEqual(kids(published.keys), kids(idp.jwks.keys));
    for (const key of published.keys) assert.equal(key.d, undefined);
  });

  it('runs authorization code + PKCE: sign-in form, wrong password refused, right password returns a code', async () => {
    const browser = new Browser();
    const auth = await startAuthorization(browser);
    assert.equal(auth.response.status, 303);
    const interactionUrl = new URL(auth.response.headers.get('location') ?? '', auth.url);
    assert.match(interactionUrl.pathname, /^\/idp\/interaction\/[A-Za-z0-9_-]+$/);

    const page = await browser.fetch(interactionUrl.href);
    assert.equal(page.status, 200);
    const html = await page.text();
    assertCspSafePage(page, html);
    assert.match(html, /<input[^>]*name="login"/);
    assert.match(html, /<input[^>]*type="password"[^>]*name="password"|<input[^>]*name="password"[^>]*/);
    assert.match(html, /<button[^>]*type="submit"/);
    assert.match(html, /<link rel="stylesheet" href="\/idp\/assets\/idp.css">/);
    const css = await fetch(`${origin}/idp/assets/idp.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', interactionUrl).href;
    assert.equal(action, `${interactionUrl.href}/login`);

    // Wrong password: the form again, with a text error, and no way on to the client.
    const wrong = await browser.postForm(action, { login: 'alice@acme.test', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('location'), null);
    const wrongHtml = await wrong.text();
    assertCspSafePage(wrong, wrongHtml);
    assert.match(wrongHtml, /Incorrect email or password/);
    assert.match(wrongHtml, /name="login" value="alice@acme.test"/);
    assert.doesNotMatch(wrongHtml, /code=/);

    // Unknown user: same refusal.
    const unknown = await browser.postForm(action, { login: 'eve@acme.test', password: 'veil-demo' });
    assert.equal(unknown.status, 401);
    await unknown.arrayBuffer();

    // Markup in the login is escaped, never rendered.
    const hostile = await browser.postForm(action, { login: '"><script>alert(1)</script>', password: 'x' });
    const hostileHtml = await hostile.text();
    assert.doesNotMatch(hostileHtml, /<script>alert/);
    assert.match(hostileHtml, /&quot;&gt;&lt;script&gt;/);

    // Right password: redirects (no consent page) back to the client with a code.
    const right = await browser.postForm(action, { login: 'alice@acme.test', password: 'veil-demo' });
    assert.equal(right.status, 303);
    const result = await browser.follow(right, action, redirectUri);
    assert.ok(result.location, 'ends at redirect_uri');
    assert.equal(result.location.origin + result.location.pathname, redirectUri);
    assert.ok(result.location.searchParams.get('code'), 'result.location.searchParams.get(\'code\')');
    assert.equal(result.location.searchParams.get('state'), auth.state);
    assert.equal(result.location.searchParams.get('iss'), issuer);
    assert.ok(!result.hops.some((hop) => hop.includes('/interaction/')), `no second interaction: ${result.hops.join(' -> ')}`);
    // The IdP's session cookie stays under its mount path.
    assert.ok(browser.jar.names().some((name) => name === 'veil_idp_session@/idp'), browser.jar.names().join(','));

    const tokens = await exchangeCode(result.location.searchParams.get('code')!, auth.verifier);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 600);
    assert.ok(tokens.id_token, 'tokens.id_token');
    assert.ok(tokens.refresh_token, 'tokens.refresh_token');

    // JWT access token for the API (RFC 9068).
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'ES256');
    assert.ok(header.kid, 'header.kid');
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, apiResource);
    assert.equal(claims.sub, 'alice@acme.test');
    assert.equal(claims.client_id, CLIENT_ID);
    assert.equal(claims.org, 'acme');
    assert.deepEqual(claims.groups, ['veil-admins', 'acme-staff']);
    assert.equal(claims.email, 'alice@acme.test');
    assert.equal(claims.name, 'Alice Example');
    assert.equal(claims.scope, 'org');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);

    // Verified the way the token service does it.
    const verify = createAccessTokenVerifier({ issuer, audience: apiResource, jwks: createLocalJWKSet(idp.jwks) });
    const identity = await verify(tokens.access_token);
    assert.deepEqual(identity, {
      sub: 'alice@acme.test',
      issuer,
      org: 'acme',
      groups: ['veil-admins', 'acme-staff'],
      email: 'alice@acme.test',
      name: 'Alice Example',
    });
    checkPerimeter(identity, { issuer, org: 'acme' });
    checkPerimeter(identity, { issuer, org: 'acme', groups: ['veil-admins'], emailDomains: ['acme.test'] });

    // ID token: ES256, for the client, with the identity claims (no userinfo call needed).
    const { payload: idToken, protectedHeader } = await jwtVerify(tokens.id_token, createLocalJWKSet(idp.jwks), {
      issuer,
      audience: CLIENT_ID,
      algorithms: ['ES256'],
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(idToken.nonce, auth.nonce);
    assert.equal(idToken.sub, 'alice@acme.test');
    assert.equal(idToken.org, 'acme');
    assert.deepEqual(idToken.groups, ['veil-admins', 'acme-staff']);
    assert.equal(idToken.email, 'alice@acme.test');
    assert.equal(idToken.name, 'Alice Example');

    // The authorization code is single-use.
    const reused = await tokenRequest({
      grant_type: 'authorization_code',
      code: result.location.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: auth.verifier,
    });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'invalid_grant');

    // Signed in once: the next authorization goes straight back with a code (never asked twice).
    const again = await startAuthorization(browser);
    const sso = await browser.follow(again.response, again.url, redirectUri);
    assert.ok(sso.location?.searchParams.get('code'), `silent re-authorization: ${sso.hops.join(' -> ')}`);
    assert.ok(!sso.hops.some((hop) => hop.includes('/interaction/')), '!sso.hops.some((hop) => hop.includes(\'/interaction/\'))');
  });

  it('rotates refresh tokens and refuses a used one', async () => {
    const { tokens } = await signIn('bob@acme.test');
    const first = tokens.refresh_token!;
    assert.ok(first, 'first');

    // oidc-client-ts sends back the scope of the token response ("org") with a refresh.
    assert.equal(tokens.scope, 'org');
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first, scope: tokens.scope! });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.ok(refreshed.body.refresh_token, 'refreshed.body.refresh_token');
    assert.notEqual(refreshed.body.refresh_token, first);
    assert.equal(decodeProtectedHeader(refreshed.body.access_token).typ, 'at+jwt');
    const claims = decodeJwt(refreshed.body.access_token);
    assert.equal(claims.aud, apiResource);
    assert.equal(claims.org, 'acme');
    assert.deepEqual(claims.groups, ['acme-staff']);
    const verify = createAccessTokenVerifier({ issuer, audience: apiResource, jwks: createLocalJWKSet(idp.jwks) });
    assert.equal((await verify(refreshed.body.access_token)).sub, 'bob@acme.test');

    // Rotated again without a scope parameter.
    const second = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token! });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.notEqual(second.body.refresh_token, refreshed.body.refresh_token);
    assert.equal(decodeJwt(second.body.access_token).aud, apiResource);

    // A used refresh token is refused (and, being a replay, revokes the grant's later tokens too).
    const replay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    const afterReplay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token! });
    assert.equal(afterReplay.status, 400);
    assert.equal(afterReplay.body.error, 'invalid_grant');
  });

  it('signs in mallory (org globex), whom the acme perimeter refuses', async () => {
    const { tokens } = await signIn('mallory@globex.test');
    const verify = createAccessTokenVerifier({ issuer, audience: apiResource, jwks: createLocalJWKSet(idp.jwks) });
    const identity = await verify(tokens.access_token);
    assert.equal(identity.org, 'globex');
    assert.throws(
      () => checkPerimeter(identity, { issuer, org: 'acme' }),
      (error: unknown) => error instanceof VeilError && error.code === 'PERIMETER_DENIED' && error.data.reason === 'org',
    );
  });

  it('returns access_denied to the client when the viewer cancels the sign-in', async () => {
    const browser = new Browser();
    const auth = await startAuthorization(browser);
    const interactionUrl = new URL(auth.response.headers.get('location') ?? '', auth.url).href;
    const html = await (await browser.fetch(interactionUrl)).text();
    const abort = /<form method="post" action="([^"]+\/abort)"/.exec(html)?.[1];
    assert.ok(abort, 'the sign-in page offers a cancel form');
    const cancelled = await browser.postForm(new URL(abort, interactionUrl).href, {});
    const result = await browser.follow(cancelled, interactionUrl, redirectUri);
    assert.ok(result.location, 'cancel ends at the redirect_uri');
    assert.equal(result.location.searchParams.get('error'), 'access_denied');
    assert.equal(result.location.searchParams.get('state'), auth.state);
    assert.equal(result.location.searchParams.get('code'), null);
  });

  it('refuses an authorization request without PKCE', async () => {
    const browser = new Browser();
    const url = authorizeUrl({ client_id: CLIENT_ID, redirect_uri: redirectUri, response_type: 'code', scope: SCOPE, state: 's1' });
    const response = await browser.fetch(url);
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location') ?? '', url);
    assert.equal(location.origin + location.pathname, redirectUri);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
    assert.equal(location.searchParams.get('code'), null);

    // plain is not accepted either
    const plain = await browser.fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: SCOPE,
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      }),
    );
    assert.equal(new URL(plain.headers.get('location') ?? '', url).searchParams.get('error'), 'invalid_request');
  });

  it('renders its errors as CSP-safe pages (unknown client, unregistered redirect_uri)', async () => {
    const unknownClient = await fetch(authorizeUrl({ client_id: 'nope', redirect_uri: redirectUri, response_type: 'code', scope: 'openid' }));
    assert.equal(unknownClient.status, 400);
    const body = await unknownClient.text();
    assertCspSafePage(unknownClient, body);
    assert.match(body, /invalid_client/);

    const { challenge } = pkce();
    const badRedirect = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: `${origin}/watch?v=x`,
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { redirect: 'manual' },
    );
    assert.equal(badRedirect.status, 400);
    const badBody = await badRedirect.text();
    assertCspSafePage(badRedirect, badBody);
    assert.match(badBody, /redirect_uri/);
  });

  it('signs out through a script-free confirmation form and returns to the post-logout URI', async () => {
    const { browser, tokens } = await signIn('alice@acme.test');
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('id_token_hint', tokens.id_token!);
    url.searchParams.set('post_logout_redirect_uri', `${origin}/`);
    url.searchParams.set('state', 'bye');
    const confirm = await browser.fetch(url.href);
    assert.equal(confirm.status, 200);
    const html = await confirm.text();
    assertCspSafePage(confirm, html);
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && xsrf, 'action && xsrf');
    assert.match(html, /<button type="submit" name="logout" value="yes"/);

    const done = await browser.postForm(new URL(action, url).href, { xsrf, logout: 'yes' });
    assert.equal(done.status, 303);
    const location = new URL(done.headers.get('location') ?? '');
    assert.equal(location.href, `${origin}/?state=bye`);

    // Signed out: authorization asks for the sign-in form again.
    const again = await startAuthorization(browser);
    assert.equal(again.response.status, 303);
    assert.match(again.response.headers.get('location') ?? '', /\/idp\/interaction\//);

    // Without a session, end-session auto-submits via the external script, not an inline one.
    const anonymous = await fetch(discovery.end_session_endpoint);
    const anonymousHtml = await anonymous.text();
    assertCspSafePage(anonymous, anonymousHtml);
    assert.match(anonymousHtml, /<script src="\/idp\/assets\/form-post.js"><\/script>/);
    const script = await fetch(`${origin}/idp/assets/form-post.js`);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(await script.text(), /form\.submit\(\)/);
  });

  it('answers unknown IdP paths with 404 and keeps the sign-in routes to their methods', async () => {
    assert.equal((await fetch(`${origin}/idp/nope`)).status, 404);
    assert.equal((await fetch(`${origin}/idp/interaction/abc/login`)).status, 405);
    const expired = await fetch(`${origin}/idp/interaction/abc`);
    assert.equal(expired.status, 400);
    assertCspSafePage(expired, await expired.text());
  });
});
