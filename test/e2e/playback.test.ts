/**
 * The foundation's promise, end to end in real Chromium against the real demo server and IdP:
 * acme viewers watch encrypted video; a globex viewer is told plainly and downloads nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import {
  demoOrigin,
  launchChromium,
  playbackProgress,
  playerState,
  signInAndWatch,
  storedAccessToken,
  watchCsp,
  watchRequests,
} from '../support/browser.js';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function freshPage(): Promise<{ page: Page; csp: string[]; requests: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  return { page, csp: watchCsp(page), requests: watchRequests(page) };
}

/** Plays until the media clock passes `seconds`; returns the progress seen then. */
async function playFor(page: Page, seconds: number) {
  await playerState(page, ['paused', 'playing']);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(
    (s: number) => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime > s,
    { timeout: 60_000 },
    seconds,
  );
  return playbackProgress(page);
}

const KEY_ROUTE: Record<string, string> = { 'sample-dash': '/api/license/sample-dash', 'sample-hls': '/api/keys/sample-hls' };
/** Engine chunks a path must never fetch: DASH needs no hls.js; clear/AES-128 HLS needs neither shaka nor full hls.js. */
const FOREIGN_ENGINES: Record<string, RegExp> = {
  'sample-dash': /\/chunks\/hls[-.]/,
  'sample-hls': /\/chunks\/(shaka|hls-eme)-/,
};

/** The engine chunk each sample's hint names (the watch page hints the samples' protocols). */
const ENGINE_CHUNK: Record<string, RegExp> = {
  'sample-dash': /\/chunks\/shaka-/,
  'sample-hls': /\/chunks\/hls-(?!eme|engine)/,
};

for (const videoId of ['sample-dash', 'sample-hls']) {
  describe(`alice watches ${videoId}`, () => {
    it('decodes frames while currentTime advances, with every media request carrying the token', async () => {
      const { page, csp, requests } = await freshPage();
      const authorization: string[] = [];
      page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (/^\/(media|api\/keys|api\/license)\//.test(path)) authorization.push(`${path} ${request.headers().authorization ?? 'none'}`);
      });
      await signInAndWatch(page, videoId, 'alice@acme.test');
      const first = await playFor(page, 1);
      const later = await playFor(page, first.currentTime + 3);
      assert.equal(later.state, 'playing');
      assert.ok(later.totalVideoFrames > first.totalVideoFrames + 30, `frames ${first.totalVideoFrames} → ${later.totalVideoFrames}`);
      assert.ok(later.currentTime > first.currentTime + 2.5, `currentTime ${first.currentTime} → ${later.currentTime}`);

      assert.ok(authorization.length > 3, 'media requests were seen');
      assert.ok(authorization.some((line) => line.startsWith(KEY_ROUTE[videoId]!)), `the key was fetched from ${KEY_ROUTE[videoId]}`);
      for (const line of authorization) assert.match(line, / Bearer [\w-]+\.[\w-]+\.[\w-]+$/, line);
      assert.ok(requests.every((url) => !/[?&](token|access_token)=/i.test(url)), 'no token in any URL');
      assert.deepEqual(requests.filter((url) => FOREIGN_ENGINES[videoId]!.test(url)), [], 'only the engine this stream needs');
      assert.ok(requests.some((url) => /\/chunks\/(shaka|hls)-/.test(url)), 'the engine chunk itself was fetched');
      if (videoId === 'sample-hls') assert.ok(requests.some((url) => url.endsWith('/veil/hls.worker.js')), "hls.js runs its worker from the served file, not a blob: URL");
      assert.deepEqual(csp, []);
      await page.browserContext().close();
    });

    it('downloads the engine while the playback-session request is still unanswered (the watch page hints the protocol)', async () => {
      const { page, csp } = await freshPage();
      // The first playback-session request is held until the engine chunk has been requested: the
      // player gets past `authorizing` only if the engine download did not wait for the answer.
      let release: () => void = () => undefined;
      const engineRequested = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (request.method() === 'POST' && path === '/api/playback-sessions' && !held) {
          held = true;
          void engineRequested.then(() => request.continue());
          return;
        }
        if (held && ENGINE_CHUNK[videoId]!.test(path)) release();
        void request.continue();
      });
      await signInAndWatch(page, videoId, 'alice@acme.test');
      assert.match(await playerState(page, ['paused', 'playing', 'error', 'denied']), /^(paused|playing)$/);
      assert.ok(held, 'the playback-session request was seen');
      assert.deepEqual(csp, []);
      await page.browserContext().close();
    });
  });
}

