/**
 * Short-lived tokens the viewer never notices: a 5 s playback token over a minute of playback,
 * and a revoked viewer stopped within one token lifetime.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'puppeteer-core';
import { playerState, signInAndWatch } from '../support/browser.js';
import { demoAndBrowser } from '../support/e2e.js';
import { setGeneralAccess } from '../support/access.js';

const TTL_SECONDS = 5;
const e2e = demoAndBrowser({ tokenTtlSeconds: TTL_SECONDS });

/** Counts renewals and post-first-frame `waiting` events from the very first document on. */
async function instrumentedPage(): Promise<Page> {
  const page = await (await e2e.browser.createBrowserContext()).newPage();
  await page.evaluateOnNewDocument(() => {
    const probe = { renewals: 0, waitingAfterFirstFrame: 0, firstFrame: false };
    Object.assign(window, { __veilProbe: probe });
    document.addEventListener('veil-token-renewed', () => (probe.renewals += 1));
    // Media events are re-dispatched on <veil-player> without bubbling: listen in the capture phase.
    document.addEventListener('playing', () => (probe.firstFrame = true), true);
    document.addEventListener('waiting', () => probe.firstFrame && (probe.waitingAfterFirstFrame += 1), true);
  });
  return page;
}

const probe = (page: Page) =>
  page.evaluate(() => {
    const player = document.querySelector('veil-player')!;
    const { renewals, waitingAfterFirstFrame } = (window as unknown as { __veilProbe: { renewals: number; waitingAfterFirstFrame: number } }).__veilProbe;
    return { renewals, waitingAfterFirstFrame, currentTime: player.currentTime, state: player.getAttribute('state') };
  });

describe(`renewal with a ${TTL_SECONDS} s playback token`, () => {
  it('60 s of DASH playback: at least 10 renewals, no waiting after the first frame, currentTime continuous', async () => {
    const page = await instrumentedPage();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/playback-sessions')) tokenRequests.push(request.postData() ?? '');
    });
    await signInAndWatch(page, 'sample-dash', 'alice@acme.test', { origin: e2e.demo.config.origin });
    await playerState(page, ['paused']);
    await page.evaluate(() => document.querySelector('veil-player')!.play());

    const samples: Array<{ wall: number; currentTime: number }> = [];
    let last = await probe(page);
    while (last.state !== 'ended' && last.currentTime < 59) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      last = await probe(page);
      samples.push({ wall: Date.now(), currentTime: last.currentTime });
      assert.ok(samples.length < 200, 'playback did not finish within 100 s');
    }
    assert.ok(last.renewals >= 10, `renewals: ${last.renewals}`);
    assert.equal(last.waitingAfterFirstFrame, 0, 'waiting events after the first frame');
    for (let i = 1; i < samples.length; i++) {
      const media = samples[i]!.currentTime - samples[i - 1]!.currentTime;
      const wall = (samples[i]!.wall - samples[i - 1]!.wall) / 1000;
      assert.ok(media >= 0 && media <= wall + 0.5, `currentTime jumped by ${media.toFixed(2)} s in ${wall.toFixed(2)} s`);
      if (i > 2 && samples[i]!.currentTime < 59) assert.ok(media > 0, `currentTime stood still at ${samples[i]!.currentTime}`);
    }
    // Renewals are requests for the same session carrying the previous token.
    assert.ok(tokenRequests.filter((body) => body.includes('previousToken')).length >= 10);
    console.log(`renewal figures: ${last.renewals} renewals, ${last.waitingAfterFirstFrame} waiting, ${samples.length} samples`);
    await page.browserContext().close();
  });

  it('a viewer revoked mid-playback stops within one token lifetime, denied with PLAYBACK_NOT_GRANTED', async () => {
    const page = await instrumentedPage();
    await signInAndWatch(page, 'sample-hls', 'bob@acme.test', { origin: e2e.demo.config.origin });
    await playerState(page, ['paused']);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 2, { timeout: 30_000 });

    // Bob watches by general access `org`: taking it back to `restricted` revokes him.
    await setGeneralAccess(e2e.demo.grants, 'sample-hls', 'restricted');
    const revokedAt = Date.now();
    try {
      assert.equal(await playerState(page, ['denied', 'error'], 30_000), 'denied');
      const stoppedAfter = Date.now() - revokedAt;
      const { errorCode, paused } = await page.evaluate(() => {
        const player = document.querySelector('veil-player')!;
        return { errorCode: player.getAttribute('error-code'), paused: player.paused };
      });
      assert.equal(errorCode, 'PLAYBACK_NOT_GRANTED');
      assert.equal(paused, true);
      console.log(`revocation: playback stopped ${stoppedAfter} ms after the revocation (token lifetime ${TTL_SECONDS * 1000} ms)`);
      assert.ok(stoppedAfter <= TTL_SECONDS * 1000 + 1000, `stopped after ${stoppedAfter} ms`);
    } finally {
      await setGeneralAccess(e2e.demo.grants, 'sample-hls', 'org');
      await page.browserContext().close();
    }
  });
});
