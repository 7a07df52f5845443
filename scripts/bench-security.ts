/**
 * Parts 4 and 5 of the benchmark: the watermark and tamper guard's main-thread cost and
 * tamper → pause latency, and the audit trail's requests and bytes per minute of playback.
 *
 * The bench-only server hook (`securityHooks`, a `wrapService`, never a production switch):
 * - a playback session requested with an access token the bench marked (`markWatermarkOff`) is
 *   answered with `watermark.required: false`, everything else as the service signed it. The
 *   baseline is then the same `<veil-player>` page, same viewer, same content, with the overlay
 *   and the guard idle — what the player does when the server does not require a watermark;
 * - every `POST /api/audit/events` is logged (time, body bytes, the video of its credential).
 */
import type { Browser, Page } from 'puppeteer-core';
import type { Handler } from '../src/server/http.js';
import { loadPage, type StoredIdentity } from './bench-browser.js';
import { figure, ratioFigure, type Figures } from './bench-stats.js';

// --- the server hook ---------------------------------------------------------------------------

export interface AuditRequest {
  at: number;
  bytes: number;
  /** `vid` of the request's playback token (`''` for an access token or none). */
  video: string;
}

export interface SecurityHooks {
  wrap: (service: Handler) => Handler;
  /** Playback sessions requested with this access token come back with `required: false`. */
  markWatermarkOff(accessToken: string): void;
  readonly auditLog: readonly AuditRequest[];
}

function tokenVideo(token: string | undefined): string {
  try {
    const payload = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')) as { vid?: unknown };
    return typeof payload.vid === 'string' ? payload.vid : '';
  } catch {
    return '';
  }
}

export function securityHooks(): SecurityHooks {
  const marked = new Set<string>();
  const auditLog: AuditRequest[] = [];
  const wrap = (service: Handler): Handler => async (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === 'POST' && path === '/api/audit/events') {
      const at = Date.now();
      const body = await request.clone().text();
      const bearer = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '');
      let credential = bearer;
      if (!credential) {
        try {
          credential = (JSON.parse(body) as { credential?: string }).credential;
        } catch {
          credential = undefined;
        }
      }
      auditLog.push({ at, bytes: Buffer.byteLength(body), video: tokenVideo(credential) });
      return service(request);
    }
    const bearer = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '');
    if (request.method !== 'POST' || path !== '/api/playback-sessions' || !bearer || !marked.has(bearer)) return service(request);
    const response = await service(request);
    if (response.status !== 201) return response;
    const session = (await response.json()) as { watermark: Record<string, unknown> };
    session.watermark = { ...session.watermark, required: false };
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(session), { status: response.status, headers });
  };
  return { wrap, markWatermarkOff: (token) => marked.add(token), auditLog };
}

// --- shared page helpers -----------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitPlaying(page: Page): Promise<void> {
  await page.waitForFunction(() => 'playing' in (window as unknown as { __bench: { marks: object } }).__bench.marks, { timeout: 30_000 });
}

/** The overlay `<veil-player>` drew (null when the session did not require one). */
function overlayShown(page: Page): Promise<boolean> {
  return page.evaluate(() => !!document.querySelector('veil-player')?.shadowRoot?.querySelector('[part~="watermark"]'));
}

function mediaTime(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime);
}

// --- 4: watermark and tamper guard -----------------------------------------------------------

export interface WatermarkOptions {
  runs: number;
  /** Seconds of playback measured per page. */
  windowSeconds: number;
  /** Tamper samples per run (on the guarded page, after its window). */
  tampersPerRun: number;
  /** Wait after `playing` before the window opens. */
  settleMs: number;
  log: (line: string) => void;
}

interface MainThreadSample {
  taskMsPerS: number;
  scriptMsPerS: number;
}

/**
 * Main-thread time over a window of steady playback: CDP `Performance.getMetrics` deltas of
 * `TaskDuration` (everything the renderer's main thread ran) and `ScriptDuration` (JS only),
 * divided by the media seconds played in the window.
 */
