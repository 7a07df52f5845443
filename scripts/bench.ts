/**
 * `npm run bench`: what security costs the viewer, against plain players, in one run.
 *
 * Real Chromium (the system one, via puppeteer-core), the real demo server in this process on
 * loopback, the plain baselines served from the same origin (scripts/bench-plain.ts). Prints a
 * markdown table and writes a JSON file whose keys name the figures (`ttff.dash.veil_ms`, …);
 * each figure is the median with min and max over interleaved runs. See README "Benchmarks".
 * A full run to the default file also rewrites README's table (between its bench markers).
 *
 * The bench is the list `PARTS` at the end: each part a function returning figures and the rows
 * showing them (scripts/bench-part.ts). A feature's figures live in its own
 * `scripts/bench-<feature>.ts` exporting a `BenchPart`: one import and one entry here.
 *
 *   tsx scripts/bench.ts [--runs N] [--smoke] [--port P] [--out FILE] [--renewal-seconds S] [--only PART,…]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser } from 'puppeteer-core';
import { demoConfig } from '../demo/config.js';
import { startDemo } from '../demo/server.js';
import { ensureSampleMedia } from '../demo/sample-media.js';
import { launchChromium } from '../test/support/browser.js';
import { accessTokenOf, loadPage, readProbe, signIn, type PageRun, type StoredIdentity } from './bench-browser.js';
import { buildPlainBundles, PLAIN_PAGES, plainRoutes } from './bench-plain.js';
import type { BenchContext, BenchPart } from './bench-part.js';
import { auditBench, securityHooks, watermarkBench } from './bench-security.js';
import { figure, markdownTable, ratioFigure, withBenchTable, type Figures, type Row } from './bench-stats.js';
import { tokenServicePart, type BurstLimits } from './bench-token.js';
import { recorderPart } from './bench-recorder.js';
import { SHARE_BENCH, shareDecisionBench, shareHttpPart } from './bench-share.js';
import { clusterPart } from './bench-cluster.js';
import { entraBytesPart } from './bench-entra.js';
import { ltiPart } from './bench-lti.js';
import { startPart } from './bench-start.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    port: { type: 'string', default: '8581' },
    out: { type: 'string' },
    'renewal-seconds': { type: 'string' },
    only: { type: 'string' },
  },
});

const smoke = args.smoke;
const runs = smoke ? 1 : Number(args.runs ?? 5);
const port = Number(args.port);
const renewalSeconds = Number(args['renewal-seconds'] ?? (smoke ? 10 : 60));
const root = resolve(import.meta.dirname, '..');
const out = resolve(args.out ?? join(root, smoke ? '.cache/bench/smoke.json' : 'bench/results/latest.json'));
/** `--only token,share`: just these parts (by name), e.g. to profile one; never the published run. */
const only = args.only?.split(',').map((name) => name.trim());
/** A full run to the default file is the published one: README's table is rewritten from it. */
const writesReadme = !smoke && args.out === undefined && only === undefined;
if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs must be 1..50');
if (!Number.isInteger(port) || port < 1024 || port > 65000) throw new Error('--port must be 1024..65000');
if (!(renewalSeconds >= 4 && renewalSeconds <= 60)) throw new Error('--renewal-seconds must be 4..60 (the sample is 60 s long)');

const TOKEN_TTL_RENEWAL = 5;
/** Part 4: seconds of playback per main-thread window; tamper samples per run; settle before a window. */
const watermarkSeconds = smoke ? 3 : 10;
const tampersPerRun = smoke ? 2 : 4;
/** Part 5: the audit window opens this long after `playing` (start-up events delivered). */
const AUDIT_SETTLE_SECONDS = smoke ? 1 : 5;
/** The sample is 60 s long: 5 s + 50 s stays clear of `ended`. */
const auditSeconds = smoke ? 8 : 50;
/** The demo's access tokens live 600 s; sign in again well before that. */
const IDENTITY_MAX_AGE_MS = 8 * 60_000;
const log = (line: string) => console.error(`[bench] ${line}`);
/** CPU bursts (token service, share decision): how wide and how long. */
const BURST_LIMITS: BurstLimits = smoke ? { concurrency: 16, maxOperations: 2000, maxMs: 500 } : { concurrency: 32, maxOperations: 50_000, maxMs: 3000 };

