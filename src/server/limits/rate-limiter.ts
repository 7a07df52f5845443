/**
 * Counting requests, refusals and events per key (a client address, a viewer, a token) over a
 * window, behind one small interface: memory (`rate-limiter-flexible`'s `RateLimiterMemory`) for
 * one instance, PostgreSQL (`RateLimiterPostgres`) when the service runs as several replicas.
 */
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitOptions {
  /** Names the counter (its keys never mix with another's). */
  name: string;
  /** Points a key may take per window. */
  points: number;
  /** The window (seconds). */
  durationSeconds: number;
  /** Once a key is over, it stays refused this long (seconds); default: until the window ends. */
  blockSeconds?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Points left in the window (0 when refused). */
  remaining: number;
  /** When a refused key may try again (whole seconds, at least 1). */
  retryAfterSeconds: number;
  /** This consume is the one that crossed the limit (a block starts now). */
  crossed: boolean;
}

export interface RateLimiter {
  readonly options: Readonly<RateLimitOptions>;
  /** Takes `points` (default 1) from `key`; refused once the window's points are spent. */
  consume(key: string, points?: number): Promise<RateDecision>;
  /** Gives points back (a refused batch that stored nothing, duplicates that cost nothing). */
  reward(key: string, points: number): Promise<void>;
  /** Whether `key` is refused right now, without taking anything. */
  peek(key: string): Promise<RateDecision>;
}

/** Where counters live; one backend serves every limiter of a service. */
export interface RateLimitBackend {
  limiter(options: RateLimitOptions): RateLimiter;
}

function decision(res: RateLimiterRes, options: RateLimitOptions, allowed: boolean, points: number): RateDecision {
  return {
    allowed,
    remaining: Math.max(0, res.remainingPoints),
    retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    crossed: !allowed && res.consumedPoints > options.points && res.consumedPoints - points <= options.points,
  };
}

/** A `RateLimiter` over any rate-limiter-flexible limiter: the same decisions whatever the store. */
function adapt(limiter: RateLimiterAbstract, options: RateLimitOptions): RateLimiter {
  return {
    options,
    async consume(key, points = 1) {
      try {
        return decision(await limiter.consume(key, points), options, true, points);
      } catch (result) {
        if (result instanceof RateLimiterRes) return decision(result, options, false, points);
        throw result;
      }
    },
    async reward(key, points) {
      if (points > 0) await limiter.reward(key, points);
    },
    async peek(key) {
      const res = await limiter.get(key);
      if (!res) return { allowed: true, remaining: options.points, retryAfterSeconds: 1, crossed: false };
      return decision(res, options, res.consumedPoints <= options.points, 0);
    },
  };
}

function flexibleOptions(options: RateLimitOptions) {
  return { keyPrefix: options.name, points: options.points, duration: options.durationSeconds, blockDuration: options.blockSeconds ?? 0 };
}

/** Counters in this process's memory: right for one instance (and for tests). */
export const memoryRateLimits: RateLimitBackend = {
  limiter: (options) => adapt(new RateLimiterMemory(flexibleOptions(options)), options),
};

/** The one table every counter of every replica shares (rate-limiter-flexible's layout). */
const RATE_LIMIT_TABLE = 'veil_rate_limits';

/**
 * Counters in PostgreSQL (`VEIL_DATABASE_URL`), shared by every replica: a limit is one limit, and
 * a client blocked through one replica is blocked through all. Creates its table before the
 * first limiter exists (rate-limiter-flexible would otherwise create it late, per limiter).
 */
export async function postgresRateLimits(pool: pg.Pool): Promise<RateLimitBackend> {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${RATE_LIMIT_TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
  return {
    limiter: (options) =>
      adapt(new RateLimiterPostgres({ ...flexibleOptions(options), storeClient: pool, storeType: 'pool', tableName: RATE_LIMIT_TABLE, tableCreated: true }), options),
  };
}
