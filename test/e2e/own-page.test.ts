/**
 * "Try it on your own page": a host page served from another origin (`http://localhost:<port>`,
 * another site than the demo's `http://127.0.0.1:<port>`), under a strict CSP with Trusted Types,
 * holding only the README's tags and the built library from its own server. With the page's
 * origin in `VEIL_ALLOWED_ORIGINS`, alice signs in at the demo's IdP, comes back, and plays.
 * An origin that is not listed is refused by the IdP and by the API.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { assertPlays, launchChromium, playerState, watchCsp } from '../support/browser.js';
import { startTestDemo, type Demo } from '../support/demo.js';
import { serveStatic } from '../support/static-server.js';
import { DEV_PASSWORD } from '../../demo/idp/index.js';
import { apiUrls } from '../../src/protocol/paths.js';

let browser: Browser;
let demo: Demo;
let host: Server;
let pageOrigin: string;

/** The README's host page: the library's `define` entry and the two tags, nothing else. */
function hostPage(demoOrigin: string): string {
  return `<!doctype html>
<title>My intranet page</title>
<script type="module" src="/define.js"></script>
<veil-session issuer="${demoOrigin}/idp" client-id="veil-demo" api="${demoOrigin}">
  <veil-player video="sample-dash"></veil-player>
</veil-session>
`;
}

before(async () => {
  // The page's port is only known once it listens, and the demo reads the allowlist when it
  // starts: the page and its CSP are filled in after both are up (the server reads them per request).
  const pages: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const served = await serveStatic(new URL('../../dist/', import.meta.url), { pages, headers });
  host = served.server;
  pageOrigin = served.origin.replace('127.0.0.1', 'localhost');
  process.env.VEIL_ALLOWED_ORIGINS = `${pageOrigin}, http://localhost:1`;
  try {
    demo = await startTestDemo();
  } finally {
    delete process.env.VEIL_ALLOWED_ORIGINS;
  }
  pages['/'] = hostPage(demo.config.origin);
  headers['content-security-policy'] = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "media-src 'self' blob:",
    `connect-src 'self' ${demo.config.origin}`,
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  host?.close();
  await demo?.close();
});

describe('the tags on a page of another origin (VEIL_ALLOWED_ORIGINS)', () => {
  it('signs alice in through the demo IdP and plays sample-dash under a strict CSP', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const csp = watchCsp(page);
    await page.goto(`${pageOrigin}/`);
    await playerState(page, ['signed-out']);
    // The player's own sign-in button (no auto-sign-in on this page).
    const signIn = await page.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector<HTMLButtonElement>('[part="message"] button:not([disabled])'));
    await Promise.all([page.waitForNavigation(), (signIn.asElement() as import('puppeteer-core').ElementHandle<HTMLButtonElement>).click()]);
    assert.equal(new URL(page.url()).origin, demo.config.origin, 'at the demo IdP');
    await page.waitForSelector('input[name="login"]', { timeout: 30_000 });
    await page.type('input[name="login"]', 'alice@acme.test');
    await page.type('input[name="password"]', DEV_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
    await page.waitForFunction((origin: string) => location.origin === origin && !location.search.includes('code='), { timeout: 30_000 }, pageOrigin);
    await playerState(page, ['paused', 'playing']);
    await assertPlays(page);
    assert.deepEqual(csp, []);
    await context.close();
  });

  it('refuses an origin that is not listed: no IdP redirect to it, no API answer for it', async () => {
    const authorize = (redirectUri: string) => {
      const url = new URL(`${demo.config.origin}/idp/auth`);
      url.search = new URLSearchParams({
        client_id: 'veil-demo',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return fetch(url, { redirect: 'manual' });
    };
    const listed = await authorize(`${pageOrigin}/any/path.html`);
    assert.equal(listed.status, 303, 'a listed origin: on to the sign-in');
    const unlisted = await authorize('http://localhost:2/');
    assert.equal(unlisted.status, 400, 'an unlisted origin: an error page, no redirect');
    assert.equal(unlisted.headers.get('location'), null);

    const api = (origin: string) => fetch(apiUrls(demo.config.origin).playbackSessions(), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const allowed = await api(pageOrigin);
    assert.equal(allowed.headers.get('access-control-allow-origin'), pageOrigin);
    const refused = await api('http://localhost:2');
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ORIGIN_NOT_ALLOWED');
  });
});
