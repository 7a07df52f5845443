/**
 * The built Storybook (`storybook-static/`, from `npm run build-storybook`, which this test does
 * not run) opened in Chromium. Every entry of its `index.json` is covered — a new stories file is
 * tested without editing this one: each story's play function (its assertions) must pass, each
 * element of `custom-elements.json` must have stories and a docs page built from the manifest,
 * and nothing a story or docs page does may leave the local static server. The player's state
 * stories (and the session's) are held to their states here as well, not only by their play.
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
import { docsRendered, storyFinished, tagOf, type IndexEntry } from '../support/storybook.js';

const ROOT = fileURLToPath(new URL('../../storybook-static', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../../custom-elements.json', import.meta.url));

/** Read when the file loads, so each entry becomes its own test; a missing build is one failing test. */
function readIndex(): IndexEntry[] | undefined {
  const file = resolve(ROOT, 'index.json');
  if (!existsSync(file)) return undefined;
  return Object.values((JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, IndexEntry> }).entries);
}

interface ManifestElement {
  tagName: string;
  attributes?: Array<{ name: string }>;
}

function manifestElements(): ManifestElement[] {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { modules: Array<{ declarations?: Array<ManifestElement & { customElement?: boolean }> }> };
  return manifest.modules.flatMap((module) => module.declarations ?? []).filter((declaration) => declaration.customElement && declaration.tagName);
}

const INDEX = readIndex();

interface Expected {
  state: string;
  errorCode?: string;
  /** The element whose state the story shows (default `veil-player`). */
  element?: string;
}

/** One story per player state, and the `<veil-session>` stories' player: held to these states. */
const PLAYER_STATES: Record<string, Expected> = {
  'elements-veil-player--signed-out': { state: 'signed-out' },
  'elements-veil-player--authorizing': { state: 'authorizing' },
  'elements-veil-player--denied': { state: 'denied', errorCode: 'PERIMETER_DENIED' },
  'elements-veil-player--loading': { state: 'loading' },
  'elements-veil-player--playing': { state: 'playing' },
  'elements-veil-player--paused': { state: 'paused' },
  'elements-veil-player--ended': { state: 'ended' },
  'elements-veil-player--error-state': { state: 'error', errorCode: 'NETWORK_ERROR' },
};
const SESSION_STATES: Record<string, Expected> = {
  'elements-veil-session--configured': { state: 'signed-out' },
  'elements-veil-session--missing-issuer': { state: 'error', errorCode: 'CONFIG_INVALID' },
  'elements-veil-session--signed-in': { state: 'paused' },
  'elements-veil-session--initializing': { state: 'authorizing' },
  'elements-veil-session--outside-perimeter': { state: 'denied', errorCode: 'PERIMETER_DENIED' },
};
/** One recorder story per state it reaches without the Veil API. */
const RECORDER_STATES: Record<string, Expected> = {
  'elements-veil-recorder--signed-out': { state: 'signed-out', element: 'veil-recorder' },
  'elements-veil-recorder--denied': { state: 'denied', errorCode: 'PERIMETER_DENIED', element: 'veil-recorder' },
  'elements-veil-recorder--idle': { state: 'idle', element: 'veil-recorder' },
  'elements-veil-recorder--countdown': { state: 'countdown', element: 'veil-recorder' },
  'elements-veil-recorder--error-state': { state: 'error', errorCode: 'CAPTURE_PERMISSION_DENIED', element: 'veil-recorder' },
};
const EXPECTED: Record<string, Expected> = { ...PLAYER_STATES, ...RECORDER_STATES, ...SESSION_STATES };
/** Elements that must have stories (every element of the manifest has them now). */
const WITH_STORIES = ['veil-player', 'veil-session', 'veil-share-dialog', 'veil-recorder'];

let browser: Browser;
let server: Server;
let origin: string;

before(async () => {
  if (!INDEX) return;
  ({ server, origin } = await serveStatic(ROOT));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

interface Run {
  page: Page;
  /** Requests to anywhere but the static server (blob: and data: URLs are in-page). */
  offsite: string[];
  errors: string[];
}

async function open(id: string, viewMode: 'story' | 'docs'): Promise<Run> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const offsite: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url)) offsite.push(url);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${origin}/iframe.html?id=${encodeURIComponent(id)}&viewMode=${viewMode}`, { waitUntil: 'load' });
  return { page, offsite, errors };
}

/** A denied player audits its denial (README "Audit trail"): the one request toward the (unreachable) story API a story may send. */
const offsiteButAudit = (urls: string[]) => urls.filter((url) => new URL(url).pathname !== '/api/audit/events');

async function untilFinished(run: Run, id: string): Promise<void> {
  const outcome = await storyFinished(run.page, id);
  assert.equal(outcome.status, 'success', `the story's play function passes (${outcome.why ?? ''}); page errors: ${run.errors.join(' | ') || 'none'}`);
}

