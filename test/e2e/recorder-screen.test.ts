/**
 * `<veil-recorder>` recording the screen and the screen with the camera bubble composited over
 * it, in real Chromium with fake devices against a demo of its own. With
 * `--use-fake-device-for-media-stream`, `getDisplayMedia` gets Chromium's fake display (a plain
 * green picture) rather than the tab, which makes the bubble easy to see. Both record and play;
 * the composite keeps ≥ 15 fps while the tab is hidden, counted in the bytes the server received
 * (ffprobe, one packet per frame), and the bubble is in its corner, also in a hidden-tab frame.
 * The hidden stretch is taken from the page's own `visibilitychange` events, on the recording's
 * clock: zero is the MediaRecorder's `start` event, observed in the page (the packets' times count
 * from the first frame it records). Every wait is on an event or a state, with generous timeouts
 * (CI runs this on a loaded machine).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { playbackProgress, playerState, signInAt } from '../support/browser.js';
import { demoAndBrowser } from '../support/e2e.js';
import { recordFor, recorderState, recorderVideoId, startRecording } from '../support/recorder.js';

const exec = promisify(execFile);
const env = demoAndBrowser();

/** What the page saw: the MediaRecorder's `start` and each visibility change, on the page's `performance.now()` clock. */
interface RecordingClock {
  recordingStartedAt?: number;
  visibility: Array<{ state: DocumentVisibilityState; at: number }>;
}
declare global {
  interface Window {
    veilTestClock: RecordingClock;
  }
}

async function recorderPage(source: string): Promise<Page> {
  const page = await (await env.browser.createBrowserContext()).newPage();
  await page.evaluateOnNewDocument(() => {
    const clock: RecordingClock = (window.veilTestClock = { visibility: [] });
    document.addEventListener('visibilitychange', () => clock.visibility.push({ state: document.visibilityState, at: performance.now() }));
    const start = MediaRecorder.prototype.start;
    MediaRecorder.prototype.start = function (this: MediaRecorder, ...args: Parameters<MediaRecorder['start']>) {
      this.addEventListener('start', () => (clock.recordingStartedAt = performance.now()), { once: true });
      return start.apply(this, args);
    };
  });
  await signInAt(page, `/record?source=${encodeURIComponent(source)}&countdown=0`, 'alice@acme.test', { origin: env.demo.config.origin });
  await page.waitForSelector('veil-recorder');
  assert.equal(await recorderState(page, ['idle']), 'idle');
  return page;
}

const SMALL = { width: 32, height: 18 };

