/**
 * Entra sign-in in real Chromium with real msal-browser against the dev IdP's Entra look-alike
 * over HTTPS (a CA made for this run, trusted through an NSS database in a per-run HOME): a member
 * of the allowed tenant signs in by redirect (through the redirect-bridge page) and plays; a guest
 * under members-only, an overage user, a user of another tenant and a personal (consumer-tenant)
 * account are refused by the token service before any engine byte. From inside a cross-site iframe
 * (host page on `localhost`, player on 127.0.0.1) msal signs in through the popup relay page.
 * A member deactivated or deleted through SCIM while playing stops within one playback-token
 * lifetime (the demo runs with a short one), and no renewal succeeds after it.
 */
import assert from 'node:assert/strict';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createEntraLookalike, ENTRA_DEV_TENANTS, ENTRA_DEV_USERS, type EntraDevUser, type EntraLookalike } from '../../demo/idp/entra-lookalike.js';
import { playerState, watchCsp, watchRequests } from '../support/browser.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';
import { startTestDemo, type Demo } from '../support/demo.js';
import { serveStatic } from '../support/static-server.js';
import { createTestTls, type TestTls } from '../support/tls.js';

/** A fixed port (this feature's range): the look-alike registers the demo's redirect URI before the demo starts. */
const DEMO_PORT = 8411;
const DEMO = `http://127.0.0.1:${DEMO_PORT}`;
/** Playback-token lifetime of this file's demo: deprovisioning must stop a player within it. */
const TTL_SECONDS = 5;
/** Members who leave the company during the tests (one deactivated, one deleted through SCIM). */
const LEAVERS: readonly EntraDevUser[] = [
  { login: 'dana@acme.test', oid: 'da9a0000-0000-4000-8000-00000000da9a', name: 'Dana Leaver', tenantId: ENTRA_DEV_TENANTS.acme, acct: 0, groups: ['acme-staff'] },
  { login: 'erin@acme.test', oid: 'e7170000-0000-4000-8000-00000000e717', name: 'Erin Leaver', tenantId: ENTRA_DEV_TENANTS.acme, acct: 0, groups: ['acme-staff'] },
];

let tls: TestTls;
let server: Server;
let lookalike: EntraLookalike;
let demo: Demo;
let browser: Browser;
/** The host page framing the player: on `localhost`, cross-site to the demo on 127.0.0.1. */
let host: { server: HttpServer; origin: string };

before(async () => {
  tls = createTestTls();
  let handle: Parameters<typeof createServer>[1] = (_req, res) => res.writeHead(503).end();
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => handle!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  lookalike = await createEntraLookalike({ origin, apiResource: `${DEMO}/api`, clients: [{ client_id: 'veil-demo', redirect_uris: [`${DEMO}/entra/redirect`], post_logout_redirect_uris: [`${DEMO}/`], redirect_origins: [DEMO] }], users: [...ENTRA_DEV_USERS, ...LEAVERS] });
  handle = (req, res) => {
    if (!lookalike.handle(req, res)) res.writeHead(404).end();
  };
  const acme = lookalike.tenants.find((tenant) => tenant.tenantId === ENTRA_DEV_TENANTS.acme)!;
  const served = await serveStatic(tls.home, { pages: { '/intranet.html': `<!doctype html><title>Intranet</title><iframe src="${DEMO}/entra/watch?v=sample-dash" allow="encrypted-media; autoplay" width="800" height="500"></iframe>` } });
  host = { server: served.server, origin: served.origin.replace('127.0.0.1', 'localhost') };
  demo = await startTestDemo({ port: DEMO_PORT, tokenTtlSeconds: TTL_SECONDS, entra: { authorityBase: lookalike.authorityBase, tenant: acme, membersOnly: true, frameAncestors: [host.origin] } });
  browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, protocolTimeout: 120_000, env: { ...process.env, HOME: tls.home } });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await new Promise<void>((resolve) => (host ? host.server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  tls?.remove();
});