async function attributes(page: Page, element = 'veil-player') {
  return page.evaluate((selector: string) => {
    const shown = document.querySelector(selector);
    return { state: shown?.getAttribute('state') ?? null, errorCode: shown?.getAttribute('error-code') ?? null };
  }, element);
}

/** The story's element (its player, by default) shows `state` (and `error-code`), and it holds. */
async function expectState({ page, errors }: Run, { state, errorCode, element = 'veil-player' }: Expected): Promise<void> {
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

/** The player stories' extra checks: the media clock advances while playing, the watermark names the viewer. */
async function expectPlayback(page: Page, state: string): Promise<void> {
  if (state === 'playing') {
    const progress = () => page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime);
    const first = await progress();
    await new Promise((done) => setTimeout(done, 500));
    assert.ok((await progress()) > first, 'the media clock advances');
  }
  if (['loading', 'playing', 'paused', 'ended'].includes(state)) {
    const watermark = await page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="watermark"]')?.textContent ?? null);
    // The viewer the stand-in session names, then `<short session id> · <UTC time>`.
    assert.match(watermark ?? '', /^viewer@acme\.test\S+ · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  }
}

describe('storybook-static', () => {
  if (!INDEX) {
    it('is built', () => assert.fail('storybook-static/ is missing: run `npm run build-storybook` before this test.'));
    return;
  }
  const stories = INDEX.filter((entry) => entry.type === 'story');
  const docs = INDEX.filter((entry) => entry.type === 'docs');

  it('indexes one player story per state, the recorder and session stories, stories of each element listed, and a docs page for every element with stories', () => {
    for (const id of Object.keys(EXPECTED)) assert.ok(stories.some((entry) => entry.id === id), `story ${id} is in index.json`);
    const names = stories.filter((entry) => entry.id in PLAYER_STATES).map((entry) => entry.name).sort();
    assert.deepEqual(names, ['authorizing', 'denied', 'ended', 'error', 'loading', 'paused', 'playing', 'signed-out']);
    assert.deepEqual(stories.filter((entry) => entry.id in RECORDER_STATES).map((entry) => entry.name).sort(), ['countdown', 'denied', 'error', 'idle', 'signed-out']);
    const tags = manifestElements().map((element) => element.tagName);
    for (const tagName of WITH_STORIES) {
      assert.ok(tags.includes(tagName), `<${tagName}> is in custom-elements.json`);
      assert.ok(stories.some((entry) => tagOf(entry) === tagName), `<${tagName}> has stories (stories/*.stories.ts titled Elements/${tagName})`);
    }
    // Every element with stories gets a docs page from the manifest; stories name only real elements.
    for (const tagName of new Set(stories.map(tagOf))) {
      assert.ok(tags.includes(tagName), `stories titled Elements/${tagName} document an element of custom-elements.json`);
      assert.ok(docs.some((entry) => tagOf(entry) === tagName), `<${tagName}> has a docs page (autodocs)`);
    }
    // A story without a play function would assert nothing here.
    for (const entry of stories) assert.ok(entry.tags?.includes('play-fn'), `${entry.id} has a play function that checks its state`);
  });

  for (const entry of stories) {
    const expected = EXPECTED[entry.id];
    it(`${entry.id}: its play function passes${expected ? `, ${expected.element ?? 'veil-player'} shows state=${expected.state}${expected.errorCode ? ` (${expected.errorCode})` : ''}` : ''}, nothing is fetched off the page`, async () => {
      const run = await open(entry.id, 'story');
      try {
        await untilFinished(run, entry.id);
        if (expected) await expectState(run, expected);
        if (entry.id in PLAYER_STATES) await expectPlayback(run.page, expected!.state);
        const offsite = expected?.state === 'denied' ? offsiteButAudit(run.offsite) : run.offsite;
        assert.deepEqual(offsite, [], 'no request leaves the static server');
        assert.deepEqual(run.errors, [], 'no uncaught page errors');
      } finally {
        await run.page.browserContext().close();
      }
    });
  }

  const elements = new Map(manifestElements().map((element) => [element.tagName, element]));
  for (const entry of docs) {
    it(`${entry.id}: the docs page renders the manifest's attributes of <${tagOf(entry)}>, nothing is fetched off the page`, async () => {
      const run = await open(entry.id, 'docs');
      try {
        await docsRendered(run.page, entry.id);
        const text = await run.page.evaluate(() => document.querySelector('#storybook-docs')?.textContent ?? '');
        const attributes = elements.get(tagOf(entry))?.attributes?.map((attribute) => attribute.name) ?? [];
        assert.ok(attributes.length > 0, `the manifest lists attributes of <${tagOf(entry)}>`);
        for (const name of attributes) assert.ok(text.includes(name), `the docs page lists the attribute ${name}`);
        // The docs page renders the stories without their play functions: a denied player's audit
        // record is the one request it may send toward the story API.
        assert.deepEqual(offsiteButAudit(run.offsite), [], 'no request leaves the static server');
        assert.deepEqual(run.errors, [], 'no uncaught page errors');
      } finally {
        await run.page.browserContext().close();
      }
    });
  }
});
