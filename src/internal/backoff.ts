/**
 * The one backoff of the browser side: exponential delays with jitter, a wait for the network to
 * come back, and a retry loop over both. The API client, token renewal and audit delivery all use
 * it (engines use their own retry machinery, configured alike in `playback/engines/config.ts`).
 */

export interface RetryPolicy {
  /** Total tries, the first included (`Infinity`: until `shouldRetry` says no). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 4000 };

/** The delay before retry number `attempt` (0 for the first retry): doubling, capped, ±25 % jitter. */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, attempt: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt));
  // Jitter spreads a crowd of clients that failed together.
  return exponential * (0.75 + Math.random() * 0.5);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Resolves at once when online, else on the next `online` event. */
export function whenOnline(signal?: AbortSignal): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const online = () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      window.removeEventListener('online', online);
      reject(signal?.reason);
    };
    window.addEventListener('online', online, { once: true });
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

export interface RetryOptions {
  /** Whether this failure is worth another try (the attempt budget is checked besides). */
  shouldRetry(error: unknown): boolean;
  policy?: RetryPolicy;
  signal?: AbortSignal;
}

/**
 * Runs `task` until it succeeds, fails for good, or the attempts run out. Offline time is not
 * counted: it waits for the network and starts a fresh budget.
 */
export async function withRetry<T>(task: () => Promise<T>, { shouldRetry, policy = DEFAULT_RETRY, signal }: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (signal?.aborted || !shouldRetry(error) || attempt + 1 >= policy.attempts) throw error;
      if (!navigator.onLine) {
        await whenOnline(signal);
        attempt = -1;
        continue;
      }
      await sleep(backoffDelay(policy, attempt), signal);
    }
  }
}
