/**
 * Part of the recorder's benchmark, browser side: `<veil-recorder>` on the demo's `/record` in the
 * bench's Chromium (fake camera, microphone and display), signed in as alice.
 * - Bytes on the wire ÷ bytes recorded: the PATCH bodies the page hands to `fetch()` for the tus
 *   upload (a re-sent chunk counts again) over the recording's length (the final PATCH's
 *   `Upload-Length`, the sum of what the MediaRecorder produced). Counted in the page by wrapping
 *   `fetch` before any script runs; request bodies only, no headers.
 * - Page memory: the JS heap after a forced GC (CDP `HeapProfiler.collectGarbage`, then
 *   `Performance.getMetrics` JSHeapUsedSize), sampled each minute of a 10-minute recording (every
 *   2 s of a short one in a smoke run): growth in MB from the first sample and the last sample's
 *   ratio to the first. Beside it the origin's storage (`navigator.storage.estimate().usage`: the
 *   IndexedDB chunk store, on disk, which grows with the recording by design until the server
 *   accepts it). `performance.measureUserAgentSpecificMemory` is not used: it needs a
 *   cross-origin-isolated page, which the demo is not.
 * - Composite frames per second (camera+screen) while the tab is hidden, beside the same
 *   recording's visible stretch: packet times of the recorded file (the recorder's own local
 *   playback Blob, caught at `URL.createObjectURL` and read back in the page), on the recording's clock (test/support/recording-clock.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { elementState, launchChromium, signInAt } from '../test/support/browser.js';
import { framesIn, hiddenStretch, hideFor, installRecordingClock, recordingClock, videoPacketTimes } from '../test/support/recording-clock.js';
import type { BenchContext } from './bench-part.js';
import { figure, type Figures, type Row } from './bench-stats.js';

const MB = 1024 * 1024;

interface WireCount {
  sent: number;
  recorded?: number;
}
declare global {
  interface Window {
    veilBenchWire: WireCount;
    /** The last Blob the page made an object URL of: the recorder's playback after stop (the demo's CSP keeps `fetch` off `blob:`). */
    veilBenchBlob?: Blob;
  }
}

/**
 * A recorder page in a Chromium of its own: after the 10-minute
 * recording, the bench's shared Chromium timed out opening the next target (`Target.createTarget`),
 * so each recording starts from a fresh browser.
 */
async function recorderPage(context: BenchContext, source: string): Promise<Page> {
  const page = await (await launchChromium()).newPage();
  await installRecordingClock(page);
  await page.evaluateOnNewDocument(() => {
    const wire: WireCount = (window.veilBenchWire = { sent: 0 });
    const send = window.fetch.bind(window);
    window.fetch = (input, init) => {
      if (init?.method === 'PATCH' && init.body instanceof ArrayBuffer) {
        wire.sent += init.body.byteLength;
        const length = (init.headers as Record<string, string> | undefined)?.['upload-length'];
        if (length !== undefined) wire.recorded = Number(length);
      }
      return send(input, init);
    };
    const objectUrl = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (object) => {
      if (object instanceof Blob) window.veilBenchBlob = object;
      return objectUrl(object);
    };
  });
  await signInAt(page, `/record?source=${encodeURIComponent(source)}&countdown=0`, 'alice@acme.test', { origin: context.origin });
  await page.waitForSelector('veil-recorder');
  await state(page, ['idle']);
  return page;
}

async function state(page: Page, states: string[], timeout = 120_000): Promise<string> {
  const reached = await elementState(page, 'veil-recorder', states, timeout);
  if (!states.includes(reached)) throw new Error(`recorder bench: the recorder is ${reached}, not ${states.join('/')}`);
  return reached;
}

async function start(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelector('veil-recorder')!.start());
  await state(page, ['recording']);
}

/** Stops and waits until the server accepted the upload (the wire count is then complete). */
async function stopAndUpload(page: Page): Promise<WireCount> {
  await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
  const reached = await elementState(page, 'veil-recorder', ['processing', 'ready', 'error'], 600_000);
  if (reached === 'error') throw new Error(`recorder bench: the upload ended in error ${await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('error-code'))}`);
  return page.evaluate(() => window.veilBenchWire);
}

/** JS heap (bytes) after a forced GC, and the origin's storage usage (bytes). */
async function memory(page: Page): Promise<{ heap: number; stored: number }> {
  const cdp = await page.createCDPSession();
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? NaN;
    const stored = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    return { heap, stored };
  } finally {
    await cdp.detach();
  }
}

/** Heap and storage samples of one recording. */
class MemorySamples {
  readonly heaps: number[] = [];
  stored = 0;

  async take(page: Page, log: (line: string) => void): Promise<void> {
    const sample = await memory(page);
    this.heaps.push(sample.heap);
    this.stored = sample.stored;
    log(`recorder memory sample ${this.heaps.length}: heap ${(sample.heap / MB).toFixed(1)} MB, stored ${(sample.stored / MB).toFixed(1)} MB`);
  }

  figures(wire: WireCount): Figures {
    const [first, last] = [this.heaps[0]!, this.heaps.at(-1)!];
    if (!wire.recorded) throw new Error('recorder bench: no final PATCH with Upload-Length was seen');
    return {
      'recorder.wire.ratio': figure([wire.sent / wire.recorded], 3),
      'recorder.wire.recorded_mb': figure([wire.recorded / MB], 1),
      'recorder.memory.heap_first_mb': figure([first / MB], 1),
      'recorder.memory.growth_mb': figure([(last - first) / MB], 2),
      'recorder.memory.ratio': figure([last / first], 2),
      'recorder.memory.stored_mb': figure([this.stored / MB], 1),
    };
  }
}

