/**
 * The player's own controls and the session's sign-out, used the way a viewer would: clicks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { demoOrigin, launchChromium, playerState, signInAndWatch, watchCsp } from '../support/browser.js';

let browser: Browser;
let page: Page;
let csp: string[];

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  csp = watchCsp(page);
  await signInAndWatch(page, 'sample-dash', 'bob@acme.test');
  await playerState(page, ['paused', 'playing']);
});

after(async () => {
  await browser?.close();
});

/** Clicks a control inside the player's shadow root, as a pointer would (a user gesture). */
async function clickControl(label: string): Promise<void> {
  const handle = await page.evaluateHandle(
    (l: string) => document.querySelector('veil-player')!.shadowRoot!.querySelector(`[aria-label="${l}"]`),
    label,
  );
  const element = handle.asElement();
  assert.ok(element, `control "${label}" exists`);
  await (element as import('puppeteer-core').ElementHandle<Element>).click();
}

/** Reads one media property through the player's own media API. */
const playerProperty = (name: 'paused' | 'muted') =>
  page.evaluate((n: 'paused' | 'muted') => document.querySelector('veil-player')![n], name);

describe('player controls (bob, sample-dash)', () => {
  it('play and pause buttons drive the media and the state', async () => {
    await clickControl('Play');
    assert.equal(await playerState(page, ['playing']), 'playing');
    await clickControl('Pause');
    assert.equal(await playerState(page, ['paused']), 'paused');
    assert.equal(await playerProperty('paused'), true);
  });

  it('the seek bar moves the playhead', async () => {
    await page.evaluate(() => {
      const seek = document.querySelector('veil-player')!.shadowRoot!.querySelector<HTMLInputElement>('[aria-label="Seek"]')!;
      seek.value = '30';
      seek.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction(() => Math.abs(document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime - 30) < 0.5);
  });

  it('mute toggles muted, re-dispatching volumechange on the player', async () => {
    await page.evaluate(() => {
      document.querySelector('veil-player')!.addEventListener('volumechange', () => document.body.setAttribute('data-volumechange', '1'), { once: true });
    });
    await clickControl('Mute');
    assert.equal(await playerProperty('muted'), true);
    // Media events are queued tasks: wait for the re-dispatched one rather than racing it.
    await page.waitForFunction(() => document.body.getAttribute('data-volumechange') === '1', { timeout: 5000 });
    // A toggle button: the same name, aria-pressed says whether it is on.
    await page.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('[aria-label="Mute"]')!.getAttribute('aria-pressed') === 'true');
    await clickControl('Mute');
    assert.equal(await playerProperty('muted'), false);
  });

  it('fullscreen takes the player container, not the bare video', async () => {
    await clickControl('Fullscreen');
    await page.waitForFunction(() => document.fullscreenElement !== null);
    assert.equal(await page.evaluate(() => document.fullscreenElement?.tagName), 'VEIL-PLAYER');
    await page.evaluate(() => document.exitFullscreen());
  });

  it('sign-out ends the IdP session: the next visit asks for the password again', async () => {
    await Promise.all([page.waitForNavigation(), page.click('#sign-out')]);
    await page.waitForSelector('button[name="logout"]');
    await Promise.all([page.waitForNavigation(), page.click('button[name="logout"]')]);
    assert.equal(new URL(page.url()).origin, demoOrigin());
    await page.goto(`${demoOrigin()}/watch?v=sample-dash`);
    await page.waitForSelector('input[name="password"]', { timeout: 30_000 });
    assert.deepEqual(csp, []);
  });
});
