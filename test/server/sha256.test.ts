/**
 * The recorder's resumable SHA-256 (src/recording/sha256.ts) against node:crypto: any split of any
 * bytes into chunks gives the digest of the whole, also when the state goes through structured
 * cloning between chunks (as it does through IndexedDB across a reload).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sha256Digest, sha256Init, sha256Update } from '../../src/recording/sha256.js';

describe('resumable sha256', () => {
  it('equals node:crypto for every split of every input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        let state = sha256Init();
        for (const chunk of chunks) state = structuredClone(sha256Update(state, chunk));
        const expected = createHash('sha256');
        for (const chunk of chunks) expected.update(chunk);
        assert.deepEqual(Buffer.from(sha256Digest(state)), expected.digest());
      }),
      { numRuns: 300 },
    );
  });

  it('handles the padding edges and a large input', () => {
    for (const size of [0, 55, 56, 63, 64, 65, 119, 120, 1_000_003]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 7 + 3) & 0xff);
      assert.deepEqual(Buffer.from(sha256Digest(sha256Update(sha256Init(), bytes))), createHash('sha256').update(bytes).digest(), `size ${size}`);
    }
  });
});
