/**
 * End-to-end helpers: drive the system Chromium against the real demo server and dev IdP.
 */
import assert from 'node:assert/strict';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

export const DEV_PASSWORD = 'veil-demo';

/** Origin of the demo server that `npm test` started (scripts/test.mjs). */
export function demoOrigin(): string {
  const origin = process.env.VEIL_DEMO_URL;
  if (!origin) throw new Error('VEIL_DEMO_URL is not set: run the end-to-end tests through `npm test`.');
  return origin;
}

/** `extraArgs`: flags for one test file only (e.g. `--auto-accept-this-tab-capture`). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true, protocolTimeout: 120_000 });
}

/** Everything a page reports that points at a CSP problem, across navigations. */
export function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  void page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`securitypolicyviolation ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/securitypolicyviolation|Content Security Policy/i.test(text)) violations.push(`${page.url()}: ${text}`);
  });
  return violations;
}

/** Every URL the page requests, in order. */
export function watchRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

/** Opens `path` (with its query) on the demo, signs in at the dev IdP, and waits until the page is back. */
export async function signInAt(page: Page, path: string, login: string, { password = DEV_PASSWORD, origin = demoOrigin() } = {}): Promise<void> {
  const target = new URL(path, origin);
  await page.goto(target.href);
  await page.waitForSelector('input[name="login"]', { timeout: 30_000 });
  await page.type('input[name="login"]', login);
  await page.type('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
  await page.waitForFunction((want) => location.pathname + location.search === want && !location.search.includes('code='), { timeout: 30_000 }, target.pathname + target.search);
}

/** Opens `/watch?v=<videoId>`, signs in at the dev IdP, and waits until the player is back on the page. */
export async function signInAndWatch(page: Page, videoId: string, login: string, options: { password?: string; origin?: string } = {}): Promise<void> {
  await signInAt(page, `/watch?v=${encodeURIComponent(videoId)}`, login, options);
  await page.waitForSelector('veil-player');
}

/** Waits for the `state` attribute of the first `selector` element (in the page or one of its frames) to be one of `states`; returns it. */
export async function elementState(page: Page | Frame, selector: string, states: string[], timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    (target: string, wanted: string[]) => {
      const state = document.querySelector(target)?.getAttribute('state');
      return state && wanted.includes(state) ? state : undefined;
    },
    { timeout, polling: 100 },
    selector,
    states,
  );
  return (await handle.jsonValue()) as string;
}

/** Waits for `<veil-player state>` to be one of `states`; returns it. */
export function playerState(page: Page | Frame, states: string[], timeout = 60_000): Promise<string> {
  return elementState(page, 'veil-player', states, timeout);
}

export interface PlaybackProgress {
  currentTime: number;
  totalVideoFrames: number;
  state: string | null;
}

export function playbackProgress(page: Page): Promise<PlaybackProgress> {
  return page.evaluate(() => {
    const player = document.querySelector('veil-player')!;
    const video = player.shadowRoot!.querySelector('video')!;
    return { currentTime: video.currentTime, totalVideoFrames: video.getVideoPlaybackQuality().totalVideoFrames, state: player.getAttribute('state') };
  });
}

/** Starts the page's player and checks that it really plays: past 2 s, and frames still advancing a second later. */
export async function assertPlays(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 2, { timeout: 30_000 });
  const first = await playbackProgress(page);
  await new Promise((done) => setTimeout(done, 1000));
  const later = await playbackProgress(page);
  assert.equal(later.state, 'playing');
  assert.ok(later.totalVideoFrames > first.totalVideoFrames, `frames advance (${first.totalVideoFrames} → ${later.totalVideoFrames})`);
}

/** The access token oidc-client-ts keeps in sessionStorage for the signed-in viewer. */
export function storedAccessToken(page: Page): Promise<string> {
  return page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const key = sessionStorage.key(i)!;
      if (key.startsWith('oidc.user:')) return JSON.parse(sessionStorage.getItem(key)!).access_token as string;
    }
    throw new Error('no signed-in user in sessionStorage');
  });
}
