/**
 * The README's screenshots, written to `docs/screenshots/<name>.png`; nothing here is drawn by hand.
 * Every element state comes from the Storybook stories (the real elements, stand-in session and
 * services, a canvas engine), each taken once its play function has passed: the player's states
 * as listed below (with the pointer or a key where a state needs one), and every story of every
 * other element as `<element>-<story>.png`, found in the built Storybook's `index.json` — a new
 * stories file gets its screenshots without an edit here. The admin audit page is not an element:
 * it is taken from a real demo, after alice has watched a sample (so it has rows to show).
 *
 *   npm run build-storybook && npm run screenshots
 *   VEIL_STORYBOOK_URL=http://127.0.0.1:6006 npm run screenshots   # a running `npm run storybook`
 *   VEIL_DEMO_URL=http://127.0.0.1:8080 npm run screenshots        # a running demo (else one is started)
 *
 * test/e2e/screenshots.test.ts runs this in CI into a temporary folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, playerState, signInAndWatch } from '../test/support/browser.js';
import { startTestDemo } from '../test/support/demo.js';
import { serveStatic } from '../test/support/static-server.js';
import { storyFinished, tagOf, type IndexEntry } from '../test/support/storybook.js';

interface Shot {
  name: string;
  story: string;
  /** The element to frame (its open `<dialog>` when it has one). */
  tag: string;
  /** What to do once the story has finished (pointer, keys), before the picture. */
  act?: (page: Page) => Promise<void>;
}

export interface Taken {
  name: string;
  file: string;
  png: Buffer;
}

/** Moves the pointer to a point of a shadow-root element of the player (fractions of its box). */
async function pointAt(page: Page, selector: string, fx = 0.5, fy = 0.5): Promise<void> {
  const box = await page.evaluate((s: string) => {
    const rect = document.querySelector('veil-player')!.shadowRoot!.querySelector(s)!.getBoundingClientRect();
    return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
  }, selector);
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
}

const player = (name: string, story: string, act?: Shot['act']): Shot => ({ name, story: `elements-veil-player--${story}`, tag: 'veil-player', act });

/** The player's states (the README's names); its stories are shot from this list only. */
const PLAYER_SHOTS: Shot[] = [
  player('signed-out', 'signed-out'),
  player('denied', 'denied'),
  player('loading', 'loading'),
  player('ready', 'paused'),
  player('playing', 'playing', (page) => pointAt(page, '.seek-bar', 0.62)),
  player('menu', 'paused', async (page) => {
    await page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector<HTMLElement>('#speed-button')!.focus());
    await page.keyboard.press('Enter');
  }),
  player('error', 'error-state'),
];

/** States a story reaches only with the viewer's input: the share dialog's people picker with results listed. */
const EXTRA_SHOTS: Shot[] = [
  {
    name: 'share-dialog-search',
    story: 'elements-veil-share-dialog--open',
    tag: 'veil-share-dialog',
    act: async (page) => {
      const input = await page.evaluateHandle(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector<HTMLInputElement>('input[role="combobox"]')!);
      await input.type('ex');
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelectorAll('[role="option"]').length > 0, { timeout: 15_000 });
    },
  },
];

/** Elements whose stories are not shot one by one: the player (listed above), the session (its stories show the player's states). */
const LISTED = new Set(['veil-player', 'veil-session']);

/** Every story of the other elements, by its id: `elements-veil-share-dialog--pending-request` → `share-dialog-pending-request`. */
function discoveredShots(index: IndexEntry[]): Shot[] {
  return index
    .filter((entry) => entry.type === 'story' && !LISTED.has(tagOf(entry)))
    .map((entry) => ({ name: `${tagOf(entry).replace(/^veil-/, '')}-${entry.id.split('--')[1]}`, story: entry.id, tag: tagOf(entry) }));
}