/** Signs in at `tenant`'s authority (the page's own tenant, acme, unless another is asked for). */
async function signIn(login: string, tenant: string = ENTRA_DEV_TENANTS.acme): Promise<{ page: Page; csp: string[]; requests: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const csp = watchCsp(page);
  const requests = watchRequests(page);
  const watch = `${DEMO}/entra/watch?v=sample-dash${tenant === ENTRA_DEV_TENANTS.acme ? '' : `&tenant=${tenant}`}`;
  await page.goto(watch);
  await page.waitForSelector('input[name="login"]', { timeout: 30_000 });
  assert.ok(page.url().startsWith(`${lookalike.authorityBase}/${tenant}/v2.0/`), page.url());
  await page.type('input[name="login"]', login);
  await page.type('input[name="password"]', 'veil-demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
  await page.waitForFunction((want) => location.href === want, { timeout: 30_000 }, watch);
  return { page, csp, requests };
}

describe('Entra sign-in with msal-browser (redirect, top level)', () => {
  it('a member of the allowed tenant signs in through the redirect bridge and plays', async () => {
    const { page, csp, requests } = await signIn('alice@acme.test');
    assert.ok(['paused', 'playing'].includes(await playerState(page, ['paused', 'playing', 'denied', 'error'])), await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')) ?? 'no error code');
    assert.ok(requests.some((url) => url.startsWith(`${DEMO}/entra/redirect`)), 'msal came back through the redirect-bridge page');
    assert.ok(requests.some((url) => /\/chunks\/entra-provider-/.test(url)), 'the Entra provider chunk was loaded');
    const stored = await page.evaluate(() => Object.keys(localStorage).length);
    assert.equal(stored, 0, 'nothing in localStorage');
    assert.deepEqual(csp, []);
  });

  for (const [login, code, tenant, state] of [
    ['gary@partner.test', 'ENTRA_GUEST_NOT_ALLOWED', ENTRA_DEV_TENANTS.acme, 'denied'],
    ['olga@acme.test', 'ENTRA_GROUPS_OVERAGE', ENTRA_DEV_TENANTS.acme, 'denied'],
    // Signed in at their own tenant (as a multi-tenant app lets them): its issuer is not on the
    // allow list, so the token is as unverifiable as any unknown issuer's (a 401, not a 403).
    ['mallory@globex.test', 'ACCESS_TOKEN_INVALID', ENTRA_DEV_TENANTS.globex, 'error'],
    ['pat@outlook.test', 'ACCESS_TOKEN_INVALID', ENTRA_DEV_TENANTS.consumers, 'error'],
  ] as const) {
    it(`${login} is refused (${code}) before any engine byte`, async () => {
      const { page, requests } = await signIn(login, tenant);
      assert.equal(await playerState(page, ['paused', 'playing', 'denied', 'error']), state);
      assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), code);
      assert.deepEqual(requests.filter((url) => /\/chunks\/(shaka|hls)|\/media\//.test(url)), []);
    });
  }
});

describe('Entra sign-in with msal-browser (popup relay, cross-site iframe)', () => {
  it('a member signs in from a frame on another site through the popup relay (v2) and plays', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const requests = watchRequests(page);
    const authority = `${lookalike.authorityBase}/${ENTRA_DEV_TENANTS.acme}/v2.0/`;
    const popup = browser.waitForTarget((target) => target.url().startsWith(authority), { timeout: 30_000 });
    const relay = browser.waitForTarget((target) => target.url().startsWith(`${DEMO}/entra/entra-popup-relay.html`), { timeout: 30_000 });
    await page.goto(`${host.origin}/intranet.html`);
    await relay;
    const login = (await (await popup).page())!;
    await login.waitForSelector('input[name="login"]', { timeout: 30_000 });
    await login.type('input[name="login"]', 'alice@acme.test');
    await login.type('input[name="password"]', 'veil-demo');
    await login.click('button[type="submit"], input[type="submit"]');
    const frame = (await (await page.waitForSelector('iframe'))!.contentFrame())!;
    assert.ok(['paused', 'playing'].includes(await playerState(frame, ['paused', 'playing', 'denied', 'error'])), await frame.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')) ?? 'no error code');
    assert.equal(page.url(), `${host.origin}/intranet.html`, 'the host page never navigated');
    assert.ok(requests.some((url) => /\/chunks\/entra-provider-/.test(url)), 'the Entra provider chunk was loaded in the frame');
    assert.equal(await frame.evaluate(() => Object.keys(localStorage).length), 0, 'nothing in localStorage');
  });
});

/** A SCIM request as Entra's provisioning service sends it, with a secret of the demo org. */
async function scim(method: string, path: string, body?: unknown): Promise<Response> {
  const secret = await demo.scimSecrets.rotate('acme', 3600);
  const headers: Record<string, string> = { authorization: `Bearer ${secret}` };
  if (body !== undefined) headers['content-type'] = 'application/scim+json';
  return fetch(`${DEMO}/scim/v2${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('Entra offboarding through SCIM (deprovisioned while playing)', () => {
  const offboard: Array<[string, EntraDevUser, (id: string) => Promise<Response>]> = [
    // Entra's deactivation: a PATCH of `active` with the string "False" and a capitalised op.
    ['deactivated (active: false)', LEAVERS[0]!, (id) => scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })],
    ['deleted', LEAVERS[1]!, (id) => scim('DELETE', `/Users/${id}`)],
  ];
  for (const [how, user, deprovision] of offboard) {
    it(`a member ${how} while playing stops within one token lifetime (ACCOUNT_DEPROVISIONED), no renewal after`, async () => {
      const created = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: user.login, externalId: user.oid, active: true, displayName: user.name });
      assert.equal(created.status, 201, await created.clone().text());
      const { id } = (await created.json()) as { id: string };
      const { page } = await signIn(user.login);
      // Every playback-session answer (new or renewal) with the time its request left the page.
      const sent = new Map<unknown, number>();
      const answers: Array<{ sentAt: number; status: number }> = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/api/playback-sessions')) sent.set(request, Date.now());
      });
      page.on('response', (response) => {
        const sentAt = sent.get(response.request());
        if (sentAt !== undefined) answers.push({ sentAt, status: response.status() });
      });
      try {
        await playerState(page, ['paused']);
        await page.evaluate(() => document.querySelector('veil-player')!.play());
        await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 30_000 });
        const response = await deprovision(id);
        assert.ok(response.ok, `${response.status} ${await response.text()}`);
        const deprovisionedAt = Date.now();
        assert.equal(await playerState(page, ['denied', 'error'], 30_000), 'denied');
        const stoppedAfter = Date.now() - deprovisionedAt;
        const { errorCode, paused } = await page.evaluate(() => {
          const player = document.querySelector('veil-player')!;
          return { errorCode: player.getAttribute('error-code'), paused: player.paused };
        });
        assert.equal(errorCode, 'ACCOUNT_DEPROVISIONED');
        assert.equal(paused, true);
        const renewedAfter = answers.filter((answer) => answer.sentAt > deprovisionedAt && answer.status < 400);
        assert.deepEqual(renewedAfter, [], 'no playback session or renewal granted after deprovisioning');
        assert.ok(answers.some((answer) => answer.sentAt > deprovisionedAt && answer.status === 403), 'the renewal after deprovisioning was refused');
        console.log(`deprovisioning (${how}): playback stopped ${stoppedAfter} ms after it (token lifetime ${TTL_SECONDS * 1000} ms)`);
        assert.ok(stoppedAfter <= TTL_SECONDS * 1000 + 1000, `stopped after ${stoppedAfter} ms`);
      } finally {
        await page.browserContext().close();
      }
    });
  }
});