/** A 10-minute camera recording, memory sampled each minute; then its wire ratio. */
async function tenMinutes(context: BenchContext): Promise<Figures> {
  const page = await recorderPage(context, 'camera');
  try {
    await start(page);
    const samples = new MemorySamples();
    for (let minute = 0; minute <= 10; minute++) {
      if (minute > 0) await new Promise((resolve) => setTimeout(resolve, 60_000));
      await samples.take(page, context.log);
    }
    const wire = await stopAndUpload(page);
    context.log(`recorder wire: ${wire.sent} bytes sent for ${wire.recorded} recorded`);
    return samples.figures(wire);
  } finally {
    await page.browser().close();
  }
}

/** The recorded file's packet times (s), from the page's last object-URL Blob (the recorder's playback). */
async function recordedPacketTimes(page: Page): Promise<number[]> {
  const base64 = await page.waitForFunction(
    async () => {
      if (!window.veilBenchBlob) return undefined;
      const bytes = new Uint8Array(await window.veilBenchBlob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    { timeout: 60_000, polling: 250 },
  );
  const work = await mkdtemp(join(tmpdir(), 'veil-bench-recorder-fps-'));
  try {
    const file = join(work, 'recording');
    await writeFile(file, Buffer.from((await base64.jsonValue()) as string, 'base64'));
    return await videoPacketTimes(file);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Camera+screen, `visibleMs` visible then `hiddenMs` hidden; fps of each stretch in the recorded
 * file. `samples`, when given, takes memory at the start and the end (the smoke run's one recording).
 */
async function composite(context: BenchContext, visibleMs: number, hiddenMs: number, samples?: MemorySamples): Promise<{ hidden: number; visible: number; wire: WireCount }> {
  const page = await recorderPage(context, 'camera+screen');
  try {
    await start(page);
    await samples?.take(page, context.log);
    await new Promise((resolve) => setTimeout(resolve, visibleMs));
    await hideFor(page, hiddenMs);
    await samples?.take(page, context.log);
    const clock = await recordingClock(page);
    const wire = await stopAndUpload(page);
    const hidden = hiddenStretch(clock);
    if (!hidden || hidden.to <= hidden.from) throw new Error(`recorder bench: no hidden stretch in ${JSON.stringify(clock.visibility)}`);
    const times = await recordedPacketTimes(page);
    // The visible stretch before hiding, one second inside each edge like the hidden one.
    const visible = framesIn(times, { from: 1, to: hidden.from - 2 });
    const hiddenFps = framesIn(times, hidden);
    context.log(`recorder composite: ${hiddenFps.fps.toFixed(1)} fps hidden (${hiddenFps.frames} frames), ${visible.fps.toFixed(1)} fps visible (${visible.frames} frames)`);
    return { hidden: hiddenFps.fps, visible: visible.fps, wire };
  } finally {
    await page.browser().close();
  }
}

/**
 * Full run: a 10-minute recording sampled each minute, and `runs` composite recordings (12 s
 * visible, 12 s hidden). Smoke: one composite recording (3.5 s visible, 4 s hidden) gives every figure.
 */
export async function recorderBrowserBench(context: BenchContext): Promise<Figures> {
  const began = performance.now();
  let figures: Figures = {};
  const hidden: number[] = [];
  const visible: number[] = [];
  if (context.smoke) {
    const samples = new MemorySamples();
    const fps = await composite(context, 3500, 4000, samples);
    figures = samples.figures(fps.wire);
    hidden.push(fps.hidden);
    visible.push(fps.visible);
  } else {
    figures = await tenMinutes(context);
    for (let i = 0; i < context.runs; i++) {
      const fps = await composite(context, 12_000, 12_000);
      hidden.push(fps.hidden);
      visible.push(fps.visible);
    }
  }
  figures['recorder.fps.hidden'] = figure(hidden, 1);
  figures['recorder.fps.visible'] = figure(visible, 1);
  figures['recorder.fps.ratio'] = figure(hidden.map((value, i) => value / visible[i]!), 2);
  context.log(`recorder browser side took ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return figures;
}

export const RECORDER_BROWSER_ROWS: readonly Row[] = [
  { label: 'Recorder: bytes on the wire ÷ bytes recorded (PATCH bodies ÷ Upload-Length), one recording', veil: 'recorder.wire.ratio', goal: '≈ 1.0' },
  { label: '  bytes recorded', veil: 'recorder.wire.recorded_mb', unit: 'MB' },
  { label: 'Recorder: JS heap growth over a 10-minute recording (CDP, after GC); baseline the first minute\'s heap', veil: 'recorder.memory.growth_mb', baseline: 'recorder.memory.heap_first_mb', ratio: 'recorder.memory.ratio', unit: 'MB', goal: 'flat' },
  { label: '  chunk store on disk at the end (navigator.storage usage, until the server accepts it)', veil: 'recorder.memory.stored_mb', unit: 'MB' },
  { label: 'Recorder: composite fps (camera+screen) with the tab hidden; baseline the same recording visible', veil: 'recorder.fps.hidden', baseline: 'recorder.fps.visible', ratio: 'recorder.fps.ratio', unit: 'fps', goal: '≥ 15 fps' },
];
