/**
 * Bounded retries with exponential backoff for requests Veil makes itself (token service), and a
 * wait for the network to come back. Engines use their own retry machinery, configured alike.
 */
import { VeilError } from '../protocol/errors.js';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 4000 };

/** Worth another try: the network, a timeout, or the server's own trouble (5xx, 408, 429). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof VeilError)) return false;
  if (error.category === 'network') return true;
  const status = error.data.status;
  return typeof status === 'number' && (status >= 500 || status === 408 || status === 429);
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // Jitter spreads a crowd of players that failed together.
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

/** Runs `task` until it succeeds, fails permanently, or the attempts run out. Offline time is not counted. */
export async function withRetry<T>(task: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (signal?.aborted || !isTransient(error) || attempt + 1 >= policy.attempts) throw error;
      if (!navigator.onLine) {
        await whenOnline(signal);
        attempt = -1; // a fresh budget once the network is back
        continue;
      }
      await sleep(backoffDelay(policy, attempt), signal);
    }
  }
}
