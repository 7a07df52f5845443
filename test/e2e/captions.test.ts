/**
 * Captions and quality on the real streams, with the keyboard: alice presses C and the stream's
 * WebVTT cue for the current time shows (fetched with the playback token in the header, never in
 * the URL), and the quality menu switches the picture to the 180p rendition.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, playerState, signInAndWatch, watchCsp } from '../support/browser.js';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

for (const videoId of ['sample-dash', 'sample-hls']) {
  describe(`captions and quality (alice, ${videoId})`, () => {
    let page: Page;
    let csp: string[];
    const vttRequests: string[] = [];

    before(async () => {
      const context = await browser.createBrowserContext();
      page = await context.newPage();
      csp = watchCsp(page);
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (/\.(vtt|m3u8)$/.test(url.pathname) && url.pathname.includes('captions-')) {
          vttRequests.push(`${url.pathname}${url.search} ${request.headers().authorization ?? 'none'}`);
        }
      });
      await signInAndWatch(page, videoId, 'alice@acme.test');
      await playerState(page, ['paused', 'playing']);
      await page.evaluate(() => document.querySelector('veil-player')!.play());
      await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 30_000 });
    });

    after(async () => {
      await page?.browserContext().close();
    });

    it('C switches captions on; the cue for the current time becomes active; captions were fetched with the token', async () => {
      assert.equal(vttRequests.length, 0, 'no caption request before captions are switched on');
      await page.evaluate(() => document.querySelector<HTMLElement>('veil-player')!.focus());
      await page.keyboard.press('c');
      const handle = await page.waitForFunction(
        () => {
          const player = document.querySelector('veil-player')!;
          const video = player.shadowRoot!.querySelector('video')!;
          const track = Array.from(video.textTracks).find((t) => t.mode === 'showing');
          const cue = track?.activeCues?.[0] as VTTCue | undefined;
          return cue ? { text: cue.text, language: track!.language, time: video.currentTime, pressed: player.shadowRoot!.querySelector('.captions')!.getAttribute('aria-pressed') } : undefined;
        },
        { timeout: 30_000 },
      );
      const { text, language, time, pressed } = (await handle.jsonValue()) as { text: string; language: string; time: number; pressed: string };
      assert.equal(language, 'en');
      assert.equal(pressed, 'true');
      const match = /^Caption \d+ — (\d+):(\d\d) to (\d+):(\d\d)$/.exec(text);
      assert.ok(match, `cue text: ${text}`);
      const [from, to] = [Number(match[1]) * 60 + Number(match[2]), Number(match[3]) * 60 + Number(match[4])];
      assert.ok(from - 0.5 <= time && time <= to + 0.5, `cue "${text}" is active at ${time.toFixed(2)} s`);

      assert.ok(vttRequests.some((line) => line.startsWith('/media/') && line.includes('.vtt ')), `a VTT was fetched: ${vttRequests.join(', ')}`);
      for (const line of vttRequests) assert.match(line, /^\/media\/[\w-]+\/captions-\w+\.(vtt|m3u8) Bearer [\w-]+\.[\w-]+\.[\w-]+$/, line);
      assert.deepEqual(csp, []);

      await page.keyboard.press('c');
      await page.waitForFunction(() =>
        Array.from(document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.textTracks).every((t) => t.mode !== 'showing'),
      );
    });

    it('the quality menu, used with the keyboard, switches the picture to 180p', async () => {
      await page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector<HTMLElement>('#quality-button')!.focus());
      await page.keyboard.press('Enter');
      const items = await page.evaluate(() =>
        Array.from(document.querySelector('veil-player')!.shadowRoot!.querySelectorAll('#quality-menu [role="menuitemradio"]'), (item) => item.textContent),
      );
      assert.deepEqual(items, ['Auto', '360p', '180p']);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.videoHeight === 180, { timeout: 30_000 });
      const label = await page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('#quality-button')!.getAttribute('aria-label'));
      assert.equal(label, 'Quality: 180p');
      // Frames keep coming at the new size.
      const frames = () => page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames);
      const before = await frames();
      await page.waitForFunction((n: number) => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames > n + 15, { timeout: 30_000 }, before);
      assert.equal(await playerState(page, ['playing', 'paused', 'error']), 'playing');
      assert.deepEqual(csp, []);
    });
  });
}
