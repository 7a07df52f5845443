/**
 * Token service throughput: playback sessions issued per second over loopback (many concurrent
 * `POST /api/playback-sessions` with a valid access token) against the raw ES256 signing rate of a
 * key of the same type in the same process. The HTTP load generator runs in a worker thread so
 * the server's event loop does only server work; the signing loop runs on the main thread with
 * the same number of operations in flight. Every loop is bounded in count and in time.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { accessTokenOf } from './bench-browser.js';
import type { BenchContext, BenchPart } from './bench-part.js';
import { figure, ratioFigure, type Figures } from './bench-stats.js';

export interface Burst {
  /** Successful operations. */
  ok: number;
  failed: number;
  ms: number;
  perSecond: number;
  /**
   * Operations per second of CPU time this process spent on them, the HTTP load generator's
   * thread excluded: the server's (or the signing loop's) own cost, every thread of it (main,
   * libuv pool, GC). Unlike wall-clock or event-loop-utilisation rates it does not count time the
   * OS gave other processes; a loaded machine still raises the CPU cost per operation (fewer
   * requests per wake-up, colder caches), so it is steadier than wall time, not load-free.
   */
  perCpuSecond: number;
}

/** Runs `burst` and adds the rate per CPU second of this process, minus `elsewhereMs` (see `Burst.perCpuSecond`). */
async function costed<T extends { ok: number; ms: number; elsewhereMs?: number }>(burst: () => Promise<T>): Promise<T & { perCpuSecond: number }> {
  const before = process.cpuUsage();
  const result = await burst();
  const { user, system } = process.cpuUsage(before);
  const cpuMs = (user + system) / 1000 - (result.elsewhereMs ?? 0);
  return { ...result, perCpuSecond: (result.ok / cpuMs) * 1000 };
}

export interface BurstLimits {
  concurrency: number;
  maxOperations: number;
  maxMs: number;
}

