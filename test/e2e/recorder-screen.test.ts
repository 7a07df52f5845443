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
import { framesIn, hiddenStretch, hideFor, installRecordingClock, recordingClock, videoPacketTimes } from '../support/recording-clock.js';

const exec = promisify(execFile);
const env = demoAndBrowser();

async function recorderPage(source: string): Promise<Page> {
  const page = await (await env.browser.createBrowserContext()).newPage();
  await installRecordingClock(page);
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
    await hideFor(page, 6000);
    // Read before stopAndPlay navigates away from the recorder's page.
    const clock = await recordingClock(page);
    const videoId = await stopAndPlay(page);

    assert.ok(clock.recordingStartedAt !== undefined, 'the page saw no MediaRecorder start event');
    // One second inside each edge of the hidden stretch, in the recording's own clock (s).
    const stretch = hiddenStretch(clock);
    assert.ok(stretch, `visibility changes seen: ${JSON.stringify(clock.visibility)}`);
    const { from, to } = stretch;
    assert.ok(to - from >= 3, `the hidden stretch ${from.toFixed(2)}–${to.toFixed(2)} s (recording clock, edges trimmed) is under 3 s`);
    const times = await videoPacketTimes(join(env.demo.config.uploadDir, videoId));
    const { frames, fps } = framesIn(times, stretch);
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
