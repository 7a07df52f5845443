/**
 * Screenshots of `<veil-player>` in its states, taken from the Storybook stories (the real
 * element, stand-in session and token service, a canvas engine) with the DevTools protocol, and
 * written to `docs/screenshots/<name>.png` for the README. Nothing here is drawn by hand.
 *
 *   npm run build-storybook && npm run screenshots
 *   VEIL_STORYBOOK_URL=http://127.0.0.1:6006 npm run screenshots   # a running `npm run storybook`
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import { launchChromium } from '../test/support/browser.js';
import { serveStatic } from '../test/support/static-server.js';

interface Shot {
  name: string;
  story: string;
  state: string;
  /** What to do once the state is reached (pointer, keys), before the picture. */
  act?: (page: Page) => Promise<void>;
}

const OUT = new URL('../docs/screenshots/', import.meta.url);

/** Moves the pointer to a point of a shadow-root element of the player (fractions of its box). */
async function pointAt(page: Page, selector: string, fx = 0.5, fy = 0.5): Promise<void> {
  const box = await page.evaluate((s: string) => {
    const rect = document.querySelector('veil-player')!.shadowRoot!.querySelector(s)!.getBoundingClientRect();
    return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
  }, selector);
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
}

const SHOTS: Shot[] = [
  { name: 'signed-out', story: 'elements-veil-player--signed-out', state: 'signed-out' },
  { name: 'denied', story: 'elements-veil-player--denied', state: 'denied' },
  { name: 'loading', story: 'elements-veil-player--loading', state: 'loading' },
  { name: 'ready', story: 'elements-veil-player--paused', state: 'paused' },
  {
    name: 'playing',
    story: 'elements-veil-player--playing',
    state: 'playing',
    act: (page) => pointAt(page, '.seek-bar', 0.62),
  },
  {
    name: 'menu',
    story: 'elements-veil-player--paused',
    state: 'paused',
    act: async (page) => {
      await page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector<HTMLElement>('#speed-button')!.focus());
      await page.keyboard.press('Enter');
    },
  },
  { name: 'error', story: 'elements-veil-player--error-state', state: 'error' },
];

async function main(): Promise<void> {
  const local = process.env['VEIL_STORYBOOK_URL'] ? undefined : await serveStatic(new URL('../storybook-static/', import.meta.url));
  const origin = process.env['VEIL_STORYBOOK_URL'] ?? local!.origin;
  const browser = await launchChromium();
  try {
    await mkdir(OUT, { recursive: true });
    for (const shot of SHOTS) {
      const page = await browser.newPage();
      await page.setViewport({ width: 720, height: 480, deviceScaleFactor: 1 });
      await page.goto(`${origin}/iframe.html?id=${shot.story}&viewMode=story`, { waitUntil: 'load' });
      await page.waitForFunction((s: string) => document.querySelector('veil-player')?.getAttribute('state') === s, { timeout: 20_000 }, shot.state);
      await shot.act?.(page);
      await new Promise((done) => setTimeout(done, 500)); // fades and the canvas engine's frames settle
      const player = await page.$('veil-player');
      const png = await player!.screenshot({ type: 'png' });
      await writeFile(new URL(`${shot.name}.png`, OUT), png);
      console.log(`docs/screenshots/${shot.name}.png (${shot.state})`);
      await page.close();
    }
  } finally {
    await browser.close();
    local?.server.close();
  }
}

await main();