describe('the sign-in callback page', () => {
  it('shows no error: the player stays authorizing until the session has settled on ?v= (no CONFIG_INVALID flash)', async () => {
    const { page } = await freshPage();
    // Every state the player shows, in every document of the flow (sessionStorage outlives the
    // callback document's navigation to /watch?v=...; the IdP shares the origin).
    // (No named inner functions: tsx would wrap them in a helper the page does not have.)
    await page.evaluateOnNewDocument(() => {
      new MutationObserver((records) => {
        for (const record of records) {
          const element = record.target as Element;
          if (element.localName !== 'veil-player') continue;
          const where = new URL(location.href).searchParams.has('code') ? 'callback' : `${location.pathname}${location.search}`;
          const seen = JSON.parse(sessionStorage.getItem('veil-test-states') ?? '[]') as string[];
          seen.push(`${where} ${element.getAttribute('state')} ${element.getAttribute('error-code') ?? '-'}`);
          sessionStorage.setItem('veil-test-states', JSON.stringify(seen));
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['state', 'error-code'] });
    });
    await signInAndWatch(page, 'sample-dash', 'bob@acme.test');
    await playerState(page, ['paused', 'playing']);
    const seen = await page.evaluate(() => JSON.parse(sessionStorage.getItem('veil-test-states') ?? '[]') as string[]);
    const callback = seen.filter((entry) => entry.startsWith('callback '));
    assert.ok(callback.length > 0, `the callback page's player was observed: ${seen.join(' | ')}`);
    for (const entry of callback) assert.match(entry, /^callback (signed-out|authorizing) -$/, `callback page: ${seen.join(' | ')}`);
    assert.deepEqual(seen.filter((entry) => / (error|denied) /.test(entry) || !entry.endsWith(' -')), [], 'no error state or code anywhere in the flow');
    await page.browserContext().close();
  });
});

describe('mallory (org globex) opens an acme video', () => {
  it('is denied with a perimeter error and downloads no media, key, license or engine byte', async () => {
    const { page, csp, requests } = await freshPage();
    await signInAndWatch(page, 'sample-dash', 'mallory@globex.test');
    assert.equal(await playerState(page, ['denied', 'error', 'playing', 'paused']), 'denied');
    const { errorCode, message } = await page.evaluate(() => {
      const player = document.querySelector('veil-player')!;
      return {
        errorCode: player.getAttribute('error-code'),
        message: player.shadowRoot!.querySelector('[part="message"]')!.textContent ?? '',
      };
    });
    assert.equal(errorCode, 'PERIMETER_DENIED');
    assert.match(message, /another organisation/);
    // Give any stray request time to show up before asserting on the list.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const forbidden = requests.filter((url) => /\/media\/|\/api\/(keys|license|playback-sessions)|chunks\/(shaka|hls)|hls\.worker/.test(new URL(url).pathname));
    assert.deepEqual(forbidden, []);
    assert.deepEqual(csp, []);
    // The watch page preloads what every viewer runs first (scripts/preload-manifest.ts) — the
    // session and player chunks and the stored sign-in — and never an engine chunk.
    const preloads = await page.$$eval('link[rel="modulepreload"]', (links) => links.map((link) => new URL((link as HTMLLinkElement).href).pathname));
    for (const chunk of ['session', 'player', 'stored-session']) assert.ok(preloads.some((path) => path.startsWith(`/veil/chunks/${chunk}-`)), `${chunk} in ${preloads.join(', ')}`);
    assert.deepEqual(preloads.filter((path) => /chunks\/(shaka|hls)/.test(path)), []);

    // The server enforces the perimeter too: mallory's own access token gets nothing.
    const accessToken = await storedAccessToken(page);
    const response = await fetch(`${demoOrigin()}/api/playback-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ videoId: 'sample-dash' }),
    });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'PERIMETER_DENIED');
    await page.browserContext().close();
  });
});

describe('demo pages under the strict CSP', () => {
  it('the index and the IdP sign-in page raise no securitypolicyviolation', async () => {
    const { page, csp } = await freshPage();
    await page.goto(`${demoOrigin()}/`);
    await page.goto(`${demoOrigin()}/watch?v=sample-dash`);
    await page.waitForSelector('input[name="login"]');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(csp, []);
    const header = (await page.goto(`${demoOrigin()}/`))!.headers()['content-security-policy'] ?? '';
    assert.match(header, /script-src 'self'/);
    assert.match(header, /require-trusted-types-for 'script'/);
    assert.doesNotMatch(header, /unsafe-inline|unsafe-eval/);
    // Trusted Types are enforced, not just declared: a string into an HTML sink is refused.
    const refused = await page.evaluate(() => {
      try {
        document.createElement('div').innerHTML = '<b>x</b>';
        return false;
      } catch (error) {
        return error instanceof TypeError;
      }
    });
    assert.equal(refused, true);
    await page.browserContext().close();
  });
});
