/**
 * The built Storybook (`storybook-static/`, from `npm run build-storybook`, which this test does
 * not run) opened in Chromium: each player story brings the real `<veil-player>` to its state,
 * each recorder story the real `<veil-recorder>` to its own, and nothing a story does leaves the
 * local static server.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../support/browser.js';
import { serveStatic } from '../support/static-server.js';

const ROOT = fileURLToPath(new URL('../../storybook-static', import.meta.url));

interface Expected {
  id: string;
  state: string;
  errorCode?: string;
  /** The element whose state the story shows (default `veil-player`). */
  element?: string;
}

/** One story per player state, and the `<veil-session>` configuration stories. */
const PLAYER_STORIES: Expected[] = [
  { id: 'elements-veil-player--signed-out', state: 'signed-out' },
  { id: 'elements-veil-player--authorizing', state: 'authorizing' },
  { id: 'elements-veil-player--denied', state: 'denied', errorCode: 'PERIMETER_DENIED' },
  { id: 'elements-veil-player--loading', state: 'loading' },
  { id: 'elements-veil-player--playing', state: 'playing' },
  { id: 'elements-veil-player--paused', state: 'paused' },
  { id: 'elements-veil-player--ended', state: 'ended' },
  { id: 'elements-veil-player--error-state', state: 'error', errorCode: 'NETWORK_ERROR' },
];
/** One recorder story per state it reaches without the Veil API. */
const RECORDER_STORIES: Expected[] = [
  { id: 'elements-veil-recorder--signed-out', state: 'signed-out' },
  { id: 'elements-veil-recorder--denied', state: 'denied', errorCode: 'PERIMETER_DENIED' },
  { id: 'elements-veil-recorder--idle', state: 'idle' },
  { id: 'elements-veil-recorder--countdown', state: 'countdown' },
  { id: 'elements-veil-recorder--error-state', state: 'error', errorCode: 'CAPTURE_PERMISSION_DENIED' },
].map((story) => ({ ...story, element: 'veil-recorder' }));
const SESSION_STORIES: Expected[] = [
  { id: 'elements-veil-session--configured', state: 'signed-out' },
  { id: 'elements-veil-session--missing-issuer', state: 'error', errorCode: 'CONFIG_INVALID' },
];

let browser: Browser;
let server: Server;
let origin: string;

before(async () => {
  if (!existsSync(resolve(ROOT, 'index.json'))) {
    throw new Error('storybook-static/ is missing: run `npm run build-storybook` before this test.');
  }
  ({ server, origin } = await serveStatic(ROOT));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

interface StoryRun {
  page: Page;
  /** Requests to anywhere but the static server (blob: and data: URLs are in-page). */
  offsite: string[];
  errors: string[];
}

async function openStory(id: string): Promise<StoryRun> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const offsite: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url)) offsite.push(url);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${origin}/iframe.html?id=${encodeURIComponent(id)}&viewMode=story`, { waitUntil: 'load' });
  return { page, offsite, errors };
}

async function attributes(page: Page, element = 'veil-player') {
  return page.evaluate((selector: string) => {
    const shown = document.querySelector(selector);
    return { state: shown?.getAttribute('state') ?? null, errorCode: shown?.getAttribute('error-code') ?? null };
  }, element);
}

/** Waits until the story's player shows `state` (and `error-code`), then checks it holds. */
async function expectState({ page, errors }: StoryRun, { state, errorCode, element = 'veil-player' }: Expected): Promise<void> {
  try {
    await page.waitForFunction(
      (selector: string, wanted: string, code: string | null) => {
        const shown = document.querySelector(selector);
        return shown?.getAttribute('state') === wanted && shown.getAttribute('error-code') === code;
      },
      { timeout: 15_000 },
      element,
      state,
      errorCode ?? null,
    );
  } catch {
    assert.fail(`expected ${element} state=${state} error-code=${errorCode ?? 'none'}, got ${JSON.stringify(await attributes(page, element))}; page errors: ${errors.join(' | ') || 'none'}`);
  }
  await new Promise((done) => setTimeout(done, 300));
  assert.deepEqual(await attributes(page, element), { state, errorCode: errorCode ?? null }, 'the state holds');
}

describe('storybook-static', () => {
  it('indexes one player story per state, the recorder stories, and the session stories', () => {
    const index = JSON.parse(readFileSync(resolve(ROOT, 'index.json'), 'utf8')) as { entries: Record<string, { name: string }> };
    for (const { id } of [...PLAYER_STORIES, ...RECORDER_STORIES, ...SESSION_STORIES]) assert.ok(index.entries[id], `story ${id} is in index.json`);
    const names = PLAYER_STORIES.map(({ id }) => index.entries[id]!.name).sort();
    assert.deepEqual(names, ['authorizing', 'denied', 'ended', 'error', 'loading', 'paused', 'playing', 'signed-out']);
    assert.deepEqual(RECORDER_STORIES.map(({ id }) => index.entries[id]!.name).sort(), ['countdown', 'denied', 'error', 'idle', 'signed-out']);
  });

  for (const expected of [...PLAYER_STORIES, ...RECORDER_STORIES, ...SESSION_STORIES]) {
    it(`${expected.id} reaches state=${expected.state}${expected.errorCode ? ` (${expected.errorCode})` : ''}, fetching nothing off the page`, async () => {
      const run = await openStory(expected.id);
      try {
        await expectState(run, expected);
        if (expected.state === 'playing') {
          const progress = () =>
            run.page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime);
          const first = await progress();
          await new Promise((done) => setTimeout(done, 500));
          assert.ok((await progress()) > first, 'the media clock advances');
        }
        if (['loading', 'playing', 'paused', 'ended'].includes(expected.state)) {
          const watermark = await run.page.evaluate(
            () => document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="watermark"]')?.textContent ?? null,
          );
          // The viewer the stand-in session names, then `<short session id> · <UTC time>`.
          assert.match(watermark ?? '', /^viewer@acme\.test\S+ · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
        }
        // A denial is audited (README "Audit trail"): that record is the one request a denied story may send.
        const offsite = expected.state === 'denied' ? run.offsite.filter((url) => new URL(url).pathname !== '/api/audit/events') : run.offsite;
        assert.deepEqual(offsite, [], 'no request leaves the static server');
        assert.deepEqual(run.errors, [], 'no uncaught page errors');
      } finally {
        await run.page.browserContext().close();
      }
    });
  }
});
