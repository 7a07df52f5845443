/**
 * Part 7 of the benchmark: the share decision. `decide()` runs on every playback-session issue,
 * renewal, key and license request, beside the one ES256 signature every playback session costs
 * anyway (goal: p99 ≤ 50 µs, ≤ 0.1 of a signature). The viewer is in 50 groups; of the org's
 * 10 000 grants, `decide()` sees what the Authorizer reads for a view: only the grants naming
 * the viewer or one of their groups (`GrantRepository.readFor`), at most 51 rows — measured as
 * `read`. `worst` is `decide()` handed all 10 000 on one video (what a full read would cost: the
 * decision is a scan of the grants it gets).
 */
import { decide } from '../src/server/access/decide.js';
import { DAY_MS, DEFAULT_SHARING_POLICY, type AccessSubject, type Grant, type VideoAccessState } from '../src/server/access/model.js';
import { figure, ratioFigure, type Figures } from './bench-stats.js';
import { rawSigningBurst, type BurstLimits } from './bench-token.js';

export const SHARE_BENCH = { orgGrants: 10_000, groups: 50 } as const;
/** What `readFor` can return for the viewer: one grant per principal (their own and 50 groups). */
const READ_GRANTS = SHARE_BENCH.groups + 1;

/** A video with `count` grants; the viewer's one grant (through its last group) comes last, so every grant is scanned. */
export function decisionCase(now: number, count: number): { subject: AccessSubject; video: VideoAccessState } {
  const groups = Array.from({ length: SHARE_BENCH.groups }, (_, i) => `team-${i}`);
  const grants: Grant[] = Array.from({ length: count - 1 }, (_, i) => ({
    principal: i % 10 === 0 ? `group:other-${i}` : `user:user${i}@acme.test`,
    role: i % 7 === 0 ? 'editor' : 'viewer',
    expiresAt: now + ((i % 300) + 1) * DAY_MS,
    grantedBy: 'alice@acme.test',
    grantedAt: now - DAY_MS,
  }));
  grants.push({ principal: `group:${groups.at(-1)}`, role: 'viewer', expiresAt: now + 30 * DAY_MS, grantedBy: 'alice@acme.test', grantedAt: now - DAY_MS });
  return {
    subject: { sub: 'bob@acme.test', org: 'acme', groups, perimeterViolation: undefined },
    video: { id: 'v', org: 'acme', owner: 'alice@acme.test', generalAccess: 'restricted', grants, policy: { ...DEFAULT_SHARING_POLICY, maxExpiryDays: 365 } },
  };
}

/** One timed run over a video with `count` grants: every call timed on its own; the run's rate and p99. */
export function decideRun(count: number, maxMs: number, maxOperations: number): { perSecond: number; p99Us: number } {
  const now = Date.now();
  const { subject, video } = decisionCase(now, count);
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxOperations && performance.now() - start < maxMs) {
    const t0 = performance.now();
    const decision = decide(subject, video, 'view', now);
    samples.push(performance.now() - t0);
    if (!decision.allowed) throw new Error(`share bench: the worst case must be allowed (got ${decision.code})`);
  }
  const elapsed = samples.reduce((a, b) => a + b, 0);
  samples.sort((a, b) => a - b);
  return { perSecond: (samples.length / elapsed) * 1000, p99Us: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]! * 1000 };
}

export async function shareDecisionBench(runs: number, limits: BurstLimits): Promise<Figures> {
  decideRun(SHARE_BENCH.orgGrants, Math.min(300, limits.maxMs), 500); // warm the JIT
  const worst = { perSecond: [] as number[], p99: [] as number[], ofSignature: [] as number[] };
  const read = { perSecond: [] as number[], p99: [] as number[], ofSignature: [] as number[] };
  const signatures: number[] = [];
  for (let i = 0; i < runs; i++) {
    const sign = (await rawSigningBurst(limits)).perSecond;
    signatures.push(sign);
    for (const [into, count] of [[worst, SHARE_BENCH.orgGrants], [read, READ_GRANTS]] as const) {
      const run = decideRun(count, limits.maxMs, limits.maxOperations);
      into.perSecond.push(run.perSecond);
      into.p99.push(run.p99Us);
      into.ofSignature.push(run.p99Us / (1e6 / sign));
    }
  }
  return {
    'share.raw_sign_per_s': figure(signatures, 0),
    ...Object.fromEntries(
      (
        [
          ['worst', worst],
          ['read', read],
        ] as const
      ).flatMap(([name, runs]) => [
        [`share.${name}.decide_per_s`, figure(runs.perSecond, 0)],
        [`share.${name}.ratio`, ratioFigure(runs.perSecond, signatures)],
        [`share.${name}.decide_p99_us`, figure(runs.p99, 2)],
        [`share.${name}.p99_of_signature`, figure(runs.ofSignature, 3)],
      ]),
    ),
  };
}