async function shootStory(browser: Browser, storybook: string, shot: Shot): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    // The player at the size the README shows it; the share dialog needs room for its modal.
    await page.setViewport(shot.tag === 'veil-player' ? { width: 720, height: 480, deviceScaleFactor: 1 } : { width: 960, height: 860, deviceScaleFactor: 1 });
    await page.goto(`${storybook}/iframe.html?id=${encodeURIComponent(shot.story)}&viewMode=story`, { waitUntil: 'load' });
    const outcome = await storyFinished(page, shot.story);
    if (outcome.status !== 'success') throw new Error(`screenshots: story ${shot.story} did not pass (${outcome.why})`);
    await shot.act?.(page);
    await new Promise((done) => setTimeout(done, 500)); // fades and the canvas engine's frames settle
    const clip = await page.evaluate((tag: string) => {
      const element = document.querySelector(tag);
      if (!element) return undefined;
      // The open modal; else the element's box, or (an inline host, e.g. a message only) its shadow content's.
      const boxes = [element.shadowRoot?.querySelector('dialog[open]'), element, ...Array.from(element.shadowRoot?.children ?? [])];
      const rect = boxes.map((box) => box?.getBoundingClientRect()).find((box) => box && box.width >= 1 && box.height >= 1);
      if (!rect) return undefined;
      // A margin around a dialog or message, so focus rings and shadows at the edge stay in; the player fills its box.
      const margin = tag === 'veil-player' ? 0 : 8;
      const x = Math.max(0, rect.x - margin);
      const y = Math.max(0, rect.y - margin);
      return { x, y, width: rect.width + 2 * margin, height: rect.height + 2 * margin };
    }, shot.tag);
    if (!clip || clip.width < 1 || clip.height < 1) throw new Error(`screenshots: story ${shot.story} shows no <${shot.tag}>`);
    return Buffer.from(await page.screenshot({ type: 'png', clip }));
  } finally {
    await page.close();
  }
}

/** The demo's `/audit` page as alice (an admin), filtered to the sample she just watched. */
async function shootAuditPage(browser: Browser, demo: string): Promise<Buffer> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
    await signInAndWatch(page, 'sample-dash', 'alice@acme.test', { origin: demo });
    await playerState(page, ['paused', 'playing']);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await playerState(page, ['playing']);
    await new Promise((done) => setTimeout(done, 2000)); // a few seconds watched: a heartbeat and a summary row
    await page.goto(`${demo}/audit?video=sample-dash&size=12`);
    await page.waitForSelector('#audit-chain[data-state="intact"]', { timeout: 60_000 });
    await page.waitForSelector('#audit-trail:not([hidden]) tbody tr', { timeout: 60_000 });
    const main = await page.$('main');
    return Buffer.from(await main!.screenshot({ type: 'png' }));
  } finally {
    await context.close();
  }
}

/** Takes every screenshot into `out` (a folder URL); returns what it wrote. */
export async function takeScreenshots(browser: Browser, { storybook, demo, out, log = () => undefined }: { storybook: string; demo: string; out: URL; log?: (line: string) => void }): Promise<Taken[]> {
  const index = Object.values(((await (await fetch(`${storybook}/index.json`)).json()) as { entries: Record<string, IndexEntry> }).entries);
  await mkdir(out, { recursive: true });
  const taken: Taken[] = [];
  const write = async (name: string, png: Buffer, what: string) => {
    const file = fileURLToPath(new URL(`${name}.png`, out));
    await writeFile(file, png);
    taken.push({ name, file, png });
    log(`${name}.png (${what})`);
  };
  for (const shot of [...PLAYER_SHOTS, ...discoveredShots(index), ...EXTRA_SHOTS]) await write(shot.name, await shootStory(browser, storybook, shot), shot.story);
  await write('audit-page', await shootAuditPage(browser, demo), `${demo}/audit`);
  return taken;
}

async function main(): Promise<void> {
  const local = process.env['VEIL_STORYBOOK_URL'] ? undefined : await serveStatic(new URL('../storybook-static/', import.meta.url));
  const demo = process.env['VEIL_DEMO_URL'] ? undefined : await startTestDemo();
  const browser = await launchChromium();
  try {
    await takeScreenshots(browser, {
      storybook: process.env['VEIL_STORYBOOK_URL'] ?? local!.origin,
      demo: process.env['VEIL_DEMO_URL'] ?? demo!.config.origin,
      out: new URL('../docs/screenshots/', import.meta.url),
      log: (line) => console.log(`docs/screenshots/${line}`),
    });
  } finally {
    await browser.close();
    local?.server.close();
    await demo?.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
