/**
 * `npm run screenshots` as CI runs it: every README screenshot taken from the built Storybook
 * (`storybook-static/`, which `npm test` builds first) and the shared demo, into a temporary
 * folder, and each one a real PNG of the framed element — so the script cannot rot between the
 * times someone refreshes `docs/screenshots/`. The README must show every one of them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { takeScreenshots, type Taken } from '../../scripts/screenshots.js';
import { demoOrigin, launchChromium } from '../support/browser.js';
import { serveStatic } from '../support/static-server.js';
import { tagOf, type IndexEntry } from '../support/storybook.js';

const STORYBOOK = new URL('../../storybook-static/', import.meta.url);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let browser: Browser;
let server: Server;
let origin: string;
let out: string;

before(async () => {
  assert.ok(existsSync(new URL('index.json', STORYBOOK)), 'storybook-static/ is missing: run `npm run build-storybook` before this test.');
  ({ server, origin } = await serveStatic(STORYBOOK));
  browser = await launchChromium();
  out = await mkdtemp(join(tmpdir(), 'veil-screenshots-'));
});

after(async () => {
  await browser?.close();
  server?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, 'a PNG');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('npm run screenshots', () => {
  it('takes every player state, every story of the other elements and the audit page, each a PNG of the element, all shown in the README', async () => {
    const taken: Taken[] = await takeScreenshots(browser, { storybook: origin, demo: demoOrigin(), out: pathToFileURL(`${out}/`) });
    const names = taken.map((shot) => shot.name);
    assert.equal(new Set(names).size, names.length, 'one file per name');

    const index = Object.values((JSON.parse(readFileSync(new URL('index.json', STORYBOOK), 'utf8')) as { entries: Record<string, IndexEntry> }).entries);
    const others = index.filter((entry) => entry.type === 'story' && !['veil-player', 'veil-session'].includes(tagOf(entry)));
    assert.ok(others.some((entry) => tagOf(entry) === 'veil-share-dialog'), 'the share dialog has stories');
    for (const entry of others) assert.ok(names.includes(`${tagOf(entry).replace(/^veil-/, '')}-${entry.id.split('--')[1]}`), `a screenshot of ${entry.id}`);
    for (const name of ['signed-out', 'denied', 'loading', 'ready', 'playing', 'menu', 'error', 'share-dialog-search', 'audit-page']) assert.ok(names.includes(name), `a screenshot ${name}`);

    for (const shot of taken) {
      const { width, height } = pngSize(shot.png);
      assert.ok(width >= 200 && height >= 24, `${shot.name}.png frames its element (${width}×${height})`);
      assert.equal(readFileSync(shot.file).length, shot.png.length, `${shot.name}.png is written`);
    }
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of names) assert.ok(readme.includes(`docs/screenshots/${name}.png`), `README shows ${name}.png (refresh: npm run build-storybook && npm run screenshots; then show it in README)`);
  });
});
