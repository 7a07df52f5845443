/**
 * Playback sessions per second through nginx with one and with two replicas (issue 15), each
 * beside the raw ES256 signing rate measured in the same run (the crypto limit of one core).
 * Starts its own cluster (`startCluster`, PostgreSQL + s3rver + nginx; about 40 s here) with the
 * token service's rate limits lifted on the replicas, so the limit does not measure itself; one
 * replica is measured by stopping the second (nginx then sends everything to the first).
 *
 * Needs the cluster, so it runs only when asked: `node --import tsx scripts/bench-cluster.ts
 * [--runs N]` prints the figures; `npm run bench` includes them with `VEIL_BENCH_CLUSTER=1`
 * (`clusterPart`; not in the smoke run).
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { launchChromium, signInAt, storedAccessToken } from '../test/support/browser.js';
import { startCluster } from './cluster.js';
import type { BenchPart } from './bench-part.js';
import { figure, ratioFigure, type Figures } from './bench-stats.js';
import { rawSigningBurst, serviceBurst, type BurstLimits } from './bench-token.js';

const DIR = '.cache/bench-cluster';

/** For `npm run bench`: nothing unless `VEIL_BENCH_CLUSTER=1` (it needs PostgreSQL and nginx). */
export const clusterPart: BenchPart = {
  name: 'cluster',
  run: ({ runs, bursts, log }) => (process.env.VEIL_BENCH_CLUSTER === '1' ? measureCluster(runs, bursts, log) : Promise.resolve({})),
  rows: [
    { label: '**Scale-out**: playback sessions/s through nginx, one replica (baseline: raw ES256 signatures/s, same run)', veil: 'cluster.one.sessions_per_s', baseline: 'cluster.one.raw_sign_per_s', ratio: 'cluster.one.ratio', unit: '/s' },
    { label: '  two replicas (ratio: to the raw rate)', veil: 'cluster.two.sessions_per_s', baseline: 'cluster.two.raw_sign_per_s', ratio: 'cluster.two.ratio', unit: '/s' },
    { label: '  two replicas ÷ one', veil: 'cluster.two_to_one', unit: '×' },
  ],
};

async function measureCluster(runs: number, limits: BurstLimits, log: (line: string) => void): Promise<Figures> {
  const cluster = await startCluster({ port: 0, dir: DIR, env: { VEIL_BENCH_UNLIMITED_TOKEN_SERVICE: '1' }, log: () => {} });
  try {
    const browser = await launchChromium();
    let accessToken: string;
    try {
      const page = await browser.newPage();
      await signInAt(page, '/watch?v=sample-dash', 'alice@acme.test', { origin: cluster.origin });
      accessToken = await storedAccessToken(page);
    } finally {
      await browser.close();
    }
    const burst = async (label: string) => {
      const result = await serviceBurst(cluster.origin, accessToken, 'sample-dash', limits);
      if (result.failed > 0) throw new Error(`cluster bench (${label}): ${result.failed} requests failed (${result.firstFailure})`);
      return result.perSecond;
    };
    // Warm both replicas, nginx's keep-alive connections and the signing path.
    await serviceBurst(cluster.origin, accessToken, 'sample-dash', { ...limits, maxMs: 500, maxOperations: 1000 });
    await rawSigningBurst({ ...limits, maxMs: 300, maxOperations: 500 });
    const measure = async (replicas: number) => {
      const sessions: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < runs; i++) {
        sessions.push(await burst(`${replicas} replicas`));
        raw.push((await rawSigningBurst(limits)).perSecond);
        log(`cluster bench, ${replicas} replica(s), run ${i + 1}/${runs}: ${sessions.at(-1)!.toFixed(0)} sessions/s through nginx, raw ES256 ${raw.at(-1)!.toFixed(0)} signatures/s`);
      }
      return { sessions, raw };
    };
    const two = await measure(2);
    await cluster.replicas[1]!.kill('SIGTERM');
    const one = await measure(1);
    return {
      'cluster.one.sessions_per_s': figure(one.sessions, 0),
      'cluster.one.raw_sign_per_s': figure(one.raw, 0),
      'cluster.one.ratio': ratioFigure(one.sessions, one.raw),
      'cluster.two.sessions_per_s': figure(two.sessions, 0),
      'cluster.two.raw_sign_per_s': figure(two.raw, 0),
      'cluster.two.ratio': ratioFigure(two.sessions, two.raw),
      'cluster.two_to_one': ratioFigure(two.sessions, one.sessions),
    };
  } finally {
    await cluster.stop();
    await rm(DIR, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  measureCluster(Number(values.runs), { concurrency: 32, maxOperations: 50_000, maxMs: 3000 }, console.log).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
