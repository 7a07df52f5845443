/**
 * Part 7 of the benchmark: the share decision. `decide()` runs on every playback-session issue,
 * renewal, key and license request, beside the one ES256 signature every playback session costs
 * anyway (goal: p99 ≤ 50 µs, ≤ 0.1 of a signature). The viewer is in 50 groups; of the org's
 * 10 000 grants, `decide()` sees what the Authorizer reads for a view: only the grants naming
 * the viewer or one of their groups (`GrantRepository.readFor`), at most 51 rows — measured as
 * `read`. `worst` is `decide()` handed all 10 000 on one video (what a full read would cost: the
 * decision is a scan of the grants it gets).
 */
import type { Browser } from 'puppeteer-core';
import { decide } from '../src/server/access/decide.js';
import { DAY_MS, DEFAULT_SHARING_POLICY, type AccessSubject, type Grant, type VideoAccessState } from '../src/server/access/model.js';
import type { Principal } from '../src/protocol/sharing.js';
import { accessTokenOf, type StoredIdentity } from './bench-browser.js';
import type { BenchContext, BenchPart } from './bench-part.js';
import { figure, median, ratioFigure, type Figures, type Row } from './bench-stats.js';
import { rawSigningBurst, serviceBurst, type BurstLimits } from './bench-token.js';

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

// --- through HTTP, and the dialog in Chromium -------------------------------------------------

/** The private video the grants are put on, and the org-wide one beside it (no grant read decides). */
const GRANTED_VIDEO = 'sample-private';
const OPEN_VIDEO = 'sample-dash';
/** Nodes of the crowded host page the dialog opens on (the figure), and opens sampled per run and page. */
export const DIALOG_BENCH = { nodes: 10_000, opensPerRun: 15, opensPerSmokeRun: 4 } as const;

/**
 * Playback sessions/s through HTTP for the viewer on `sample-private`, reached through a grant to
 * `group:acme-staff` among 10 000 grants on that video, interleaved with the same viewer on
 * `sample-dash` (org-wide access, no grant) and raw ES256 signatures/s in the same process; then the
 * share dialog's open time on a page of 10 000 nodes beside the same page without them. The
 * seeded grants are removed again, whatever happens.
 */
async function shareHttp(context: BenchContext): Promise<Figures> {
  const { origin, runs, bursts: limits, log } = context;
  const viewer = await context.identity(origin, 'bob@acme.test');
  const owner = await context.identity(origin, 'alice@acme.test');
  const seeded = await seedGrants(context.grants);
  const withGrants: number[] = [];
  const without: number[] = [];
  const signatures: number[] = [];
  try {
    const token = accessTokenOf(viewer);
    const burst = async (videoId: string, run: BurstLimits) => {
      const result = await serviceBurst(origin, token, videoId, run);
      if (result.failed > 0) throw new Error(`share bench: ${result.failed} playback sessions for ${videoId} failed (${result.firstFailure})`);
      return result.perSecond;
    };
    const warm = { ...limits, maxMs: 300, maxOperations: 500 };
    await burst(GRANTED_VIDEO, warm);
    await burst(OPEN_VIDEO, warm);
    for (let i = 0; i < runs; i++) {
      // Alternating which goes first, so drift in the machine's load hits both.
      const order = i % 2 === 0 ? [GRANTED_VIDEO, OPEN_VIDEO] : [OPEN_VIDEO, GRANTED_VIDEO];
      for (const videoId of order) (videoId === GRANTED_VIDEO ? withGrants : without).push(await burst(videoId, limits));
      signatures.push((await rawSigningBurst(limits)).perSecond);
      log(`share http run ${i + 1}/${runs}: ${withGrants.at(-1)!.toFixed(0)} sessions/s through a grant (${SHARE_BENCH.orgGrants} on the video), ${without.at(-1)!.toFixed(0)} without, raw ES256 ${signatures.at(-1)!.toFixed(0)}/s`);
    }
  } finally {
    await removeGrants(context.grants, seeded);
  }
  return {
    'share.http.granted_sessions_per_s': figure(withGrants, 0),
    'share.http.open_sessions_per_s': figure(without, 0),
    'share.http.ratio': ratioFigure(withGrants, without),
    'share.http.raw_sign_per_s': figure(signatures, 0),
    'share.http.sign_ratio': ratioFigure(withGrants, signatures),
    ...(await dialogOpenBench(context.browser, origin, owner, runs, context.smoke ? DIALOG_BENCH.opensPerSmokeRun : DIALOG_BENCH.opensPerRun, log)),
  };
}

/** 9 999 grants to other members plus the viewer's group: the video holds `SHARE_BENCH.orgGrants`. */
async function seedGrants(grants: BenchContext['grants']): Promise<Principal[]> {
  const now = Date.now();
  const put: Grant[] = Array.from({ length: SHARE_BENCH.orgGrants - 1 }, (_, i) => ({
    principal: `user:bench-${i}@acme.test`,
    role: 'viewer',
    expiresAt: null,
    grantedBy: 'alice@acme.test',
    grantedAt: now,
  }));
  put.push({ principal: 'group:acme-staff', role: 'viewer', expiresAt: null, grantedBy: 'alice@acme.test', grantedAt: now });
  const access = await grants.read(GRANTED_VIDEO);
  if (!access) throw new Error(`share bench: the demo has no ${GRANTED_VIDEO}`);
  // Only what was not there before is removed afterwards (a grant the demo had stays).
  const added = put.map((grant) => grant.principal).filter((principal) => !access.grants.some((grant) => grant.principal === principal));
  const saved = await grants.save(GRANTED_VIDEO, access.version, { put, remove: [] });
  if (!saved.saved) throw new Error('share bench: seeding the grants lost a race');
  return added;
}

