/** What every `RateLimitBackend` must do: `rateLimiterContract('memory', async () => backend)`. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RateLimitBackend } from '../../../src/server/limits/rate-limiter.js';

export function rateLimiterContract(name: string, make: () => Promise<RateLimitBackend>): void {
  describe(`rate limiter (${name} backend)`, () => {
    it('consumes, refuses once spent, reports the crossing once, and gives points back', async () => {
      const backend = await make();
      const limiter = backend.limiter({ name: `test-${randomUUID()}`, points: 3, durationSeconds: 60, blockSeconds: 30 });
      assert.equal((await limiter.consume('k', 2)).remaining, 1);
      assert.equal((await limiter.consume('k')).allowed, true);
      const crossed = await limiter.consume('k');
      assert.deepEqual([crossed.allowed, crossed.crossed], [false, true]);
      assert.ok(crossed.retryAfterSeconds > 0 && crossed.retryAfterSeconds <= 30);
      const again = await limiter.consume('k');
      assert.deepEqual([again.allowed, again.crossed], [false, false]);
      assert.equal((await limiter.peek('k')).allowed, false);
      assert.equal((await limiter.peek('other')).allowed, true);
      const budget = backend.limiter({ name: `test-${randomUUID()}`, points: 3, durationSeconds: 60 });
      await budget.consume('t', 3);
      await budget.reward('t', 2);
      assert.equal((await budget.consume('t', 2)).allowed, true);
    });
  });
}
