/**
 * A recording plays through both of its presentations in real Chromium: alice records 4 s, and
 * her player (which says it plays DASH and HLS, DASH first) gets CENC DASH; the same page asking
 * for HLS only (the request body rewritten, as a Safari-like client would send it) plays AES-128
 * HLS through hls.js, fetching the key from the key route. Frames advance in both. bob, of the same
 * org, is refused on both presentations. Every wait is on a state or an event, with generous
 * timeouts for a loaded machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { playbackProgress, playerState, signInAndWatch, storedAccessToken } from '../support/browser.js';
import { demoAndBrowser } from '../support/e2e.js';
import { recordFor, recorderState, recorderVideoId, signInToRecord, startRecording } from '../support/recorder.js';

const env = demoAndBrowser();

const isSessionRequest = (url: string, method: string) => method === 'POST' && new URL(url).pathname.endsWith('/api/playback-sessions');

/** Opens the watch page and plays it; returns the protocols the player asked for, the one the session named, and the URLs the page fetched. */
async function watchAndPlay(page: Page, videoId: string): Promise<{ asked: unknown; protocol: string; urls: string[] }> {
  const urls: string[] = [];
  const onRequest = (request: { url(): string }) => void urls.push(new URL(request.url()).pathname);
  page.on('request', onRequest);
  const session = page.waitForResponse((response: HTTPResponse) => isSessionRequest(response.url(), response.request().method()), { timeout: 60_000 });
  await page.goto(`${env.demo.config.origin}/watch?v=${videoId}`);
  const response = await session;
  const asked = (JSON.parse(response.request().postData() ?? '{}') as { protocols?: unknown }).protocols;
  const { protocol } = (await response.json()) as { protocol: string };
  await playerState(page, ['paused', 'playing'], 120_000);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 60_000, polling: 100 });
  const first = await playbackProgress(page);
  await page.waitForFunction((frames: number) => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames > frames + 5, { timeout: 30_000, polling: 100 }, first.totalVideoFrames);
  page.off('request', onRequest);
  return { asked, protocol, urls };
}

describe('a recording in two presentations', () => {
  it('alice plays it through CENC DASH and through AES-128 HLS (hls.js); bob is refused on both', async () => {
    const context = await env.browser.createBrowserContext();
    const page = await context.newPage();
    await signInToRecord(page, 'alice@acme.test', env.demo.config.origin);
    assert.equal(await recorderState(page, ['idle']), 'idle');
    const startedAt = await startRecording(page);
    assert.equal(await recorderState(page, ['recording']), 'recording');
    await recordFor(page, startedAt, 4);
    await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
    const ended = await recorderState(page, ['ready', 'error'], 240_000);
    assert.equal(ended, 'ready', `the recorder ended '${ended}' after stop`);
    const videoId = (await recorderVideoId(page))!;

    const dash = await watchAndPlay(page, videoId);
    assert.deepEqual(dash.asked, ['dash', 'hls'], 'the player did not say it plays DASH and HLS');
    assert.equal(dash.protocol, 'dash');
    assert.ok(dash.urls.includes(`/media/${videoId}/manifest.mpd`), 'the DASH manifest was not fetched');
    assert.ok(dash.urls.includes(`/api/license/${videoId}`), 'no ClearKey licence was asked for');

    // The same player, as a client that plays HLS only.
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.isInterceptResolutionHandled()) return;
      if (!isSessionRequest(request.url(), request.method())) return void request.continue();
      const body = JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
      void request.continue({ postData: JSON.stringify({ ...body, protocols: ['hls'] }) });
    });
    const hls = await watchAndPlay(page, videoId);
    assert.equal(hls.protocol, 'hls');
    assert.ok(hls.urls.includes(`/media/${videoId}/master.m3u8`), 'the HLS master playlist was not fetched');
    assert.ok(hls.urls.includes(`/api/keys/${videoId}`), 'the AES-128 key was not fetched');
    assert.ok(hls.urls.some((url) => url.startsWith(`/media/${videoId}/`) && url.endsWith('.ts')), 'no MPEG-TS segment was fetched');
    assert.ok(!hls.urls.some((url) => url.endsWith('.mpd') || url.endsWith('.m4s')), 'the HLS session fetched DASH media');
    await context.close();

    const bob = await (await env.browser.createBrowserContext()).newPage();
    await signInAndWatch(bob, videoId, 'bob@acme.test', { origin: env.demo.config.origin });
    assert.equal(await playerState(bob, ['denied', 'error', 'paused', 'playing']), 'denied');
    assert.equal(await bob.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), 'PLAYBACK_NOT_GRANTED');
    const token = await storedAccessToken(bob);
    for (const protocols of [['dash'], ['hls']]) {
      const answer = await bob.evaluate(
        async (body: string, accessToken: string) => {
          const response = await fetch('/api/playback-sessions', { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body });
          return { status: response.status, code: ((await response.json()) as { error?: { code: string } }).error?.code };
        },
        JSON.stringify({ videoId, protocols }),
        token,
      );
      assert.deepEqual(answer, { status: 403, code: 'PLAYBACK_NOT_GRANTED' }, `bob asking for ${protocols[0]}`);
    }
    await bob.browserContext().close();
  });
});