async function removeGrants(grants: BenchContext['grants'], principals: Principal[]): Promise<void> {
  const access = await grants.read(GRANTED_VIDEO);
  if (!access || principals.length === 0) return;
  const saved = await grants.save(GRANTED_VIDEO, access.version, { put: [], remove: principals });
  if (!saved.saved) throw new Error('share bench: removing the seeded grants lost a race');
}

/**
 * The dialog's open time: `show()` on the loaded `<veil-share-dialog>` of the demo's `/share` page
 * (alice, `sample-private`) until the frame after `showModal()` (the top layer makes the rest of
 * the page inert: style work that grows with the page), on the page as served and with
 * `DIALOG_BENCH.nodes` more elements in it, interleaved open by open. Median per run.
 */
async function dialogOpenBench(browser: Browser, origin: string, owner: StoredIdentity, runs: number, opens: number, log: (line: string) => void): Promise<Figures> {
  const context = await browser.createBrowserContext();
  const crowded: number[] = [];
  const empty: number[] = [];
  let nodes = 0;
  try {
    const page = await context.newPage();
    await page.evaluateOnNewDocument((identity: { origin: string; items: Record<string, string> }) => {
      if (location.origin === identity.origin) for (const [key, value] of Object.entries(identity.items)) sessionStorage.setItem(key, value);
    }, { origin: owner.origin, items: owner.items });
    await page.goto(`${origin}/share?v=${GRANTED_VIDEO}`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('veil-share-dialog')?.shadowRoot?.querySelector('dialog')?.open === true, { timeout: 30_000, polling: 50 });
    for (let i = 0; i < runs; i++) {
      const run = (await page.evaluate(`(${OPEN_TIMES})(${DIALOG_BENCH.nodes}, ${opens})`)) as { crowded: number[]; empty: number[]; nodes: number; baseNodes: number };
      crowded.push(median(run.crowded));
      empty.push(median(run.empty));
      nodes = run.nodes;
      log(`share dialog run ${i + 1}/${runs}: open ${crowded.at(-1)!.toFixed(1)} ms on ${run.nodes} nodes, ${empty.at(-1)!.toFixed(1)} ms on ${run.baseNodes}`);
    }
  } finally {
    await context.close();
  }
  return {
    'share.dialog.open_crowded_ms': figure(crowded, 1),
    'share.dialog.open_empty_ms': figure(empty, 1),
    'share.dialog.ratio': ratioFigure(crowded, empty),
    'share.dialog.crowded_nodes': figure([nodes], 0),
  };
}

/**
 * In the page: `opens` timed opens with and without `extra` elements on the page, alternating.
 * Source text, not a function: tsx would wrap the inner functions in a helper the page lacks.
 */
const OPEN_TIMES = String.raw`async (extra, opens) => {
  const dialog = document.querySelector('veil-share-dialog');
  const afterPaint = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const count = () => document.getElementsByTagName('*').length;
  const baseNodes = count();
  // Rows of a busy intranet page: a list item with a link, a label and an icon-like element.
  const filler = document.createElement('div');
  filler.setAttribute('aria-hidden', 'true');
  for (let made = 1; made < extra; made += 4) {
    const row = filler.appendChild(document.createElement('li'));
    row.append(document.createElement('a'), document.createElement('span'), document.createElement('b'));
    row.firstElementChild.textContent = 'Item ' + made;
  }
  const crowded = [];
  const empty = [];
  let nodes = 0;
  for (let i = 0; i < opens * 2; i++) {
    const withFiller = i % 2 === 0;
    dialog.close();
    await dialog.updateComplete;
    if (withFiller) document.body.prepend(filler);
    else filler.remove();
    await afterPaint();
    if (withFiller) nodes = count();
    const start = performance.now();
    dialog.show();
    await dialog.updateComplete;
    await afterPaint();
    (withFiller ? crowded : empty).push(performance.now() - start);
  }
  filler.remove();
  return { crowded, empty, nodes, baseNodes };
}`;

const SHARE_HTTP_ROWS: Row[] = [
  {
    label: `**Share, through HTTP**: playback sessions/s reached through a grant (${SHARE_BENCH.orgGrants} grants on the video; baseline: same viewer, org-wide video, same run)`,
    veil: 'share.http.granted_sessions_per_s',
    baseline: 'share.http.open_sessions_per_s',
    ratio: 'share.http.ratio',
    unit: '/s',
  },
  { label: '  same, baseline: raw ES256 signatures/s (the crypto limit)', veil: 'share.http.granted_sessions_per_s', baseline: 'share.http.raw_sign_per_s', ratio: 'share.http.sign_ratio', unit: '/s' },
  {
    label: `**Share dialog**: \`show()\` → painted, on a page of ${DIALOG_BENCH.nodes.toLocaleString('en-US')} more elements (baseline: the same page without them)`,
    veil: 'share.dialog.open_crowded_ms',
    baseline: 'share.dialog.open_empty_ms',
    ratio: 'share.dialog.ratio',
    unit: 'ms',
  },
];

/** The bench part (scripts/bench-part.ts): sessions through a grant over HTTP, and the dialog's open time. */
export const shareHttpPart: BenchPart = { name: 'share-http', run: shareHttp, rows: SHARE_HTTP_ROWS };
