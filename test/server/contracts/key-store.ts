/** What every `KeyStore` must do: `keyStoreContract('sqlite', async () => ({ keys, close }))`. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { using } from './harness.js';
import type { ContentKey, KeyStore } from '../../../src/server/storage/keys.js';

export type MakeKeyStore = () => Promise<{ keys: KeyStore; close(): Promise<void> }>;

export function randomContentKey(): ContentKey {
  return { kid: randomBytes(16).toString('hex'), key: Uint8Array.from(randomBytes(16)) };
}

const byKid = (a: ContentKey, b: ContentKey) => (a.kid < b.kid ? -1 : 1);

export function keyStoreContract(name: string, make: MakeKeyStore): void {
  describe(`KeyStore contract: ${name}`, () => {
    it('has no keys for an unknown video', () =>
      using(make, async ({ keys }) => {
        assert.deepEqual(await keys.get('nope'), []);
      }));

    it('returns the keys put, ordered by kid, per video', () =>
      using(make, async ({ keys }) => {
        const a = [randomContentKey(), randomContentKey(), randomContentKey()];
        const b = [randomContentKey()];
        await keys.put('a', a);
        await keys.put('b', b);
        assert.deepEqual(await keys.get('a'), [...a].sort(byKid));
        assert.deepEqual(await keys.get('b'), b);
      }));

    it('put replaces every key of the video; delete removes them', () =>
      using(make, async ({ keys }) => {
        await keys.put('a', [randomContentKey(), randomContentKey()]);
        const replacement = [randomContentKey()];
        await keys.put('a', replacement);
        assert.deepEqual(await keys.get('a'), replacement);
        await keys.delete('a');
        assert.deepEqual(await keys.get('a'), []);
      }));

    it('refuses malformed kids and keys, storing nothing', () =>
      using(make, async ({ keys }) => {
        await assert.rejects(keys.put('a', [{ kid: 'ABC', key: new Uint8Array(16) }]), RangeError);
        await assert.rejects(keys.put('a', [{ kid: randomContentKey().kid, key: new Uint8Array(15) }]), RangeError);
        assert.deepEqual(await keys.get('a'), []);
      }));
  });
}
