/**
 * The benchmark's smoke run (one iteration of everything, a 10 s renewal window; parts 3–5 side by side) as CI runs it:
 * `scripts/bench.ts --smoke` in a child process on its own ports, and every figure of the issue
 * present in the JSON as numbers (no part is "not built" any more).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** Ports well away from the shared demo (VEIL_TEST_PORT) and the other tests' offsets. */
const PORT = Number(process.env.VEIL_TEST_PORT || 8181) + 40;

/** Every figure key, one block per part of the bench (the parts of scripts/bench.ts, in order). */
const MEASURED = [
  // start-up and bytes
  ...['dash', 'hls'].flatMap((p) => [
    `ttff.${p}.veil_ms`,
    `ttff.${p}.plain_ms`,
    `ttff.${p}.ratio`,
    `ttff.${p}.veil.identity_ms`,
    `ttff.${p}.veil.session_ms`,
    `ttff.${p}.veil.engine_ms`,
    `ttff.${p}.veil.frame_ms`,
    `ttff.${p}.plain.engine_ms`,
    `ttff.${p}.plain.frame_ms`,
    `bytes.${p}.veil_js_gzip`,
    `bytes.${p}.plain_js_gzip`,
    `bytes.${p}.ratio`,
  ]),
  'bytes.before_session_js_gzip',
  'bytes.denied_js_gzip',
  'bytes.denied.ratio',
  // renewal
  ...['dash', 'hls'].flatMap((p) => [
    `renewal.${p}.renewals`,
    `renewal.${p}.veil_stalls`,
    `renewal.${p}.plain_stalls`,
    `renewal.${p}.veil_stalled_ms`,
    `renewal.${p}.plain_stalled_ms`,
    `renewal.${p}.veil_wall_s`,
    `renewal.${p}.plain_wall_s`,
    `renewal.${p}.ratio`,
  ]),
  // watermark
  'watermark.main_thread_ms_per_s.veil',
  'watermark.main_thread_ms_per_s.without',
  'watermark.main_thread_ms_per_s.ratio',
  'watermark.script_ms_per_s.veil',
  'watermark.script_ms_per_s.without',
  'watermark.script_ms_per_s.ratio',
  'watermark.tamper_to_pause_ms',
  'watermark.tamper_to_pause.inline_style_ms',
  'watermark.tamper_to_pause.adopted_sheet_ms',
  // audit
  'audit.requests_per_min',
  'audit.bytes_per_min',
  // token service
  'token.sessions_per_s',
  'token.raw_sign_per_s',
  'token.ratio',
  'token.raw_verify_sign_per_s',
  'token.verify_sign_ratio',
  'token.sessions_per_cpu_s',
  'token.raw_verify_sign_per_cpu_s',
  'token.cpu_ratio',
  // share decision
  'share.raw_sign_per_s',
  ...['read', 'worst'].flatMap((c) => [`share.${c}.decide_per_s`, `share.${c}.ratio`, `share.${c}.decide_p99_us`, `share.${c}.p99_of_signature`]),
  // share through HTTP, share dialog
  ...['granted_sessions_per_s', 'open_sessions_per_s', 'ratio', 'raw_sign_per_s', 'sign_ratio'].map((f) => `share.http.${f}`),
  ...['open_crowded_ms', 'open_empty_ms', 'ratio', 'crowded_nodes'].map((f) => `share.dialog.${f}`),
  // recorder: stop → ready
  ...['remux', 'transcode'].flatMap((p) => [`recorder.${p}.ready_s`, `recorder.${p}.plain_s`, `recorder.${p}.of_duration`, `recorder.${p}.ratio`]),
  ...['wire.ratio', 'wire.recorded_mb', 'memory.heap_first_mb', 'memory.growth_mb', 'memory.ratio', 'memory.stored_mb', 'fps.hidden', 'fps.visible', 'fps.ratio'].map((key) => `recorder.${key}`),
  // Entra path bytes
  'entra.bytes.entra_js_gzip',
  'entra.bytes.oidc_js_gzip',
  'entra.bytes.ratio',
  // LTI (scripts/bench-lti.ts)
  ...['first_frame_ms', 'ratio', 'auth_ms', 'launch_ms', 'session_ms', 'frame_ms'].map((k) => `lti.warm.${k}`),
  'lti.cold.first_frame_ms',
  'lti.cold.ratio',
  'lti.top_level.first_frame_ms',
  ...['messages_per_launch', 'put_ms', 'get_ms', 'echo_ms', 'put_ratio', 'get_ratio'].map((k) => `lti.storage.${k}`),
  // warm npm start (scripts/bench-start.ts)
  'start.warm_ms',
  'start.tsx_ms',
  'start.ratio',
];

