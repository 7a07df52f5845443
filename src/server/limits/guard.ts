/**
 * Abuse limits of the service, on top of `RateLimiter` counters:
 * - per client (address) and per viewer, for each group of routes, generous for real players
 *   (429 `RATE_LIMITED` with `Retry-After` when spent);
 * - a client that keeps presenting refused tokens is blocked for a while (429 `CLIENT_BLOCKED`,
 *   every route, even with a good token) and the block is reported once (`onBlocked`: the service
 *   writes a `client-blocked` audit event);
 * - the audit budget: events per token, as many as a real player records in that token's lifetime.
 *
 * A request whose client address is unknown (a handler called without the Node adapter and no
 * `clientAddress` option) is limited per viewer only.
 */
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';
import type { RateLimitBackend, RateLimiter } from './rate-limiter.js';

/** Route groups with their own allowances. */
/** `directory-search`: the share dialog's people picker, limited per user so the directory cannot be enumerated fast. */
export type LimitGroup = 'token-service' | 'media' | 'audit' | 'admin' | 'directory-search';

export interface Allowance {
  points: number;
  durationSeconds: number;
}

export interface RateLimitSettings {
  /** Requests per client address, per group. */
  perClient: Record<LimitGroup, Allowance>;
  /** Requests per viewer (`sub` of the verified token), per group. */
  perViewer: Record<LimitGroup, Allowance>;
  /** Refused tokens a client may present per window before it is blocked for `blockSeconds`. */
  refusals: Allowance & { blockSeconds: number };
  /** Audit events per token: `ceil(lifetime / heartbeatSeconds) + burstEvents`. */
  audit: { heartbeatSeconds: number; burstEvents: number; clockSkewSeconds: number };
}

/**
 * Defaults, with the arithmetic of a real player: a 2 s-segment stream in two renditions fetches
 * about 60 media requests a minute (more while buffering ahead); a token is renewed every 70 % of
 * its lifetime (every 3.5 s at the shortest test lifetime of 5 s); audit delivery is at most one
 * request per 10 s in steady playback, bursts of a few on seeks and at the end. Per-client
 * allowances are ten times the per-viewer ones: many viewers can share one address (an office NAT).
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  perClient: {
    'token-service': { points: 600, durationSeconds: 60 },
    media: { points: 12_000, durationSeconds: 60 },
    audit: { points: 1200, durationSeconds: 60 },
    admin: { points: 3000, durationSeconds: 60 },
    'directory-search': { points: 600, durationSeconds: 60 },
  },
  perViewer: {
    'token-service': { points: 120, durationSeconds: 60 },
    media: { points: 2400, durationSeconds: 60 },
    audit: { points: 120, durationSeconds: 60 },
    // An admin page (or a script) polling the trail four times a second stays well inside.
    admin: { points: 600, durationSeconds: 60 },
    // One search per pause in typing (the dialog waits 200 ms): a person stays far inside; a script gets 8 × 60 names a minute.
    'directory-search': { points: 60, durationSeconds: 60 },
  },
  refusals: { points: 30, durationSeconds: 60, blockSeconds: 600 },
  audit: { heartbeatSeconds: 30, burstEvents: 200, clockSkewSeconds: 300 },
};

/** Token refusals that count toward blocking a client (a forged, foreign or stolen token). */
export const REFUSAL_CODES: ReadonlySet<VeilErrorCode> = new Set([
  'ACCESS_TOKEN_INVALID',
  'PLAYBACK_TOKEN_INVALID',
  'PLAYBACK_TOKEN_EXPIRED',
  'PLAYBACK_TOKEN_WRONG_VIDEO',
  // A wrong SCIM secret (issue 14): someone guessing at the provisioning endpoint.
  'SCIM_UNAUTHORIZED',
]);

export interface BlockReport {
  address: string;
  refusals: number;
  blockedSeconds: number;
  /** The refusal that crossed the limit. */
  code: VeilErrorCode;
}

export interface Guard {
  readonly settings: RateLimitSettings;
  /** Before anything else on a route: blocked clients and the per-client allowance. */
  client(request: Request, group: LimitGroup): Promise<void>;
  /** Once the viewer is known: the per-viewer allowance. */
  viewer(viewer: string, group: LimitGroup): Promise<void>;
  /** A request of this client was refused with `error`: counts toward a block. */
  refused(request: Request, error: VeilError): Promise<void>;
  /** Takes `events` from a token's audit budget; refused (nothing taken) when it would run over. */
  auditBudget(tokenId: string, lifetimeSeconds: number, events: number): Promise<{ allowed: boolean; budget: number }>;
  /** Gives budget back (events of a batch that turned out to be duplicates). */
  refundAudit(tokenId: string, lifetimeSeconds: number, events: number): Promise<void>;
}

