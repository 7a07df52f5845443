/**
 * `<veil-recorder>` by keyboard alone, with axe run in every state it passes through: idle
 * (with the camera and microphone pickers, after a first capture named), countdown, recording (level meter), paused, uploading, processing,
 * ready (with the recording played back from this device, by keyboard) and error. Faults in front of a demo of its own hold `uploading` and `processing` long
 * enough to look at them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, signInAt } from '../support/browser.js';
import { FaultInjector, startTestDemo } from '../support/demo.js';
import { recorderState } from '../support/recorder.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const faults = new FaultInjector();
const demo = await startTestDemo({ wrapService: faults.wrap });
let browser: Browser;

before(async () => {
  // Two fake cameras and microphones, so the device pickers have something to pick from.
  browser = await launchChromium(['--use-fake-device-for-media-stream=device-count=2']);
});

after(async () => {
  await browser?.close();
  await demo.close();
});

async function axe(page: Page, state: string): Promise<void> {
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(context: unknown): Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe.run(document);
    return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
  assert.deepEqual(violations, [], `axe in state "${state}"`);
}

/** The focused element inside the recorder's shadow root, as `tag[data-action]`. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.querySelector('veil-recorder')!.shadowRoot!.activeElement as HTMLElement | null;
    return active ? `${active.tagName.toLowerCase()}${active.dataset.action ? `[${active.dataset.action}]` : ''}` : 'none';
  });
}

/** Tabs until `target` (as `focused()` names it) has focus inside the recorder. */
async function tabTo(page: Page, target: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if ((await focused(page)) === target) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`never reached ${target} (at ${await focused(page)})`);
}

/** Tabs until the recorder's button `action` has focus, then presses Enter. */
async function press(page: Page, action: string): Promise<void> {
  await tabTo(page, `button[${action}]`);
  await page.keyboard.press('Enter');
}

describe('<veil-recorder> keyboard and axe', () => {
  it('record → pause → resume → stop by keyboard; axe clean in every state', async () => {
    faults.set([
      { method: 'PATCH', path: /^\/api\/uploads\/rec-/, when: (request) => request.headers.has('upload-length'), times: 1, fault: { delayMs: 3000 } },
      { method: 'GET', path: /^\/api\/videos\/rec-/, times: 2, fault: { status: 503 } },
    ]);
    const page = await (await browser.createBrowserContext()).newPage();
    await signInAt(page, '/record?countdown=2', 'alice@acme.test', { origin: demo.config.origin });
    await page.waitForSelector('veil-recorder');
    await page.evaluate(AXE_SOURCE);
    assert.equal(await recorderState(page, ['idle']), 'idle');
    await axe(page, 'idle');

    await press(page, 'start');
    assert.equal(await recorderState(page, ['countdown']), 'countdown');
    await axe(page, 'countdown');
    assert.equal(await recorderState(page, ['recording']), 'recording');
    // The microphone's level meter moves (the fake device plays a tone).
    await page.waitForFunction(() => (document.querySelector('veil-recorder')!.shadowRoot!.querySelector('meter[part="level"]') as HTMLMeterElement).value > 0.1, { timeout: 10_000 });
    await axe(page, 'recording');
    await press(page, 'pause');
    assert.equal(await recorderState(page, ['paused']), 'paused');
    await axe(page, 'paused');
    await press(page, 'resume');
    assert.equal(await recorderState(page, ['recording']), 'recording');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await press(page, 'stop');
    assert.equal(await recorderState(page, ['uploading']), 'uploading');
    await axe(page, 'uploading');
    assert.equal(await recorderState(page, ['processing', 'ready']), 'processing');
    await axe(page, 'processing');
    assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');
    // Allowed once, the devices have names: a picker each, with "Default" first.
    const pickers = await page.waitForFunction(
      () => {
        const selects = [...document.querySelector('veil-recorder')!.shadowRoot!.querySelectorAll('select')].slice(1);
        const options = selects.map((select) => [...select.options].map((option) => option.textContent!.trim()));
        return options.length === 2 && options.every((names) => names.length === 3 && names.slice(1).every(Boolean)) ? options : undefined;
      },
      { timeout: 10_000 },
    );
    assert.deepEqual((await pickers.jsonValue())!.map((names) => names[0]), ['Default', 'Default']);
    await axe(page, 'ready');
    assert.deepEqual(faults.hits(), [1, 2]);

    // The preview after stop: the recording, played from this device, reached and started by keyboard.
    const playback = await page.evaluate(() => {
      const video = document.querySelector('veil-recorder')!.shadowRoot!.querySelector('video[part="playback"]') as HTMLVideoElement | null;
      return video && { src: video.src, label: video.getAttribute('aria-label'), controls: video.controls };
    });
    assert.ok(playback?.src.startsWith('blob:'), `a playback of the recording from a blob: URL (${JSON.stringify(playback)})`);
    assert.equal(playback?.label, 'Your recording, played from this device');
    assert.ok(playback?.controls);
    await tabTo(page, 'video');
    await page.keyboard.press('Space');
    await page.waitForFunction(
      () => {
        const video = document.querySelector('veil-recorder')!.shadowRoot!.querySelector('video[part="playback"]') as HTMLVideoElement;
        return !video.paused && video.currentTime > 0.5;
      },
      { timeout: 20_000, polling: 200 },
    );
    await axe(page, 'ready, playing the preview');

    // A refused camera: the error state, by keyboard too.
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused', 'NotAllowedError'));
    });
    await press(page, 'start');
    assert.equal(await recorderState(page, ['error']), 'error');
    assert.equal(await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('error-code')), 'CAPTURE_PERMISSION_DENIED');
    await axe(page, 'error');
    await page.browserContext().close();
  });
});