/** Figures of opt-in parts, measured only when their switch is on (scale-out: `VEIL_BENCH_CLUSTER=1`). */
const OPTIONAL = {
  VEIL_BENCH_CLUSTER: [...['one', 'two'].flatMap((n) => [`cluster.${n}.sessions_per_s`, `cluster.${n}.raw_sign_per_s`, `cluster.${n}.ratio`]), 'cluster.two_to_one'],
};
const EXPECTED = [...MEASURED, ...Object.entries(OPTIONAL).flatMap(([flag, keys]) => (process.env[flag] === '1' ? keys : []))];

const SMOKE_LIMIT_MS = 300_000;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Bounded: a hung bench fails the test instead of CI (SIGTERM lets puppeteer close Chromium).
    // ~120 s on a quiet machine with every part; the bound leaves room for a loaded one.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, SMOKE_LIMIT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench --smoke', () => {
  it('measures every figure once and writes them as JSON and a markdown table', { timeout: SMOKE_LIMIT_MS + 10_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veil-bench-'));
    try {
      const out = join(dir, 'smoke.json');
      const started = Date.now();
      const { code, stdout, stderr } = await runBench(['--smoke', '--port', String(PORT), '--out', out]);
      console.log(`bench smoke run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(code, 0, `bench exited with ${code}:\n${stderr.slice(-3000)}`);
      const figures = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(figures).sort(), [...EXPECTED].sort());
      for (const key of EXPECTED) {
        const value = figures[key] as { median: unknown; min: unknown; max: unknown; n: unknown };
        for (const field of ['median', 'min', 'max', 'n'] as const) {
          assert.equal(typeof value[field], 'number', `${key}.${field}: ${JSON.stringify(value)}`);
          assert.ok(Number.isFinite(value[field]), `${key}.${field}: ${JSON.stringify(value)}`);
        }
        assert.ok((value.min as number) <= (value.median as number) && (value.median as number) <= (value.max as number), key);
      }
      // What the figures must say whatever the machine: positive times and rates, renewals with
      // 5 s tokens over a 10 s window, and a denied viewer fetching the least JS.
      const median = (key: string) => (figures[key] as { median: number }).median;
      // Veil's engine phase is 0 when the hinted engine arrived before the session answer (protocol-hint).
      const mayBeZero = (key: string) => /stall/.test(key) || /^ttff\.\w+\.veil\.engine_ms$/.test(key);
      for (const key of EXPECTED.filter((k) => /_ms$|_s$|_per_s\.|_per_s$|_gzip$/.test(k))) {
        assert.ok(mayBeZero(key) ? median(key) >= 0 : median(key) > 0, `${key} = ${median(key)}`);
      }
      assert.ok(median('renewal.dash.renewals') >= 1 && median('renewal.hls.renewals') >= 1);
      assert.ok(median('bytes.denied_js_gzip') < median('bytes.dash.veil_js_gzip'));
      assert.ok(median('bytes.denied_js_gzip') < median('bytes.hls.veil_js_gzip'));
      // A member's page loads the player's core and the hinted engine before its session request; a denied viewer neither.
      assert.ok(median('bytes.denied_js_gzip') < median('bytes.before_session_js_gzip'));
      // The guard pauses within its check interval plus slack for a loaded CI machine; the
      // audit window (8 s) may hold no request (at most one per 10 s), never a flood.
      assert.ok(median('watermark.tamper_to_pause_ms') < 1000, `tamper → pause ${median('watermark.tamper_to_pause_ms')} ms`);
      // The smoke window (8 s) includes the start-up events, so only presence is checked here; the
      // steady-state bound (≤ 1 request per 10 s) is test/e2e/audit.test.ts's, over 45 s.
      assert.ok(Number.isFinite(median('audit.requests_per_min')) && median('audit.requests_per_min') >= 0, `audit.requests_per_min = ${median('audit.requests_per_min')}`);
      assert.ok(median('audit.bytes_per_min') >= 0);
      // The table goes to stdout (and beside the JSON).
      assert.match(stdout, /^\| figure \| Veil \| baseline \| Veil \/ baseline \| goal \|$/m);
      assert.doesNotMatch(stdout, /not built/);
      assert.match(stdout, /\| \*\*4\. Watermark \+ tamper guard\*\*[^|]*\| [\d.,]+ ms \| [\d.,]+ ms \| [\d.]+ \|/);
      assert.match(stdout, /\| \*\*5\. Audit\*\*[^|]*\| [\d.,]+ (\([^)]*\) )?\/min \|/);
      assert.match(await readFile(join(dir, 'smoke.md'), 'utf8'), /ttff|Time to first frame/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
