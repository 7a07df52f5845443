/**
 * Entra sign-in in real Chromium with real msal-browser against the dev IdP's Entra look-alike
 * over HTTPS (a CA made for this run, trusted through an NSS database in a per-run HOME): a member
 * of the allowed tenant signs in by redirect (through the redirect-bridge page) and plays; a guest
 * under members-only, an overage user, a user of another tenant and a personal (consumer-tenant)
 * account are refused by the token service before any engine byte. From inside a cross-site iframe
 * (host page on `localhost`, player on 127.0.0.1) msal signs in through the popup relay page.
 */
import assert from 'node:assert/strict';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createEntraLookalike, ENTRA_DEV_TENANTS, type EntraLookalike } from '../../demo/idp/entra-lookalike.js';
import { playerState, watchCsp, watchRequests } from '../support/browser.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';
import { startTestDemo, type Demo } from '../support/demo.js';
import { serveStatic } from '../support/static-server.js';
import { createTestTls, type TestTls } from '../support/tls.js';

/** A fixed port (this feature's range): the look-alike registers the demo's redirect URI before the demo starts. */
const DEMO_PORT = 8411;
const DEMO = `http://127.0.0.1:${DEMO_PORT}`;

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
  lookalike = await createEntraLookalike({ origin, apiResource: `${DEMO}/api`, clients: [{ client_id: 'veil-demo', redirect_uris: [`${DEMO}/entra/redirect`], post_logout_redirect_uris: [`${DEMO}/`], redirect_origins: [DEMO] }] });
  handle = (req, res) => {
    if (!lookalike.handle(req, res)) res.writeHead(404).end();
  };
  const acme = lookalike.tenants.find((tenant) => tenant.tenantId === ENTRA_DEV_TENANTS.acme)!;
  const served = await serveStatic(tls.home, { pages: { '/intranet.html': `<!doctype html><title>Intranet</title><iframe src="${DEMO}/entra/watch?v=sample-dash" allow="encrypted-media; autoplay" width="800" height="500"></iframe>` } });
  host = { server: served.server, origin: served.origin.replace('127.0.0.1', 'localhost') };
  demo = await startTestDemo({ port: DEMO_PORT, entra: { authorityBase: lookalike.authorityBase, tenant: acme, membersOnly: true, frameAncestors: [host.origin] } });
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