/** Two pixels of the recording's frame at `second`, scaled down: in the bubble (bottom right) and away from it (bottom left). */
async function bubbleAndBackground(videoId: string, second: number): Promise<{ bubble: number[]; background: number[] }> {
  const { stdout } = await exec(
    'ffmpeg',
    ['-v', 'error', '-ss', String(second), '-i', join(env.demo.config.uploadDir, videoId), '-frames:v', '1', '-vf', `scale=${SMALL.width}:${SMALL.height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer' },
  );
  const pixel = (x: number, y: number) => [...stdout.subarray((y * SMALL.width + x) * 3, (y * SMALL.width + x) * 3 + 3)];
  // The bubble's centre: 28 % of the height across, 3 % from the corner (compositor.ts).
  return { bubble: pixel(29, 15), background: pixel(2, 15) };
}

/** Whether two pixels differ clearly in some channel (video coding moves each a little). */
const differ = (a: number[], b: number[]) => a.some((value, i) => Math.abs(value - b[i]!) > 40);

/** The video packets' times (s) in the upload the server received. */
async function videoPacketTimes(videoId: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', join(env.demo.config.uploadDir, videoId)]);
  return stdout.split('\n').map(Number).filter((time) => Number.isFinite(time) && time > 0);
}

/** Waits (on the page's clock, which keeps running while the tab is hidden) until `ms` after the page's last visibility change to `state`. */
async function stayFor(page: Page, state: DocumentVisibilityState, ms: number): Promise<void> {
  await page.waitForFunction(
    (wanted: DocumentVisibilityState, wait: number) => {
      const last = window.veilTestClock.visibility.at(-1);
      return document.visibilityState === wanted && last?.state === wanted && performance.now() - last.at >= wait;
    },
    { timeout: 120_000, polling: 250 },
    state,
    ms,
  );
}

async function stopAndPlay(page: Page): Promise<string> {
  await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
  const ended = await recorderState(page, ['ready', 'error'], 240_000);
  const code = await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('error-code'));
  assert.equal(ended, 'ready', `the recorder ended '${ended}' (error-code ${code}) after stop, not 'ready'`);
  const videoId = (await recorderVideoId(page))!;
  await page.goto(`${env.demo.config.origin}/watch?v=${videoId}`);
  await playerState(page, ['paused', 'playing'], 120_000);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 120_000, polling: 100 });
  const { totalVideoFrames, currentTime } = await playbackProgress(page);
  assert.ok(totalVideoFrames > 5, `the player decoded ${totalVideoFrames} frames by ${currentTime.toFixed(2)} s of playback, want > 5`);
  return videoId;
}

describe('<veil-recorder> screen sources', () => {
  it('screen: records the display and plays', async () => {
    const page = await recorderPage('screen');
    const startedAt = await startRecording(page);
    assert.equal(await recorderState(page, ['recording']), 'recording');
    await recordFor(page, startedAt, 4);
    const videoId = await stopAndPlay(page);
    // The screen alone: the corner looks like the rest, no bubble.
    const { bubble, background } = await bubbleAndBackground(videoId, 2);
    assert.ok(!differ(bubble, background), `screen alone at 2 s: the bubble's corner ${JSON.stringify(bubble)} differs from the background ${JSON.stringify(background)}`);
    await page.browserContext().close();
  });

  it('camera+screen: the camera bubble is composited; ≥ 15 fps while the tab is hidden; plays', async (t) => {
    const page = await recorderPage('camera+screen');
    const startedAt = await startRecording(page);
    assert.equal(await recorderState(page, ['recording']), 'recording');
    await recordFor(page, startedAt, 2);

    // Hidden for 6 s of the page's clock: another tab in front.
    const other = await page.browserContext().newPage();
    await other.bringToFront();
    await stayFor(page, 'hidden', 6000);
    await page.bringToFront();
    await stayFor(page, 'visible', 1000);
    await other.close();
    // Read before stopAndPlay navigates away from the recorder's page.
    const clock = await page.evaluate(() => window.veilTestClock);
    const videoId = await stopAndPlay(page);

    assert.ok(clock.recordingStartedAt !== undefined, 'the page saw no MediaRecorder start event');
    const hidden = clock.visibility.find((change) => change.state === 'hidden');
    const shown = clock.visibility.find((change) => change.state === 'visible' && change.at > (hidden?.at ?? Infinity));
    assert.ok(hidden && shown, `visibility changes seen: ${JSON.stringify(clock.visibility)}`);
    // One second inside each edge of the hidden stretch, in the recording's own clock (s).
    const from = (hidden.at - clock.recordingStartedAt) / 1000 + 1;
    const to = (shown.at - clock.recordingStartedAt) / 1000 - 1;
    assert.ok(to - from >= 3, `the hidden stretch ${from.toFixed(2)}–${to.toFixed(2)} s (recording clock, edges trimmed) is under 3 s`);
    const times = await videoPacketTimes(videoId);
    const frames = times.filter((time) => time >= from && time < to).length;
    const fps = frames / (to - from);
    const last = times.at(-1) ?? 0;
    assert.ok(fps >= 15, `composite while hidden: ${frames} frames in ${from.toFixed(2)}–${to.toFixed(2)} s = ${fps.toFixed(1)} fps, want ≥ 15 (${times.length} frames in all, last at ${last.toFixed(2)} s)`);
    t.diagnostic(`composite: ${fps.toFixed(1)} fps while the tab was hidden (${frames} frames in ${(to - from).toFixed(2)} s)`);
    // The camera is in the bubble, the screen around it — also in a frame from the hidden stretch.
    for (const second of [1.5, (from + to) / 2]) {
      const { bubble, background } = await bubbleAndBackground(videoId, second);
      assert.ok(differ(bubble, background), `camera+screen at ${second.toFixed(2)} s: the bubble's pixel ${JSON.stringify(bubble)} looks like the background ${JSON.stringify(background)}`);
    }
    await page.browserContext().close();
  });
});
