/**
 * Entra sign-in in real Chromium with real msal-browser against the dev IdP's Entra look-alike
 * over HTTPS (a CA made for this run, trusted through an NSS database in a per-run HOME): a member
 * of the allowed tenant signs in by redirect (through the redirect-bridge page) and plays; a guest
 * under members-only and an overage user are refused by the token service before any engine byte.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createEntraLookalike, ENTRA_DEV_TENANTS, type EntraLookalike } from '../../demo/idp/entra-lookalike.js';
import { playerState, watchCsp, watchRequests } from '../support/browser.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';
import { startTestDemo, type Demo } from '../support/demo.js';
import { createTestTls, type TestTls } from '../support/tls.js';

/** A fixed port (this feature's range): the look-alike registers the demo's redirect URI before the demo starts. */
const DEMO_PORT = 8411;
const DEMO = `http://127.0.0.1:${DEMO_PORT}`;

let tls: TestTls;
let server: Server;
let lookalike: EntraLookalike;
let demo: Demo;
let browser: Browser;

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
  demo = await startTestDemo({ port: DEMO_PORT, entra: { authorityBase: lookalike.authorityBase, tenant: acme, membersOnly: true } });
  browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, protocolTimeout: 120_000, env: { ...process.env, HOME: tls.home } });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  tls?.remove();
});

async function signIn(login: string): Promise<{ page: Page; csp: string[]; requests: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const csp = watchCsp(page);
  const requests = watchRequests(page);
  await page.goto(`${DEMO}/entra/watch?v=sample-dash`);
  await page.waitForSelector('input[name="login"]', { timeout: 30_000 });
  assert.ok(page.url().startsWith(`${lookalike.authorityBase}/${ENTRA_DEV_TENANTS.acme}/v2.0/`), page.url());
  await page.type('input[name="login"]', login);
  await page.type('input[name="password"]', 'veil-demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
  await page.waitForFunction((want) => location.href === want, { timeout: 30_000 }, `${DEMO}/entra/watch?v=sample-dash`);
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

  for (const [login, code] of [
    ['gary@partner.test', 'ENTRA_GUEST_NOT_ALLOWED'],
    ['olga@acme.test', 'ENTRA_GROUPS_OVERAGE'],
  ] as const) {
    it(`${login} is refused (${code}) before any engine byte`, async () => {
      const { page, requests } = await signIn(login);
      assert.equal(await playerState(page, ['paused', 'playing', 'denied', 'error']), 'denied');
      assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), code);
      assert.deepEqual(requests.filter((url) => /\/chunks\/(shaka|hls)|\/media\//.test(url)), []);
    });
  }
});
