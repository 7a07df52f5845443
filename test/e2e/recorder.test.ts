/**
 * `<veil-recorder>` end to end in real Chromium with fake devices, against the real demo (tus
 * uploads, processing with ffmpeg, CENC DASH playback): alice records camera + mic through a
 * network cut and a reload; the recording is recovered with the same video id, processed, and
 * plays for her alone. mallory (outside the perimeter) gets `denied` with no camera prompt and no
 * upload request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { demoOrigin, launchChromium, playbackProgress, playerState, signInAndWatch, watchRequests } from '../support/browser.js';
import { recordFor, recorderState, signInToRecord, startRecording } from '../support/recorder.js';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function freshPage(): Promise<Page> {
  const context = await browser.createBrowserContext();
  return context.newPage();
}

describe('<veil-recorder>', () => {
  it('records camera + mic through a network cut and a reload; recovered, same video id, plays for alice only', async (t) => {
    const page = await freshPage();
    await signInToRecord(page, 'alice@acme.test');
    assert.equal(await recorderState(page, ['idle']), 'idle');

    const startedAt = await startRecording(page);
    assert.equal(await recorderState(page, ['recording']), 'recording');
    await page.waitForFunction(() => document.querySelector('veil-recorder')!.hasAttribute('video-id'), { timeout: 30_000 });
    const videoId = (await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('video-id')))!;
    assert.match(videoId, /^rec-/);

    // A network cut while recording: the state does not change; the upload waits and catches up.
    await recordFor(page, startedAt, 2);
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await recordFor(page, startedAt, 5);
    assert.equal(await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('state')), 'recording');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await recordFor(page, startedAt, 10);

    // A reload mid-recording: what was persisted is recovered and uploaded by itself.
    await page.evaluateOnNewDocument(() => {
      const ready: string[] = [];
      (window as unknown as { __ready: string[] }).__ready = ready;
      document.addEventListener('veil-recording-ready', (event) => ready.push(event.detail.videoId));
    });
    const recordedSeconds = (Date.now() - startedAt) / 1000;
    await page.reload();
    await page.waitForSelector('veil-recorder');
    await recorderState(page, ['uploading', 'processing', 'ready'], 30_000);
    assert.equal(await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('video-id')), videoId);
    assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __ready: string[] }).__ready), [videoId]);
    assert.equal(await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('video-id')), videoId);

    // The video list shows it as alice's, ready.
    await page.goto(`${demoOrigin()}/videos`);
    const item = await page.waitForSelector(`li[data-video-id="${videoId}"]`, { timeout: 30_000 });
    assert.deepEqual(await item!.evaluate((li) => [li.dataset.status, li.dataset.role]), ['ready', 'owner']);

    // alice plays it: frames advance, and it holds what was recorded after the network came back
    // (5 s in). What the reload lost is what the MediaRecorder had not delivered yet — late under
    // load (measured up to 2.2 s; docs/decisions.md, "Recorder: what a reload loses"), so it is
    // reported, not asserted; recorder-faults checks byte for byte that every persisted chunk arrives.
    await page.goto(`${demoOrigin()}/watch?v=${videoId}`);
    await playerState(page, ['paused', 'playing']);
    const duration = await page.evaluate(() => document.querySelector('veil-player')!.duration);
    assert.ok(duration > 5, `video ${duration} s: nothing recorded after the network came back (5 s in); page clock at the reload ${recordedSeconds} s`);
    t.diagnostic(`page clock at the reload ${recordedSeconds.toFixed(2)} s, video ${duration.toFixed(2)} s: the reload lost ${(recordedSeconds - duration).toFixed(2)} s`);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1.5, { timeout: 30_000 });
    const progress = await playbackProgress(page);
    assert.ok(progress.totalVideoFrames > 10, JSON.stringify(progress));

    // bob (same org) is refused: the recording is restricted to its owner.
    const bob = await freshPage();
    await signInAndWatch(bob, videoId, 'bob@acme.test');
    assert.equal(await playerState(bob, ['denied', 'error', 'paused', 'playing']), 'denied');
    assert.equal(await bob.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), 'PLAYBACK_NOT_GRANTED');
  });

  it('mallory (outside the perimeter) is denied: no getUserMedia call, no upload request', async () => {
    const page = await freshPage();
    await page.evaluateOnNewDocument(() => {
      const calls: string[] = [];
      (window as unknown as { __captureCalls: string[] }).__captureCalls = calls;
      const devices = navigator.mediaDevices;
      for (const name of ['getUserMedia', 'getDisplayMedia'] as const) {
        const original = devices[name].bind(devices);
        devices[name] = ((constraints: MediaStreamConstraints) => {
          calls.push(name);
          return original(constraints);
        }) as never;
      }
    });
    const requests = watchRequests(page);
    await signInToRecord(page, 'mallory@globex.test');
    assert.equal(await recorderState(page, ['denied', 'idle', 'error']), 'denied');
    assert.equal(await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('error-code')), 'PERIMETER_DENIED');
    const start = await page.evaluate(() => document.querySelector('veil-recorder')!.start().then(() => 'started', (error: { code?: string }) => error.code ?? 'rejected'));
    assert.notEqual(start, 'started');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __captureCalls: string[] }).__captureCalls), []);
    assert.deepEqual(requests.filter((url) => new URL(url).pathname.startsWith('/api/uploads')), []);
  });
});
