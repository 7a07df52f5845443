/**
 * The recording's own clock, seen from the page, and frame rates read back from a recorded file:
 * shared by the camera+screen e2e (≥ 15 fps while hidden) and the recorder bench (hidden-tab fps
 * as a figure). Zero is the MediaRecorder's `start` event, observed in the page (a recorded file's
 * packet times count from the first frame it records); visibility changes are on the same
 * `performance.now()` clock, which keeps running while the tab is hidden.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';

const exec = promisify(execFile);

/** What the page saw: the MediaRecorder's `start` and each visibility change, on the page's `performance.now()` clock. */
export interface RecordingClock {
  recordingStartedAt?: number;
  visibility: Array<{ state: DocumentVisibilityState; at: number }>;
}
declare global {
  interface Window {
    veilTestClock: RecordingClock;
  }
}

/** Installs the clock in every document of `page` (before navigating). */
export async function installRecordingClock(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const clock: RecordingClock = (window.veilTestClock = { visibility: [] });
    document.addEventListener('visibilitychange', () => clock.visibility.push({ state: document.visibilityState, at: performance.now() }));
    const start = MediaRecorder.prototype.start;
    MediaRecorder.prototype.start = function (this: MediaRecorder, ...args: Parameters<MediaRecorder['start']>) {
      this.addEventListener('start', () => (clock.recordingStartedAt = performance.now()), { once: true });
      return start.apply(this, args);
    };
  });
}

export function recordingClock(page: Page): Promise<RecordingClock> {
  return page.evaluate(() => window.veilTestClock);
}

/** Waits (on the page's clock) until `ms` after the page's last visibility change to `state`. */
export async function stayFor(page: Page, state: DocumentVisibilityState, ms: number): Promise<void> {
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

/** Hides `page` behind another tab of its context for `ms` of the page's clock, then shows it again for 1 s. */
export async function hideFor(page: Page, ms: number): Promise<void> {
  const other = await page.browserContext().newPage();
  await other.bringToFront();
  await stayFor(page, 'hidden', ms);
  await page.bringToFront();
  await stayFor(page, 'visible', 1000);
  await other.close();
}

/** A stretch of the recording (s, recording clock). */
export interface Stretch {
  from: number;
  to: number;
}

/** The first hidden stretch, one second inside each edge, in the recording's clock; undefined when the clock saw none. */
export function hiddenStretch(clock: RecordingClock): Stretch | undefined {
  const hidden = clock.visibility.find((change) => change.state === 'hidden');
  const shown = clock.visibility.find((change) => change.state === 'visible' && change.at > (hidden?.at ?? Infinity));
  if (clock.recordingStartedAt === undefined || !hidden || !shown) return undefined;
  return { from: (hidden.at - clock.recordingStartedAt) / 1000 + 1, to: (shown.at - clock.recordingStartedAt) / 1000 - 1 };
}

/** The video packets' times (s) in a recorded file (one packet per frame). */
export async function videoPacketTimes(file: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  return stdout.split('\n').map(Number).filter((time) => Number.isFinite(time) && time > 0);
}

/** Frames and frames per second of `times` within `stretch`. */
export function framesIn(times: number[], stretch: Stretch): { frames: number; fps: number } {
  const frames = times.filter((time) => time >= stretch.from && time < stretch.to).length;
  return { frames, fps: frames / (stretch.to - stretch.from) };
}