type Protocol = 'dash' | 'hls';
const VIDEO: Record<Protocol, string> = { dash: 'sample-dash', hls: 'sample-hls' };
const ENGINE_CHUNK = /\/chunks\/(shaka|hls|hls-engine|hls-eme)-[^/]+\.js$/;
const PLAIN_BUNDLE = /\/media\/plain\/js\/(dash|hls)\.js$/;

async function main(): Promise<void> {
  const startedAt = Date.now();
  if (!existsSync(join(root, 'dist/define.js'))) throw new Error('dist/ is missing: run `npm run build` first (`npm run bench` does).');
  const config = demoConfig({ port });
  const media = await ensureSampleMedia(config.cacheDir, { hlsKeyUri: '/api/keys/sample-hls', log });
  const plainBundles = await buildPlainBundles({ minify: smoke ? 'if-cached' : true, log });
  const bundleDir = plainBundles.dir;
  const plain = plainRoutes({
    bundleDir,
    hlsWorkerFile: join(config.distDir, 'hls.worker.js'),
    clearDashDir: media.dash.clearDir,
    clearHlsDir: media.hls.clearDir,
  });
  // Bench-only hooks (parts 4 and 5): sessions without a watermark for marked access tokens, and
  // a log of the audit ingest's requests. Only the first demo has them.
  const hooks = securityHooks();
  const wrapService = (service: Parameters<typeof plain>[0]) => plain(hooks.wrap(service));
  // Two demos: the default token lifetime for start-up and bytes, 5 s tokens for renewal.
  // Part 6 floods the token service to measure its throughput: that demo's token-service limits
  // are lifted (a rate limit would measure itself); every other limit stays as deployed.
  const unlimited = { points: 1e9, durationSeconds: 1 };
  const demo = await startDemo(config, { wrapService, rateLimits: { perClient: { 'token-service': unlimited }, perViewer: { 'token-service': unlimited } } });
  const renewalDemo = await startDemo(demoConfig({ port: port + 1, tokenTtlSeconds: TOKEN_TTL_RENEWAL }), { wrapService: plain });
  const browser = await launchChromium();
  const figures: Figures = {};
  const chromium = await browser.version();
  try {
    const identities = new Map<string, StoredIdentity>();
    const context: BenchContext = {
      browser,
      origin: demo.config.origin,
      grants: demo.grants,
      renewalOrigin: renewalDemo.config.origin,
      hooks,
      runs,
      smoke,
      bursts: BURST_LIMITS,
      log,
      async identity(origin, login, tag = '') {
        const key = `${origin} ${login} ${tag}`;
        const known = identities.get(key);
        if (known && Date.now() - known.capturedAt < IDENTITY_MAX_AGE_MS) return known;
        const fresh = await signIn(browser, origin, login);
        identities.set(key, fresh);
        return fresh;
      },
    };
    // A smoke run plays the side-by-side parts together where the first of them stands.
    const parts = PARTS.filter((part) => only === undefined || only.includes(part.name));
    if (parts.length === 0) throw new Error(`--only: no such part (the parts: ${PARTS.map((part) => part.name).join(', ')})`);
    const together = smoke ? parts.filter((part) => part.sideBySideInSmoke) : [];
    for (const part of parts) {
      if (together.includes(part) && part !== together[0]) continue;
      const group = part === together[0] ? together : [part];
      log(`${group.map((each) => each.name).join(' + ')}${group.length > 1 ? ' (side by side)' : ''}`);
      for (const result of await Promise.all(group.map((each) => each.run(context)))) {
        const taken = Object.keys(result).filter((key) => key in figures);
        if (taken.length > 0) throw new Error(`bench: ${taken.join(', ')} measured twice (figure keys must be unique across parts)`);
        Object.assign(figures, result);
      }
    }
  } finally {
    await browser.close();
    await renewalDemo.close();
    await demo.close();
  }

  const table = markdownTable(figures, PARTS.flatMap((part) => part.rows).filter((row) => row.veil in figures));
  const note = `${smoke ? 'smoke run (1 iteration)' : `${runs} interleaved runs`}, ${renewalSeconds} s renewal window, ${watermarkSeconds} s watermark windows, ${auditSeconds} s audit window, ${plainBundles.minified ? '' : 'UNMINIFIED plain bundles (byte figures not comparable), '}${chromium}, ${new Date(startedAt).toISOString()}, ${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
  console.log(`${table}\n\n${note}`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
  await writeFile(out.replace(/\.json$/, '.md'), `${table}\n\n${note}\n`);
  log(`wrote ${out}`);
  if (writesReadme) {
    const readme = join(root, 'README.md');
    await writeFile(readme, withBenchTable(await readFile(readme, 'utf8'), `${table}\n\n${note}`));
    log('wrote the table into README.md ("Benchmarks")');
  }
}

// --- 1 and 2: time to first frame and bytes -----------------------------------------------

interface StartupSample {
  ttff: number;
  phases: Record<string, number>;
  js: number;
  jsBeforeSession: number;
}

function engineLoadedAt(run: PageRun, pattern: RegExp): number {
  const ends = run.resources.filter((entry) => pattern.test(new URL(entry.name).pathname)).map((entry) => entry.responseEnd);
  if (ends.length === 0) throw new Error(`no engine script among ${run.resources.map((entry) => entry.name).join(', ')}`);
  return Math.max(...ends);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function veilSample(run: PageRun): StartupSample {
  const { marks } = run.probe;
  const signedIn = marks.signedIn!;
  // Network marks (Resource Timing, the page's clock): the playback-session response and the
  // engine chunk(s) arriving. The `state` attribute would be observed a microtask late.
  const granted = run.resources.find((entry) => new URL(entry.name).pathname === '/api/playback-sessions')?.responseEnd;
  if (granted === undefined) throw new Error('no playback-session request in the resource timing');
  const engine = engineLoadedAt(run, ENGINE_CHUNK);
  const frame = marks.firstFrame!;
  // With a protocol hint the engine downloads during the session request: it can be in first.
  // The phase is then 0 and the next one starts at the session response, so the phases still add up.
  const engineReady = Math.max(engine, granted);
  return {
    ttff: frame,
    phases: { identity_ms: signedIn, session_ms: granted - signedIn, engine_ms: engineReady - granted, frame_ms: frame - engineReady },
    js: sum(run.scripts.map((script) => script.gzipBytes)),
    jsBeforeSession: sum(run.scripts.filter((script) => script.beforeSession).map((script) => script.gzipBytes)),
  };
}

function plainSample(run: PageRun): StartupSample {
  const engine = engineLoadedAt(run, PLAIN_BUNDLE);
  const frame = run.probe.marks.firstFrame!;
  return { ttff: frame, phases: { engine_ms: engine, frame_ms: frame - engine }, js: sum(run.scripts.map((script) => script.gzipBytes)), jsBeforeSession: 0 };
}

async function startupAndBytes({ browser, origin, identity }: BenchContext): Promise<Figures> {
  const veil = (protocol: Protocol) => async () =>
    veilSample(await loadPage(browser, `${origin}/watch?v=${VIDEO[protocol]}`, { identity: await identity(origin, 'alice@acme.test'), until: 'firstFrame' }));
  const plain = (protocol: Protocol) => async () => plainSample(await loadPage(browser, `${origin}${PLAIN_PAGES[protocol]}`, { identity: null, until: 'firstFrame' }));
  const denied = async () => {
    // A denied viewer: wait a little past the denial so anything fetched late is counted too.
    const run = await loadPage(browser, `${origin}/watch?v=sample-dash`, { identity: await identity(origin, 'mallory@globex.test'), until: 'denied', lingerMs: 500 });
    return sum(run.scripts.map((script) => script.gzipBytes));
  };

  if (!smoke) {
    log('warm-up: one load of each page (not counted)');
    for (const protocol of ['dash', 'hls'] as const) {
      await veil(protocol)();
      await plain(protocol)();
    }
    await denied();
  }
  const samples: Record<Protocol, { veil: StartupSample[]; plain: StartupSample[] }> = { dash: { veil: [], plain: [] }, hls: { veil: [], plain: [] } };
  const deniedJs: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const protocol of ['dash', 'hls'] as const) {
      // Interleaved, alternating which goes first (Veil, plain, plain, Veil, …) so drift hits both.
      const order = i % 2 === 0 ? (['veil', 'plain'] as const) : (['plain', 'veil'] as const);
      for (const kind of order) samples[protocol][kind].push(await (kind === 'veil' ? veil(protocol) : plain(protocol))());
    }
    deniedJs.push(await denied());
    log(`start-up run ${i + 1}/${runs}: dash ${samples.dash.veil.at(-1)!.ttff.toFixed(0)} / ${samples.dash.plain.at(-1)!.ttff.toFixed(0)} ms, hls ${samples.hls.veil.at(-1)!.ttff.toFixed(0)} / ${samples.hls.plain.at(-1)!.ttff.toFixed(0)} ms`);
  }

  const figures: Figures = {};
  for (const protocol of ['dash', 'hls'] as const) {
    const { veil: v, plain: p } = samples[protocol];
    figures[`ttff.${protocol}.veil_ms`] = figure(v.map((s) => s.ttff), 0);
    figures[`ttff.${protocol}.plain_ms`] = figure(p.map((s) => s.ttff), 0);
    figures[`ttff.${protocol}.ratio`] = ratioFigure(v.map((s) => s.ttff), p.map((s) => s.ttff));
    for (const phase of Object.keys(v[0]!.phases)) figures[`ttff.${protocol}.veil.${phase}`] = figure(v.map((s) => s.phases[phase]!), 0);
    for (const phase of Object.keys(p[0]!.phases)) figures[`ttff.${protocol}.plain.${phase}`] = figure(p.map((s) => s.phases[phase]!), 0);
    figures[`bytes.${protocol}.veil_js_gzip`] = figure(v.map((s) => s.js), 0);
    figures[`bytes.${protocol}.plain_js_gzip`] = figure(p.map((s) => s.js), 0);
    figures[`bytes.${protocol}.ratio`] = ratioFigure(v.map((s) => s.js), p.map((s) => s.js));
  }
  const beforeSession = [...samples.dash.veil, ...samples.hls.veil].map((s) => s.jsBeforeSession);
  figures['bytes.before_session_js_gzip'] = figure(beforeSession, 0);
  figures['bytes.denied_js_gzip'] = figure(deniedJs, 0);
  figures['bytes.denied.ratio'] = ratioFigure(deniedJs, samples.dash.veil.map((s) => s.js));
  return figures;
}

// --- 3: renewal --------------------------------------------------------------------------

interface PlaybackSample {
  stalls: number;
  stalledMs: number;
  renewals: number;
  /** Wall-clock seconds from the first `playing` until the window of media time had played. */
  wallSeconds: number;
}

async function playWindow(browser: Browser, url: string, identity: StoredIdentity | null): Promise<PlaybackSample> {
  let sample: PlaybackSample | undefined;
  await loadPage(browser, url, {
    identity,
    until: 'firstFrame',
    timeoutMs: 30_000,
    during: async (page) => {
      await page.waitForFunction(() => 'playing' in (window as unknown as { __bench: { marks: object } }).__bench.marks, { timeout: 30_000 });
      // Bounded: the window of media time plus 30 s of slack.
      const deadline = Date.now() + (renewalSeconds + 30) * 1000;
      let probe = await readProbe(page);
      while (!probe.ended && probe.currentTime < renewalSeconds - 0.25 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        probe = await readProbe(page);
      }
      if (Date.now() >= deadline) throw new Error(`${url}: ${renewalSeconds} s of media did not play within ${renewalSeconds + 30} s`);
      const now = await page.evaluate(() => performance.now());
      sample = {
        stalls: probe.waitingAfterPlaying,
        stalledMs: probe.stalledMs,
        renewals: probe.renewals,
        wallSeconds: ((probe.ended ? probe.marks.ended! : now) - probe.marks.playing!) / 1000,
      };
    },
  });
  return sample!;
}

async function renewal({ browser, renewalOrigin: origin, identity }: BenchContext): Promise<Figures> {
  const figures: Figures = {};
  const viewer = await identity(origin, 'alice@acme.test');
  // Veil and plain side by side in one browser, so both see the same machine load during the
  // same window; DASH then HLS (a smoke run plays all four at once, to stay short).
  const pair = (protocol: Protocol) => {
    log(`renewal: ${renewalSeconds} s of ${protocol} with ${TOKEN_TTL_RENEWAL} s tokens, Veil and plain side by side`);
    return Promise.all([playWindow(browser, `${origin}/watch?v=${VIDEO[protocol]}`, viewer), playWindow(browser, `${origin}${PLAIN_PAGES[protocol]}`, null)]);
  };
  const results = smoke ? await Promise.all([pair('dash'), pair('hls')]) : [await pair('dash'), await pair('hls')];
  for (const [index, protocol] of (['dash', 'hls'] as const).entries()) {
    const [veil, plain] = results[index]!;
    figures[`renewal.${protocol}.renewals`] = figure([veil.renewals], 0);
    figures[`renewal.${protocol}.veil_stalls`] = figure([veil.stalls], 0);
    figures[`renewal.${protocol}.plain_stalls`] = figure([plain.stalls], 0);
    figures[`renewal.${protocol}.veil_stalled_ms`] = figure([veil.stalledMs], 0);
    figures[`renewal.${protocol}.plain_stalled_ms`] = figure([plain.stalledMs], 0);
    figures[`renewal.${protocol}.veil_wall_s`] = figure([veil.wallSeconds], 2);
    figures[`renewal.${protocol}.plain_wall_s`] = figure([plain.wallSeconds], 2);
    figures[`renewal.${protocol}.ratio`] = ratioFigure([veil.wallSeconds], [plain.wallSeconds]);
  }
  return figures;
}

// --- 4 and 5: watermark and tamper guard, audit (scripts/bench-security.ts) --------------------

function watermark({ browser, origin, identity, hooks }: BenchContext): Promise<Figures> {
  const unguarded = async () => {
    const viewer = await identity(origin, 'alice@acme.test', 'watermark-off');
    const token = accessTokenOf(viewer);
    if (token === accessTokenOf(await identity(origin, 'alice@acme.test'))) throw new Error('watermark: the two sign-ins share an access token');
    hooks.markWatermarkOff(token);
    return viewer;
  };
  log(`watermark: ${runs} × ${watermarkSeconds} s of sample-dash with and without the watermark, ${tampersPerRun} tampers per run`);
  return watermarkBench(browser, origin, { guarded: () => identity(origin, 'alice@acme.test'), unguarded }, { runs, windowSeconds: watermarkSeconds, tampersPerRun, settleMs: smoke ? 500 : 1000, log });
}

async function audit({ browser, origin, identity, hooks }: BenchContext): Promise<Figures> {
  log(`audit: ${auditSeconds} s window of sample-dash and sample-hls side by side`);
  return auditBench(browser, origin, await identity(origin, 'alice@acme.test'), hooks, { settleSeconds: AUDIT_SETTLE_SECONDS, windowSeconds: auditSeconds, log });
}

// --- the table: each part's rows, with the goal of issue 16 where it set one ----------------

function startupRows(): Row[] {
  const protocol = (p: Protocol, label: string): Row[] => [
    { label, veil: `ttff.${p}.veil_ms`, baseline: `ttff.${p}.plain_ms`, ratio: `ttff.${p}.ratio`, unit: 'ms', goal: '≤ 1.10' },
    { label: '  identity (navigation → signed in)', veil: `ttff.${p}.veil.identity_ms`, unit: 'ms', goal: '≤ 50 ms' },
    { label: '  playback session (signed in → session response)', veil: `ttff.${p}.veil.session_ms`, unit: 'ms' },
    { label: '  engine loaded (session response → engine script fetched, 0 when it came first; plain: navigation → engine script fetched)', veil: `ttff.${p}.veil.engine_ms`, baseline: `ttff.${p}.plain.engine_ms`, unit: 'ms' },
    { label: '  first frame (engine and session both in → first frame presented)', veil: `ttff.${p}.veil.frame_ms`, baseline: `ttff.${p}.plain.frame_ms`, unit: 'ms' },
  ];
  return [
    ...protocol('dash', '**1. Time to first frame, DASH** (Veil: CENC + ClearKey; plain: shaka, clear)'),
    ...protocol('hls', '**Time to first frame, HLS** (Veil: AES-128; plain: hls.js light, clear)'),
    { label: '**2. JS before the playback-session request** (gzip)', veil: 'bytes.before_session_js_gzip', unit: 'B' },
    { label: 'JS, DASH path (gzip)', veil: 'bytes.dash.veil_js_gzip', baseline: 'bytes.dash.plain_js_gzip', ratio: 'bytes.dash.ratio', unit: 'B', goal: '≤ 1.15' },
    { label: 'JS, HLS path (gzip, with the worker)', veil: 'bytes.hls.veil_js_gzip', baseline: 'bytes.hls.plain_js_gzip', ratio: 'bytes.hls.ratio', unit: 'B', goal: '≤ 1.15' },
    { label: 'JS, denied viewer (gzip; baseline: Veil DASH path)', veil: 'bytes.denied_js_gzip', baseline: 'bytes.dash.veil_js_gzip', ratio: 'bytes.denied.ratio', unit: 'B', goal: '≤ 25,000 B' },
  ];
}

function renewalRows(): Row[] {
  return (['dash', 'hls'] as const).flatMap((p) => [
    { label: `**${p === 'dash' ? '3. ' : ''}Renewal, ${p.toUpperCase()}** (${TOKEN_TTL_RENEWAL} s tokens): renewals`, veil: `renewal.${p}.renewals` },
    { label: '  stalls (`waiting` after playback started)', veil: `renewal.${p}.veil_stalls`, baseline: `renewal.${p}.plain_stalls` },
    { label: '  time stalled', veil: `renewal.${p}.veil_stalled_ms`, baseline: `renewal.${p}.plain_stalled_ms`, unit: 'ms' },
    { label: '  wall time to play the window', veil: `renewal.${p}.veil_wall_s`, baseline: `renewal.${p}.plain_wall_s`, ratio: `renewal.${p}.ratio`, unit: 's' },
  ]);
}

const WATERMARK_ROWS: Row[] = [
  {
    label: '**4. Watermark + tamper guard**: main-thread time per second of playback, DASH (baseline: same page, session with `required: false`)',
    veil: 'watermark.main_thread_ms_per_s.veil',
    baseline: 'watermark.main_thread_ms_per_s.without',
    ratio: 'watermark.main_thread_ms_per_s.ratio',
    unit: 'ms',
    goal: '≤ 1.3',
  },
  { label: '  of which script', veil: 'watermark.script_ms_per_s.veil', baseline: 'watermark.script_ms_per_s.without', ratio: 'watermark.script_ms_per_s.ratio', unit: 'ms' },
  { label: 'Tamper guard: tampering → `video.paused` (all samples)', veil: 'watermark.tamper_to_pause_ms', unit: 'ms', goal: 'max ≤ 100 ms' },
  { label: '  overlay hidden by an inline style in the shadow root', veil: 'watermark.tamper_to_pause.inline_style_ms', unit: 'ms' },
  { label: '  overlay hidden by a document adopted style sheet (`::part`)', veil: 'watermark.tamper_to_pause.adopted_sheet_ms', unit: 'ms' },
];

const AUDIT_ROWS: Row[] = [
  { label: `**5. Audit**: requests per minute of steady playback (${auditSeconds} s window; DASH and HLS pages)`, veil: 'audit.requests_per_min', unit: '/min' },
  { label: 'Audit: request body bytes per minute of steady playback', veil: 'audit.bytes_per_min', unit: 'B/min' },
];

const SHARE_ROWS: Row[] = [
  {
    label: `**7. Share decision**: \`decide()\`/s of a view, ${SHARE_BENCH.orgGrants} grants per org, ${SHARE_BENCH.groups} groups per viewer, as the Authorizer reads it (the viewer's own grants; baseline: raw ES256 signatures/s)`,
    veil: 'share.read.decide_per_s',
    baseline: 'share.raw_sign_per_s',
    ratio: 'share.read.ratio',
    unit: '/s',
  },
  { label: '  p99 of one decision; as a share of one signature', veil: 'share.read.decide_p99_us', ratio: 'share.read.p99_of_signature', unit: 'µs', goal: '≤ 50 µs; ≤ 0.1' },
  { label: '  worst case: all 10 000 grants handed to `decide()` (a full read)', veil: 'share.worst.decide_per_s', baseline: 'share.raw_sign_per_s', ratio: 'share.worst.ratio', unit: '/s' },
  { label: '  worst case p99; as a share of one signature', veil: 'share.worst.decide_p99_us', ratio: 'share.worst.p99_of_signature', unit: 'µs' },
];

/** The bench, in table order: each part returns its figures (scripts/bench-part.ts). */
const PARTS: BenchPart[] = [
  { name: 'startup', run: startupAndBytes, rows: startupRows() },
  { name: 'renewal', run: renewal, rows: renewalRows(), sideBySideInSmoke: true },
  { name: 'watermark', run: watermark, rows: WATERMARK_ROWS, sideBySideInSmoke: true },
  { name: 'audit', run: audit, rows: AUDIT_ROWS, sideBySideInSmoke: true },
  tokenServicePart,
  { name: 'share', run: (context) => shareDecisionBench(context.runs, context.bursts), rows: SHARE_ROWS },
  shareHttpPart,
  recorderPart,
  entraBytesPart,
  ltiPart,
  startPart,
  clusterPart,
];

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
