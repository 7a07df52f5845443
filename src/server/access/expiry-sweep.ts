/**
 * `share-expired` records: a sweep removes grants whose expiry has passed and records each one.
 * Access does not wait for it — `decide()` refuses a grant from its expiry instant on — so the
 * sweep only keeps the stored grants and the trail true. A sweep rather than on-read recording:
 * an expiry is recorded whether or not anyone asks afterwards, and reads stay read-only. Removal
 * is compare-and-set on the expiry, so several instances sweeping record each expiry once.
 */
import type { ServerAuditLog } from '../audit/server-events.js';
import type { GrantRepository } from '../storage/grants.js';

/** Grants handled per round trip; a sweep goes on until none is left. */
const BATCH = 500;

/** Removes and records every grant expired at `now`; returns how many. */
export async function sweepExpiredGrants(grants: Pick<GrantRepository, 'expired' | 'removeExpired'>, audit: ServerAuditLog, now: number = Date.now()): Promise<number> {
  let swept = 0;
  for (;;) {
    const batch = await grants.expired(now, BATCH);
    for (const { videoId, org, grant } of batch) {
      if (grant.expiresAt === null || !(await grants.removeExpired(videoId, grant.principal, grant.expiresAt))) continue;
      swept += 1;
      await audit([{ type: 'share-expired', actor: 'server', org, video: videoId, data: { principal: grant.principal, expiresAt: grant.expiresAt } }]);
    }
    if (batch.length < BATCH) return swept;
  }
}

export interface GrantExpirySweep {
  stop(): void;
}

/** Sweeps every `intervalMs` (default 60 s) until stopped; the timer never keeps the process alive. */
export function startGrantExpirySweep(options: {
  grants: Pick<GrantRepository, 'expired' | 'removeExpired'>;
  audit: ServerAuditLog;
  intervalMs?: number;
  log?: (error: unknown) => void;
}): GrantExpirySweep {
  const log = options.log ?? console.error;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredGrants(options.grants, options.audit)
      .catch(log)
      .finally(() => (running = false));
  }, options.intervalMs ?? 60_000);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
