/**
 * One part of `npm run bench`: a function returning figures, and the table rows that show them.
 * `scripts/bench.ts` runs its list of parts in order; a feature adds its figures with its own
 * `scripts/bench-<feature>.ts` exporting a `BenchPart`, plus one import and one list entry in
 * `bench.ts` (and its keys in `MEASURED` of test/e2e/bench-smoke.test.ts).
 */
import type { Browser } from 'puppeteer-core';
import type { StoredIdentity } from './bench-browser.js';
import type { SecurityHooks } from './bench-security.js';
import type { Figures, Row } from './bench-stats.js';
import type { BurstLimits } from './bench-token.js';

export interface BenchContext {
  /** One Chromium for the whole run (a fresh context per page: `loadPage` in bench-browser.ts). */
  browser: Browser;
  /** The demo with the default token lifetime, the bench hooks, and the token-service rate limits lifted. */
  origin: string;
  /** A second demo whose playback tokens live 5 s (renewal). */
  renewalOrigin: string;
  /** A signed-in viewer of `origin`'s dev IdP, cached; `tag` asks for a separate sign-in (its own access token). */
  identity(origin: string, login: string, tag?: string): Promise<StoredIdentity>;
  hooks: SecurityHooks;
  /** Runs per figure (1 in a smoke run). */
  runs: number;
  /** A smoke run: one iteration, short windows; its figures only show that everything runs. */
  smoke: boolean;
  /** How wide and how long a CPU burst (token service, decisions) may be. */
  bursts: BurstLimits;
  log(line: string): void;
}

export interface BenchPart {
  /** One word, for the log and `--only` (`token`, `share`, `lti`, …). */
  name: string;
  /** The figures, keyed like `share.read.decide_per_s`; every key must be in the smoke test's `MEASURED`. */
  run(context: BenchContext): Promise<Figures>;
  /** Its rows of the table, in order. */
  rows: readonly Row[];
  /**
   * A smoke run plays the parts marked so side by side (playback windows that would otherwise
   * make the smoke run long); a full run gives every part the machine to itself.
   */
  sideBySideInSmoke?: boolean;
}