// CommonJS, evaluated in the worker: keep-alive HTTP/1.1 lanes, each sending one request at a time.
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, accessToken, body, concurrency, maxOperations, maxMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let sent = 0, ok = 0, failed = 0, firstFailure;
// This thread's CPU ms (utime + stime at USER_HZ 100): the bench subtracts it from the process's.
function cpuMs() {
  try {
    const stat = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch { return 0; }
}
const cpuBefore = cpuMs();
const start = performance.now();
const deadline = start + maxMs;
function one() {
  return new Promise((resolve) => {
    const request = http.request(url, {
      method: 'POST', agent,
      headers: { authorization: 'Bearer ' + accessToken, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode === 201) ok++;
        else { failed++; firstFailure ??= response.statusCode + ' ' + Buffer.concat(chunks).toString().slice(0, 200); }
        resolve();
      });
    });
    request.setTimeout(10000, () => request.destroy(new Error('timeout')));
    request.on('error', (error) => { failed++; firstFailure ??= String(error); resolve(); });
    request.end(body);
  });
}
async function lane() {
  while (sent < maxOperations && performance.now() < deadline) { sent++; await one(); }
}
Promise.all(Array.from({ length: concurrency }, lane)).then(() => {
  const ms = performance.now() - start;
  agent.destroy();
  parentPort.postMessage({ ok, failed, ms, firstFailure, elsewhereMs: cpuMs() - cpuBefore });
});
`;

/**
 * With `BENCH_CPU_PROF=<dir>`, each measured burst writes a CPU profile of this thread (the
 * server's: the load generator is a worker) to `<dir>/token-burst-<n>.cpuprofile`, for Chrome
 * DevTools or `speedscope`. Only the burst is profiled, not the bench's start-up.
 */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

/** Playback sessions per second through the real service on loopback. */
export function serviceBurst(origin: string, accessToken: string, videoId: string, limits: BurstLimits): Promise<Burst & { firstFailure?: string }> {
  return costed(() => httpBurst(origin, accessToken, videoId, limits));
}

function httpBurst(origin: string, accessToken: string, videoId: string, limits: BurstLimits): Promise<Omit<Burst, 'perCpuSecond'> & { firstFailure?: string; elsewhereMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_GENERATOR, {
      eval: true,
      workerData: { url: `${origin}/api/playback-sessions`, accessToken, body: JSON.stringify({ videoId }), ...limits },
    });
    const guard = setTimeout(() => void worker.terminate().then(() => reject(new Error('load generator did not finish'))), limits.maxMs + 30_000);
    worker.once('message', (result: { ok: number; failed: number; ms: number; firstFailure?: string; elsewhereMs: number }) => {
      clearTimeout(guard);
      void worker.terminate();
      resolve({ ...result, perSecond: (result.ok / result.ms) * 1000 });
    });
    worker.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
  });
}

/**
 * The raw rate: jose `SignJWT` with an ES256 key and the claims a playback token carries. With
 * `verify`, each operation first verifies an ES256 access token through a local JWKS (pinned
 * algorithm), which is all the crypto the service does per playback session.
 */
export function rawSigningBurst(limits: BurstLimits, options: { verify?: boolean } = {}): Promise<Burst> {
  return costed(() => signingBurst(limits, options));
}

async function signingBurst(limits: BurstLimits, { verify = false }: { verify?: boolean }): Promise<Omit<Burst, 'perCpuSecond'>> {
  const { privateKey } = await generateKeyPair('ES256');
  const idp = await generateKeyPair('ES256', { extractable: true });
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp', alg: 'ES256', use: 'sig' }] });
  const accessToken = await new SignJWT({ org: 'acme', scope: 'openid' })
    .setProtectedHeader({ alg: 'ES256', kid: 'idp', typ: 'at+jwt' })
    .setIssuer('http://127.0.0.1/bench/idp')
    .setAudience('http://127.0.0.1/bench/api')
    .setSubject('alice@acme.test')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(idp.privateKey);
  let started = 0;
  let ok = 0;
  const start = performance.now();
  const deadline = start + limits.maxMs;
  const sign = () => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ org: 'acme', vid: 'sample-dash', sid: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'veil-playback+jwt' })
      .setIssuer('http://127.0.0.1/bench')
      .setAudience('http://127.0.0.1/bench/media')
      .setSubject('alice@acme.test')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 120)
      .setJti(randomUUID())
      .sign(privateKey);
  };
  const lane = async () => {
    while (started < limits.maxOperations && performance.now() < deadline) {
      started++;
      if (verify) await jwtVerify(accessToken, jwks, { algorithms: ['ES256'], typ: 'at+jwt', issuer: 'http://127.0.0.1/bench/idp', audience: 'http://127.0.0.1/bench/api' });
      await sign();
      ok++;
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, lane));
  const ms = performance.now() - start;
  return { ok, failed: 0, ms, perSecond: (ok / ms) * 1000 };
}

/** Part 6: playback sessions/s through HTTP beside the raw signing and verify+sign rates, interleaved. */
async function tokenService({ origin, identity, runs, bursts: limits, log }: BenchContext): Promise<Figures> {
  const accessToken = accessTokenOf(await identity(origin, 'alice@acme.test'));
  const service: number[] = [];
  const raw: number[] = [];
  const rawWithVerify: number[] = [];
  const serviceCpu: number[] = [];
  const rawWithVerifyCpu: number[] = [];
  // Warm both paths (JIT, keep-alive sockets, statement cache) with a burst as long as a measured
  // one: a few hundred operations left the first measured HTTP burst still warming up.
  const warm = { ...limits, maxOperations: Math.min(limits.maxOperations, 2000) };
  await serviceBurst(origin, accessToken, 'sample-dash', warm);
  await rawSigningBurst(warm, { verify: true });
  for (let i = 0; i < runs; i++) {
    const burst = await profiled(`token-burst-${i + 1}`, () => serviceBurst(origin, accessToken, 'sample-dash', limits));
    if (burst.failed > 0) throw new Error(`token service: ${burst.failed} requests failed (${burst.firstFailure})`);
    service.push(burst.perSecond);
    serviceCpu.push(burst.perCpuSecond);
    raw.push((await rawSigningBurst(limits)).perSecond);
    const verified = await rawSigningBurst(limits, { verify: true });
    rawWithVerify.push(verified.perSecond);
    rawWithVerifyCpu.push(verified.perCpuSecond);
    log(
      `token service run ${i + 1}/${runs}: ${service.at(-1)!.toFixed(0)} sessions/s (${serviceCpu.at(-1)!.toFixed(0)} per CPU s), raw ES256 ${raw.at(-1)!.toFixed(0)} signatures/s, ` +
        `${rawWithVerify.at(-1)!.toFixed(0)} verify+sign/s (${rawWithVerifyCpu.at(-1)!.toFixed(0)} per CPU s)`,
    );
  }
  return {
    'token.sessions_per_s': figure(service, 0),
    'token.raw_sign_per_s': figure(raw, 0),
    'token.ratio': ratioFigure(service, raw),
    'token.raw_verify_sign_per_s': figure(rawWithVerify, 0),
    'token.verify_sign_ratio': ratioFigure(service, rawWithVerify),
    'token.sessions_per_cpu_s': figure(serviceCpu, 0),
    'token.raw_verify_sign_per_cpu_s': figure(rawWithVerifyCpu, 0),
    'token.cpu_ratio': ratioFigure(serviceCpu, rawWithVerifyCpu),
  };
}

export const tokenServicePart: BenchPart = {
  name: 'token',
  run: tokenService,
  rows: [
    { label: '**6. Token service**: playback sessions/s (baseline: raw ES256 signatures/s)', veil: 'token.sessions_per_s', baseline: 'token.raw_sign_per_s', ratio: 'token.ratio', unit: '/s' },
    { label: '  same, baseline: raw ES256 access-token verification + signature/s', veil: 'token.sessions_per_s', baseline: 'token.raw_verify_sign_per_s', ratio: 'token.verify_sign_ratio', unit: '/s', goal: '≥ 0.5' },
    {
      label: '  per CPU second the process spent on it (the HTTP load generator\'s thread excluded; less skewed by other processes than wall time, not immune), baseline: raw verify + signature',
      veil: 'token.sessions_per_cpu_s',
      baseline: 'token.raw_verify_sign_per_cpu_s',
      ratio: 'token.cpu_ratio',
      unit: '/s',
      goal: '≥ 0.5',
    },
  ],
};
