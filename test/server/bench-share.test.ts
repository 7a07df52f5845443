/**
 * Smoke check of the benchmark's part 7 (`scripts/bench-share.ts`), short enough for every run:
 * the case it times is a real allowed view through the viewer's last group after scanning every
 * grant, and every figure comes out as a finite number.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decisionCase, SHARE_BENCH, shareDecisionBench } from '../../scripts/bench-share.js';
import { decide } from '../../src/server/access/decide.js';

describe('benchmark part 7: the share decision', () => {
  it('times a real decision: allowed only through the last grant, denied without it', () => {
    const now = Date.now();
    const { subject, video } = decisionCase(now, SHARE_BENCH.orgGrants);
    assert.equal(video.grants.length, SHARE_BENCH.orgGrants);
    assert.equal(subject.groups.length, SHARE_BENCH.groups);
    assert.deepEqual(decide(subject, video, 'view', now), { allowed: true, role: 'viewer' });
    assert.deepEqual(decide(subject, { ...video, grants: video.grants.slice(0, -1) }, 'view', now), { allowed: false, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('reports every figure as a finite number', async () => {
    const figures = await shareDecisionBench(1, { concurrency: 4, maxOperations: 200, maxMs: 100 });
    const keys = ['share.raw_sign_per_s', ...['read', 'worst'].flatMap((c) => [`share.${c}.decide_per_s`, `share.${c}.ratio`, `share.${c}.decide_p99_us`, `share.${c}.p99_of_signature`])];
    assert.deepEqual(Object.keys(figures).sort(), keys.sort());
    for (const key of keys) {
      const value = figures[key];
      assert.ok(typeof value === 'object' && Number.isFinite(value.median) && value.median > 0, `${key}: ${JSON.stringify(value)}`);
    }
  });
});
