/**
 * Part of the benchmark: LTI 1.3 inside the demo LMS's iframe (another site than the tool, so a
 * third-party frame), in the bench's one Chromium.
 *
 * (a) Login initiation → first frame, **warm**: a student signed in at the LMS opens course c101
 * (variant `canvas`: platform storage) once (cold, reported apart), then reloads it `runs` times
 * in the same browser context. Clock: the request of `GET /lti/login` as the browser reports it
 * (puppeteer's request event, in this process's wall clock), to the first presented frame in the
 * tool's frame (`requestVideoFrameCallback`'s presentation time on the frame's own clock, moved
 * to the wall clock by its `performance.timeOrigin`). Phases by the same request events: login →
 * the platform's auth request → the launch POST → the playback-session response → first frame.
 * Baseline: the same video (`sample-course`) top-level on the watch page for a signed-in viewer,
 * the startup part's own measurement (`loadPage`: a fresh context, cache disabled — so cold; the
 * ratio that compares like with like is the cold launch's).
 *
 * (b) Platform storage: how many `lti.*` messages the LMS receives from the tool per launch
 * (capabilities, put, get, and any resend while a frame loads), and the round trip of one
 * `lti.put_data` and one `lti.get_data` from the launched tool frame to the LMS's storage frame;
 * baseline a plain postMessage echo between the same two frames.
 *
 * Note: puppeteer's `evaluateOnNewDocument` does not reach a cross-site (out-of-process) frame,
 * so the tool frame is instrumented by polling it; the times are taken inside it, not by the poll.
 */
import type { Browser, Frame, Page } from 'puppeteer-core';
import { DEV_PASSWORD } from '../test/support/browser.js';
import { loadPage } from './bench-browser.js';
import type { BenchContext, BenchPart } from './bench-part.js';
import { figure, ratioFigure, type Figures, type Row } from './bench-stats.js';

const COURSE = '/lms/courses/c101?variant=canvas';
const VIDEO = 'sample-course';
const STORAGE_FRAME = 'veil-lms-storage';
const PHASES = ['auth_ms', 'launch_ms', 'session_ms', 'frame_ms'] as const;

interface LaunchSample {
  ms: number;
  phases: Record<(typeof PHASES)[number], number>;
  /** `lti.*` messages from the tool that reached the LMS's windows during this launch. */
  messages: number;
}

/** Counts, in every LMS document (same site as the page: this reaches them), the tool's `lti.*` messages. */
function countToolMessages(toolOrigin: string): string {
  return `(() => {
    window.__ltiMessages = 0;
    window.addEventListener('message', (event) => {
      if (event.origin === ${JSON.stringify(toolOrigin)} && event.data && typeof event.data.subject === 'string' && event.data.subject.startsWith('lti.')) window.__ltiMessages += 1;
    }, true);
  })()`;
}

/** Wall-clock times of the launch's requests, as the browser reports them. */
function watchLaunch(page: Page, tool: string, lms: string): { marks: Map<string, number>; reset(): void } {
  const marks = new Map<string, number>();
  const mark = (name: string) => void (marks.has(name) || marks.set(name, Date.now()));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === tool && url.pathname === '/lti/login') mark('login');
    else if (url.origin === lms && url.pathname === '/lms/auth') mark('auth');
    else if (url.origin === tool && url.pathname === '/lti/launch' && request.method() === 'POST') mark('launch');
  });
  page.on('requestfinished', (request) => {
    const url = new URL(request.url());
    if (url.origin === tool && url.pathname === '/api/playback-sessions' && request.method() === 'POST') mark('session');
  });
  return { marks, reset: () => marks.clear() };
}

/**
 * Runs in the tool's frame (as source text: tsx would wrap named inner functions in a helper the
 * page does not have): the first frame's wall-clock time once known; else starts the watcher once.
 */
const WATCH_FIRST_FRAME = String.raw`(() => {
  if (window.__ltiFirstFrame !== undefined) return window.__ltiFirstFrame;
  const player = document.querySelector('veil-player');
  if (!player || window.__ltiWatching) return undefined;
  window.__ltiWatching = true;
  const watch = () => {
    const video = player.shadowRoot && player.shadowRoot.querySelector('video');
    const state = player.getAttribute('state');
    if (!video || (state !== 'paused' && state !== 'playing')) return false;
    video.requestVideoFrameCallback((now, metadata) => { window.__ltiFirstFrame = performance.timeOrigin + (metadata.presentationTime || now); });
    void player.play();
    return true;
  };
  // Checked every 10 ms in the frame (its state and its video element do not change together).
  if (!watch()) {
    const timer = setInterval(() => { if (watch()) clearInterval(timer); }, 10);
  }
  return undefined;
})()`;

/**
 * The tool frame's first presented frame, wall clock: installs (once per document) a watcher
 * that plays the player as soon as it is ready (as `autoplay` would) and records
 * `requestVideoFrameCallback`'s time.
 */