async function mainThreadWindow(page: Page, windowSeconds: number): Promise<MainThreadSample> {
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const metrics = async () => {
    const { metrics: list } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => list.find((metric) => metric.name === name)?.value ?? NaN;
    return { task: get('TaskDuration'), script: get('ScriptDuration') };
  };
  const m0 = await metrics();
  const t0 = await mediaTime(page);
  await sleep(windowSeconds * 1000);
  const m1 = await metrics();
  const t1 = await mediaTime(page);
  await cdp.send('Performance.disable');
  await cdp.detach();
  const played = t1 - t0;
  if (!(played > windowSeconds * 0.8)) throw new Error(`watermark: only ${played.toFixed(2)} s of media played in a ${windowSeconds} s window`);
  return { taskMsPerS: ((m1.task - m0.task) * 1000) / played, scriptMsPerS: ((m1.script - m0.script) * 1000) / played };
}

type TamperKind = 'inline-style' | 'adopted-sheet';

/**
 * The page side of one tamper (kept as source text: tsx would wrap its inner functions in helpers
 * that do not exist in the page). Resolves to the latency in ms.
 */
const TAMPER = String.raw`async (kind) => {
  const player = document.querySelector('veil-player');
  const root = player.shadowRoot;
  const video = root.querySelector('video');
  const overlay = root.querySelector('[part~="watermark"]');
  if (video.paused) throw new Error('not playing before the tamper');
  await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1000));
  const channel = new MessageChannel();
  const nextTask = () => new Promise((resolve) => { channel.port1.onmessage = resolve; channel.port2.postMessage(0); });
  const before = [...document.adoptedStyleSheets];
  const start = performance.now();
  if (kind === 'inline-style') overlay.style.setProperty('display', 'none', 'important');
  else {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('veil-player::part(watermark) { opacity: 0 }');
    document.adoptedStyleSheets = [...before, sheet];
  }
  let end;
  for (let i = 0; i < 100 && end === undefined; i++) {
    await null;
    if (video.paused) end = performance.now();
  }
  while (end === undefined && performance.now() - start < 3000) {
    await nextTask();
    if (video.paused) end = performance.now();
  }
  if (kind === 'inline-style') overlay.style.removeProperty('display');
  else document.adoptedStyleSheets = before;
  channel.port1.close();
  if (end === undefined) throw new Error(kind + ': not paused within 3 s');
  return end - start;
}`;

/**
 * One tamper at a random moment (0.2–1.2 s from now, so the phase against the guard's 60 ms watch
 * interval is random), timed in the page from the tampering statement until `video.paused` is
 * true: microtasks first (the shadow root's MutationObserver), then a task at a time (the
 * interval check), bounded at 3 s. Then undone, the hold released, and playback resumed.
 */
async function tamperOnce(page: Page, kind: TamperKind): Promise<number> {
  const latency = (await page.evaluate(`(${TAMPER})(${JSON.stringify(kind)})`)) as number;
  await page.waitForFunction(
    () => {
      const player = document.querySelector('veil-player')!;
      return player.getAttribute('state') === 'paused' && !player.hasAttribute('error-code');
    },
    { timeout: 5000, polling: 20 },
  );
  await page.evaluate(() => (document.querySelector('veil-player') as HTMLElement & { play(): Promise<void> }).play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.getAttribute('state') === 'playing', { timeout: 5000, polling: 20 });
  return latency;
}