export interface GuardOptions {
  backend: RateLimitBackend;
  settings?: PartialRateLimits;
  /** The client's address; undefined when unknown. */
  clientAddress: (request: Request) => string | undefined;
  /** Called once when a client gets blocked. */
  onBlocked?: (report: BlockReport) => Promise<void> | void;
  /** How long after a token's expiry its budget must still be remembered (the late-delivery window). */
  auditRetentionSeconds: number;
  log?: (error: unknown) => void;
}

export type PartialRateLimits = {
  perClient?: Partial<Record<LimitGroup, Allowance>>;
  perViewer?: Partial<Record<LimitGroup, Allowance>>;
  refusals?: Partial<RateLimitSettings['refusals']>;
  audit?: Partial<RateLimitSettings['audit']>;
};

export function rateLimitSettings(partial: PartialRateLimits = {}): RateLimitSettings {
  return {
    perClient: { ...DEFAULT_RATE_LIMITS.perClient, ...partial.perClient },
    perViewer: { ...DEFAULT_RATE_LIMITS.perViewer, ...partial.perViewer },
    refusals: { ...DEFAULT_RATE_LIMITS.refusals, ...partial.refusals },
    audit: { ...DEFAULT_RATE_LIMITS.audit, ...partial.audit },
  };
}

function limited(code: VeilErrorCode, retryAfterSeconds: number, data: Record<string, unknown> = {}): VeilError {
  return new VeilError(code, { data: { ...data, retryAfterSeconds } });
}

export function createGuard(options: GuardOptions): Guard {
  const settings = rateLimitSettings(options.settings);
  const groups = Object.keys(settings.perClient) as LimitGroup[];
  const perClient = new Map<LimitGroup, RateLimiter>();
  const perViewer = new Map<LimitGroup, RateLimiter>();
  for (const group of groups) {
    perClient.set(group, options.backend.limiter({ name: `veil:client:${group}`, ...settings.perClient[group] }));
    perViewer.set(group, options.backend.limiter({ name: `veil:viewer:${group}`, ...settings.perViewer[group] }));
  }
  const refusals = options.backend.limiter({ name: 'veil:refusals', points: settings.refusals.points, durationSeconds: settings.refusals.durationSeconds, blockSeconds: settings.refusals.blockSeconds });
  // Budgets by token lifetime (whole seconds): one counter per distinct lifetime, which is one or two in practice.
  const budgets = new Map<number, RateLimiter>();
  const budgetOf = (lifetimeSeconds: number) => Math.ceil(Math.max(1, lifetimeSeconds) / settings.audit.heartbeatSeconds) + settings.audit.burstEvents;
  const budgetLimiter = (lifetimeSeconds: number): RateLimiter => {
    const lifetime = Math.max(1, Math.ceil(lifetimeSeconds));
    let limiter = budgets.get(lifetime);
    if (!limiter) {
      limiter = options.backend.limiter({ name: `veil:audit-budget:${lifetime}`, points: budgetOf(lifetime), durationSeconds: lifetime + options.auditRetentionSeconds + settings.audit.clockSkewSeconds });
      budgets.set(lifetime, limiter);
    }
    return limiter;
  };

  return {
    settings,

    async client(request, group) {
      const address = options.clientAddress(request);
      if (address === undefined) return;
      const block = await refusals.peek(address);
      if (!block.allowed) throw limited('CLIENT_BLOCKED', block.retryAfterSeconds);
      const decision = await perClient.get(group)!.consume(address);
      if (!decision.allowed) throw limited('RATE_LIMITED', decision.retryAfterSeconds, { scope: 'client', group });
    },

    async viewer(viewer, group) {
      const decision = await perViewer.get(group)!.consume(viewer);
      if (!decision.allowed) throw limited('RATE_LIMITED', decision.retryAfterSeconds, { scope: 'viewer', group });
    },

    async refused(request, error) {
      if (!REFUSAL_CODES.has(error.code)) return;
      const address = options.clientAddress(request);
      if (address === undefined) return;
      const decision = await refusals.consume(address);
      if (decision.crossed && options.onBlocked) {
        try {
          await options.onBlocked({ address, refusals: settings.refusals.points + 1, blockedSeconds: settings.refusals.blockSeconds, code: error.code });
        } catch (reportError) {
          (options.log ?? console.error)(reportError);
        }
      }
    },

    async auditBudget(tokenId, lifetimeSeconds, events) {
      const limiter = budgetLimiter(lifetimeSeconds);
      const decision = await limiter.consume(tokenId, events);
      if (!decision.allowed) await limiter.reward(tokenId, events);
      return { allowed: decision.allowed, budget: limiter.options.points };
    },

    async refundAudit(tokenId, lifetimeSeconds, events) {
      await budgetLimiter(lifetimeSeconds).reward(tokenId, events);
    },
  };
}