async function firstFrameAt(page: Page, tool: string, timeoutMs: number): Promise<{ at: number; frame: Frame }> {
  const started = Date.now();
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().startsWith(`${tool}/lti/`)) continue;
      const at = await frame
        .evaluate(WATCH_FIRST_FRAME)
        .catch(() => undefined);
      if (typeof at === 'number') return { at, frame };
    }
    if (Date.now() - started > timeoutMs) {
      const seen = await Promise.all(page.frames().map(async (f) => `${f.url()} ${await f.evaluate(() => { const p = document.querySelector('veil-player'); const v = p?.shadowRoot?.querySelector('video'); return p ? `${p.getAttribute('state')} ${p.getAttribute('error-code') ?? ''} t=${v?.currentTime}` : document.querySelector('[data-veil-error-code]')?.getAttribute('data-veil-error-code') ?? ''; }).catch(() => '?')}`));
      throw new Error(`bench-lti: no first frame in the tool's frame within ${timeoutMs} ms (frames: ${seen.join('; ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function toolMessages(page: Page): Promise<number> {
  let total = 0;
  for (const frame of page.frames()) {
    total += await frame.evaluate(() => (window as unknown as { __ltiMessages?: number }).__ltiMessages ?? 0).catch(() => 0);
  }
  return total;
}

async function launch(page: Page, watch: ReturnType<typeof watchLaunch>, tool: string, go: () => Promise<unknown>): Promise<{ sample: LaunchSample; frame: Frame }> {
  watch.reset();
  await go();
  const { at, frame } = await firstFrameAt(page, tool, 60_000);
  const m = (name: string) => {
    const value = watch.marks.get(name);
    if (value === undefined) throw new Error(`bench-lti: no ${name} request seen in the launch`);
    return value;
  };
  const login = m('login');
  const sample: LaunchSample = {
    ms: at - login,
    phases: { auth_ms: m('auth') - login, launch_ms: m('launch') - m('auth'), session_ms: m('session') - m('launch'), frame_ms: at - m('session') },
    messages: await toolMessages(page),
  };
  return { sample, frame };
}

/** Runs in the tool's frame (source text, as above): `n` rounds of echo, put, get to the storage frame. */
const ROUND_TRIPS = String.raw`async (origin, name, n) => {
  const target = window.parent.frames[name];
  let next = 0;
  const ask = (message) => new Promise((resolve, reject) => {
    const id = 'bench-' + (next += 1);
    const timer = setTimeout(() => reject(new Error('no answer to ' + message.subject)), 5000);
    const t0 = performance.now();
    const listen = (event) => {
      if (event.origin !== origin || !event.data || event.data.message_id !== id) return;
      clearTimeout(timer);
      window.removeEventListener('message', listen);
      resolve(performance.now() - t0);
    };
    window.addEventListener('message', listen);
    target.postMessage(Object.assign({}, message, { message_id: id }), origin);
  });
  const out = { put: [], get: [], echo: [] };
  for (let i = 0; i < n; i++) {
    out.echo.push(await ask({ subject: 'bench.echo' }));
    out.put.push(await ask({ subject: 'lti.put_data', key: 'veil-lti-bench-' + i, value: 'x'.repeat(43) }));
    out.get.push(await ask({ subject: 'lti.get_data', key: 'veil-lti-bench-' + i }));
  }
  return out;
}`;

/** Round trips (ms) from the tool frame to the storage frame: `lti.put_data`, `lti.get_data`, and a plain echo. */
async function roundTrips(tool: Frame, storage: Frame, lmsOrigin: string, count: number): Promise<{ put: number[]; get: number[]; echo: number[] }> {
  // The baseline's other end: an echo in the same storage frame, beside its platform storage.
  await storage.evaluate(() => {
    window.addEventListener('message', (event) => {
      if (event.data && event.data.subject === 'bench.echo' && event.source) (event.source as WindowProxy).postMessage({ subject: 'bench.echo.response', message_id: event.data.message_id }, event.origin);
    });
  });
  return (await tool.evaluate(`(${ROUND_TRIPS})(${JSON.stringify(lmsOrigin)}, ${JSON.stringify(STORAGE_FRAME)}, ${count})`)) as { put: number[]; get: number[]; echo: number[] };
}

async function ltiBench(browser: Browser, origin: string, identity: BenchContext['identity'], runs: number, smoke: boolean, log: (line: string) => void): Promise<Figures> {
  const lms = origin.replace('//127.0.0.1', '//localhost');
  const startedAt = performance.now();
  const context = await browser.createBrowserContext();
  const cold: LaunchSample[] = [];
  const warm: LaunchSample[] = [];
  const trips = { put: [] as number[], get: [] as number[], echo: [] as number[] };
  const topLevel: number[] = [];
  try {
    const page = await context.newPage();
    await page.evaluateOnNewDocument(countToolMessages(origin));
    const watch = watchLaunch(page, origin, lms);
    await page.goto(`${lms}${COURSE}`);
    await page.waitForSelector('input[name="login"]');
    await page.type('input[name="login"]', 'student@school.test');
    await page.type('input[name="password"]', DEV_PASSWORD);
    // The course page loads (and launches) once the sign-in form is sent: that first launch is the cold one.
    const first = await launch(page, watch, origin, () => page.click('button[type="submit"]'));
    cold.push(first.sample);
    log(`lti cold launch: login → first frame ${Math.round(first.sample.ms)} ms`);
    let frame = first.frame;
    for (let i = 0; i < runs; i++) {
      const again = await launch(page, watch, origin, () => page.reload());
      warm.push(again.sample);
      frame = again.frame;
      log(`lti warm launch ${i + 1}/${runs}: login → first frame ${Math.round(again.sample.ms)} ms (${PHASES.map((p) => `${p} ${Math.round(again.sample.phases[p])}`).join(', ')}), ${again.sample.messages} lti.* messages`);
    }
    const storage = page.frames().find((each) => each.name() === STORAGE_FRAME);
    if (!storage) throw new Error('bench-lti: the course page has no platform-storage frame');
    const measured = await roundTrips(frame, storage, lms, smoke ? 3 : 20 * runs);
    for (const key of ['put', 'get', 'echo'] as const) trips[key].push(...measured[key]);
    const viewer = await identity(origin, 'alice@acme.test');
    for (let i = 0; i < runs; i++) {
      const run = await loadPage(browser, `${origin}/watch?v=${VIDEO}`, { identity: viewer, until: 'firstFrame' });
      topLevel.push(run.probe.marks.firstFrame!);
    }
  } finally {
    await context.close();
  }
  log(`lti part: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  const figures: Figures = {
    'lti.warm.first_frame_ms': figure(warm.map((s) => s.ms), 0),
    'lti.cold.first_frame_ms': figure(cold.map((s) => s.ms), 0),
    'lti.top_level.first_frame_ms': figure(topLevel, 0),
    'lti.warm.ratio': ratioFigure(warm.map((s) => s.ms), topLevel),
    'lti.cold.ratio': ratioFigure(cold.map((s) => s.ms), topLevel.slice(0, cold.length)),
    'lti.storage.messages_per_launch': figure(warm.map((s) => s.messages), 0),
    'lti.storage.put_ms': figure(trips.put, 2),
    'lti.storage.get_ms': figure(trips.get, 2),
    'lti.storage.echo_ms': figure(trips.echo, 2),
    'lti.storage.put_ratio': ratioFigure(trips.put, trips.echo),
    'lti.storage.get_ratio': ratioFigure(trips.get, trips.echo),
  };
  for (const phase of PHASES) figures[`lti.warm.${phase}`] = figure(warm.map((s) => s.phases[phase]), 0);
  return figures;
}

const ROWS: readonly Row[] = [
  {
    label: '**LTI**: login initiation → first frame in the LMS iframe, warm (a reload of the course page, third-party frame, platform storage); baseline the same video top-level on the watch page (signed in, cold)',
    veil: 'lti.warm.first_frame_ms',
    baseline: 'lti.top_level.first_frame_ms',
    ratio: 'lti.warm.ratio',
    unit: 'ms',
    goal: '≤ 1 s on loopback',
  },
  { label: '  phases: login → auth request', veil: 'lti.warm.auth_ms', unit: 'ms' },
  { label: '  auth → launch POST', veil: 'lti.warm.launch_ms', unit: 'ms' },
  { label: '  launch POST → playback session', veil: 'lti.warm.session_ms', unit: 'ms' },
  { label: '  playback session → first frame', veil: 'lti.warm.frame_ms', unit: 'ms' },
  { label: '  the first launch in the browser context (cold), against the same baseline', veil: 'lti.cold.first_frame_ms', baseline: 'lti.top_level.first_frame_ms', ratio: 'lti.cold.ratio', unit: 'ms' },
  { label: '  platform-storage messages the LMS receives per launch', veil: 'lti.storage.messages_per_launch' },
  { label: '  one `lti.put_data` round trip (tool frame ↔ storage frame); baseline a plain postMessage echo between them', veil: 'lti.storage.put_ms', baseline: 'lti.storage.echo_ms', ratio: 'lti.storage.put_ratio', unit: 'ms' },
  { label: '  one `lti.get_data` round trip; same baseline', veil: 'lti.storage.get_ms', baseline: 'lti.storage.echo_ms', ratio: 'lti.storage.get_ratio', unit: 'ms' },
];

export const ltiPart: BenchPart = {
  name: 'lti',
  run: ({ browser, origin, identity, runs, smoke, log }) => ltiBench(browser, origin, identity, runs, smoke, log),
  rows: ROWS,
};