export async function watermarkBench(
  browser: Browser,
  origin: string,
  viewers: { guarded: () => Promise<StoredIdentity>; unguarded: () => Promise<StoredIdentity> },
  options: WatermarkOptions,
): Promise<Figures> {
  const url = `${origin}/watch?v=sample-dash`;
  const samples = { veil: [] as MainThreadSample[], without: [] as MainThreadSample[] };
  const tampers: Record<TamperKind, number[]> = { 'inline-style': [], 'adopted-sheet': [] };
  const tampersInOrder: number[] = [];
  const measure = async (kind: 'veil' | 'without') => {
    const guarded = kind === 'veil';
    await loadPage(browser, url, {
      identity: await (guarded ? viewers.guarded() : viewers.unguarded()),
      until: 'firstFrame',
      during: async (page) => {
        await waitPlaying(page);
        if ((await overlayShown(page)) !== guarded) throw new Error(`watermark: the ${kind} page ${guarded ? 'has no' : 'has an'} overlay`);
        await sleep(options.settleMs); // past start-up work
        samples[kind].push(await mainThreadWindow(page, options.windowSeconds));
        if (!guarded) return;
        for (let i = 0; i < options.tampersPerRun; i++) {
          const vector: TamperKind = i % 2 === 0 ? 'inline-style' : 'adopted-sheet';
          const ms = await tamperOnce(page, vector);
          tampers[vector].push(ms);
          tampersInOrder.push(ms);
        }
      },
    });
  };
  for (let i = 0; i < options.runs; i++) {
    for (const kind of i % 2 === 0 ? (['veil', 'without'] as const) : (['without', 'veil'] as const)) await measure(kind);
    options.log(
      `watermark run ${i + 1}/${options.runs}: main thread ${samples.veil.at(-1)!.taskMsPerS.toFixed(1)} / ${samples.without.at(-1)!.taskMsPerS.toFixed(1)} ms per s of playback; ` +
        `tamper → pause ${tampersInOrder.slice(-options.tampersPerRun).map((ms) => ms.toFixed(1)).join(', ')} ms`,
    );
  }
  const task = (kind: 'veil' | 'without') => samples[kind].map((s) => s.taskMsPerS);
  const script = (kind: 'veil' | 'without') => samples[kind].map((s) => s.scriptMsPerS);
  return {
    'watermark.main_thread_ms_per_s.veil': figure(task('veil'), 1),
    'watermark.main_thread_ms_per_s.without': figure(task('without'), 1),
    'watermark.main_thread_ms_per_s.ratio': ratioFigure(task('veil'), task('without')),
    'watermark.script_ms_per_s.veil': figure(script('veil'), 1),
    'watermark.script_ms_per_s.without': figure(script('without'), 1),
    'watermark.script_ms_per_s.ratio': ratioFigure(script('veil'), script('without')),
    'watermark.tamper_to_pause_ms': figure([...tampers['inline-style'], ...tampers['adopted-sheet']], 1),
    'watermark.tamper_to_pause.inline_style_ms': figure(tampers['inline-style'], 1),
    'watermark.tamper_to_pause.adopted_sheet_ms': figure(tampers['adopted-sheet'], 1),
  };
}

// --- 5: audit ----------------------------------------------------------------------------------

export interface AuditOptions {
  /** Seconds after `playing` before the window opens (start-up events delivered). */
  settleSeconds: number;
  windowSeconds: number;
  log: (line: string) => void;
}

/**
 * Audit traffic of steady playback: `<veil-player>` pages playing `sample-dash` and `sample-hls`
 * side by side; every `POST /api/audit/events` the server receives inside the window (by the
 * video of its playback token), scaled to a minute. One sample per page.
 */
export async function auditBench(browser: Browser, origin: string, viewer: StoredIdentity, hooks: SecurityHooks, options: AuditOptions): Promise<Figures> {
  const videos = ['sample-dash', 'sample-hls'];
  const windows = new Map<string, { start: number; end: number }>();
  await Promise.all(
    videos.map((video) =>
      loadPage(browser, `${origin}/watch?v=${video}`, {
        identity: viewer,
        until: 'firstFrame',
        during: async (page) => {
          await waitPlaying(page);
          await sleep(options.settleSeconds * 1000);
          const start = Date.now();
          await sleep(options.windowSeconds * 1000);
          const end = Date.now();
          const state = await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('state'));
          if (state !== 'playing') throw new Error(`audit: ${video} was ${state} at the end of the window`);
          windows.set(video, { start, end });
        },
      }),
    ),
  );
  const requests: number[] = [];
  const bytes: number[] = [];
  for (const video of videos) {
    const { start, end } = windows.get(video)!;
    const inWindow = hooks.auditLog.filter((entry) => entry.video === video && entry.at >= start && entry.at < end);
    const minutes = (end - start) / 60_000;
    requests.push(inWindow.length / minutes);
    bytes.push(inWindow.reduce((total, entry) => total + entry.bytes, 0) / minutes);
    options.log(`audit: ${video}: ${inWindow.length} requests, ${inWindow.reduce((t, e) => t + e.bytes, 0)} bytes in ${((end - start) / 1000).toFixed(1)} s`);
  }
  return { 'audit.requests_per_min': figure(requests, 1), 'audit.bytes_per_min': figure(bytes, 0) };
}
