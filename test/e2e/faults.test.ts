/**
 * Faults on every request the player makes, injected in front of the real service: transient
 * ones are recovered from without the viewer doing anything; permanent ones end in the right error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, playerState, signInAndWatch } from '../support/browser.js';
import { FaultInjector, startTestDemo, type Demo, type FaultRule } from '../support/demo.js';

const faults = new FaultInjector();
let demo: Demo;
let browser: Browser;

before(async () => {
  demo = await startTestDemo({ wrapService: faults.wrap });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

async function watch(videoId: string, rules: FaultRule[]): Promise<Page> {
  faults.set(rules);
  const page = await (await browser.createBrowserContext()).newPage();
  await signInAndWatch(page, videoId, 'alice@acme.test', { origin: demo.config.origin });
  return page;
}

async function playPast(page: Page, seconds: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction((s: number) => document.querySelector('veil-player')!.currentTime > s, { timeout }, seconds);
}

const sessions = /^\/api\/playback-sessions$/;

describe('transient faults are recovered from', () => {
  it('DASH: token 503 twice, license timeout once, one segment 500, offline 5 s', async () => {
    const page = await watch('sample-dash', [
      { method: 'POST', path: sessions, times: 2, fault: { status: 503 } },
      { method: 'POST', path: /^\/api\/license\//, times: 1, fault: { delayMs: 10_000 } },
      { method: 'GET', path: /^\/media\/sample-dash\/chunk-\d+-00003\.m4s$/, times: 1, fault: { status: 500 } },
    ]);
    await playerState(page, ['paused', 'playing'], 60_000);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await playPast(page, 8);
    assert.deepEqual(faults.hits(), [2, 1, 1]);

    await page.setOfflineMode(true);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await page.setOfflineMode(false);
    const resumedFrom = await page.evaluate(() => document.querySelector('veil-player')!.currentTime);
    await playPast(page, resumedFrom + 5);
    assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('state')), 'playing');
    await page.browserContext().close();
  });

  it('HLS: token 503 twice, key 500 once, one segment 500', async () => {
    const page = await watch('sample-hls', [
      { method: 'POST', path: sessions, times: 2, fault: { status: 503 } },
      { method: 'GET', path: /^\/api\/keys\//, times: 1, fault: { status: 500 } },
      { method: 'GET', path: /^\/media\/sample-hls\/.*\.ts$/, times: 1, fault: { status: 500 } },
    ]);
    await playerState(page, ['paused', 'playing'], 60_000);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await playPast(page, 6);
    assert.deepEqual(faults.hits(), [2, 1, 1]);
    await page.browserContext().close();
  });
});

describe('permanent faults end in the right error state', () => {
  for (const [name, videoId, rule, code] of [
    ['token service down', 'sample-dash', { method: 'POST', path: sessions, times: Infinity, fault: { status: 503 } }, 'PLAYBACK_SESSION_FAILED'],
    ['license server failing', 'sample-dash', { method: 'POST', path: /^\/api\/license\//, times: Infinity, fault: { status: 500 } }, 'DRM_LICENSE_REQUEST_FAILED'],
    ['key server failing', 'sample-hls', { method: 'GET', path: /^\/api\/keys\//, times: Infinity, fault: { status: 500 } }, 'DRM_LICENSE_REQUEST_FAILED'],
  ] as const) {
    it(`${name} → error ${code}`, async () => {
      const page = await watch(videoId, [rule]);
      // Start playback as soon as the engine is up (keys are requested when encrypted media arrives).
      const state = await playerState(page, ['paused', 'playing', 'error'], 90_000);
      if (state !== 'error') await page.evaluate(() => document.querySelector('veil-player')!.play().catch(() => undefined));
      assert.equal(await playerState(page, ['error'], 90_000), 'error');
      assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), code);
      const message = await page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="message"]')!.textContent);
      assert.ok(message && message.trim().length > 10, 'the viewer is told what happened');
      await page.browserContext().close();
    });
  }
});
