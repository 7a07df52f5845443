/**
 * `<veil-recorder>` recording the screen and the screen with the camera bubble composited over
 * it, in real Chromium with fake devices against a demo of its own. With
 * `--use-fake-device-for-media-stream`, `getDisplayMedia` gets Chromium's fake display (a plain
 * green picture) rather than the tab, which makes the bubble easy to see. Both record and play;
 * the composite keeps ≥ 15 fps while the tab is hidden, counted in the bytes the server received
 * (ffprobe, one packet per frame), and the bubble is in its corner, also in a hidden-tab frame.
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

async function recorderPage(source: string): Promise<Page> {
  const page = await (await env.browser.createBrowserContext()).newPage();
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

async function stopAndPlay(page: Page): Promise<string> {
  await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
  assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');
  const videoId = (await recorderVideoId(page))!;
  await page.goto(`${env.demo.config.origin}/watch?v=${videoId}`);
  await playerState(page, ['paused', 'playing']);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 30_000 });
  assert.ok((await playbackProgress(page)).totalVideoFrames > 5);
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
    assert.ok(!differ(bubble, background), JSON.stringify({ bubble, background }));
    await page.browserContext().close();
  });

  it('camera+screen: the camera bubble is composited; ≥ 15 fps while the tab is hidden; plays', async (t) => {
    const page = await recorderPage('camera+screen');
    const startedAt = await startRecording(page);
    assert.equal(await recorderState(page, ['recording']), 'recording');
    await recordFor(page, startedAt, 2);

    const other = await page.browserContext().newPage();
    await other.bringToFront();
    await page.waitForFunction(() => document.visibilityState === 'hidden', { timeout: 10_000 });
    const hiddenAt = await page.evaluate(() => Date.now());
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await page.bringToFront();
    const shownAt = await page.evaluate(() => Date.now());
    await other.close();
    await recordFor(page, startedAt, (shownAt - startedAt) / 1000 + 1);
    const videoId = await stopAndPlay(page);

    const times = await videoPacketTimes(videoId);
    // One second inside each edge of the hidden stretch, in the recording's own clock.
    const from = (hiddenAt - startedAt) / 1000 + 1;
    const to = (shownAt - startedAt) / 1000 - 1;
    const fps = times.filter((time) => time >= from && time < to).length / (to - from);
    assert.ok(fps >= 15, `${fps.toFixed(1)} fps while hidden (${times.length} frames in all)`);
    t.diagnostic(`composite: ${fps.toFixed(1)} fps while the tab was hidden`);
    // The camera is in the bubble, the screen around it — also in a frame from the hidden stretch.
    for (const second of [1.5, (from + to) / 2]) {
      const { bubble, background } = await bubbleAndBackground(videoId, second);
      assert.ok(differ(bubble, background), JSON.stringify({ second, bubble, background }));
    }
    await page.browserContext().close();
  });
});
