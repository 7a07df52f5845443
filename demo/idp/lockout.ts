/**
 * Account lockout for the dev IdP's sign-in: after `maxFailures` wrong passwords for one login
 * within `windowSeconds`, that login is locked for `lockSeconds` — the right password then does
 * not sign in either. Counted per login string, whether or not such an account exists, so the
 * answers (and the work behind them) are the same for unknown accounts and reveal nothing.
 * Memory backend: the dev IdP is one process (the scale-out issue brings a shared backend).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface LockoutOptions {
  /** Wrong passwords that lock a login; default 5. */
  maxFailures?: number;
  /** The window those failures must fall in, in seconds; default 15 min. */
  windowSeconds?: number;
  /** How long a login stays locked, in seconds; default 15 min. */
  lockSeconds?: number;
}

export interface AccountLockout {
  /** Seconds until `login` may sign in again, or 0 when it is not locked. */
  lockedFor(login: string): Promise<number>;
  /** Records a wrong password; returns the seconds `login` is now locked for (0 if not yet). */
  failed(login: string): Promise<number>;
  /** A successful sign-in clears the login's failures. */
  succeeded(login: string): Promise<void>;
}

/** The key a login is counted under: the same normalisation `authenticate` applies. */
function keyFor(login: string): string {
  return login.trim().toLowerCase();
}

function seconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

export function createAccountLockout(options: LockoutOptions = {}): AccountLockout {
  const maxFailures = options.maxFailures ?? 5;
  const windowSeconds = options.windowSeconds ?? 15 * 60;
  const lockSeconds = options.lockSeconds ?? 15 * 60;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new Error('lockout maxFailures must be a positive integer');
  // `consume` rejects once more than `points` are used and then blocks the key for
  // `blockDuration`: with points = maxFailures − 1 the maxFailures-th failure locks.
  const limiter = new RateLimiterMemory({ keyPrefix: 'idp-login', points: maxFailures - 1, duration: windowSeconds, blockDuration: lockSeconds });

  return {
    async lockedFor(login) {
      const res = await limiter.get(keyFor(login));
      return res && res.consumedPoints >= maxFailures && res.msBeforeNext > 0 ? seconds(res) : 0;
    },
    async failed(login) {
      try {
        await limiter.consume(keyFor(login));
        return 0;
      } catch (error) {
        if (error instanceof RateLimiterRes) return seconds(error);
        throw error;
      }
    },
    async succeeded(login) {
      await limiter.delete(keyFor(login));
    },
  };
}
