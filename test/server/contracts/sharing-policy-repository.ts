/** What every `SharingPolicyRepository` must do: one policy per org, replaced whole, nothing across orgs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { using } from './harness.js';
import type { SharingPolicyRepository } from '../../../src/server/storage/sharing-policies.js';

export type MakeSharingPolicyRepository = () => Promise<{ policies: SharingPolicyRepository; close(): Promise<void> }>;

export function sharingPolicyRepositoryContract(name: string, make: MakeSharingPolicyRepository): void {
  describe(`SharingPolicyRepository contract: ${name}`, () => {
    it('reads undefined for an org without a policy; stores, replaces and reads back exactly, per org', () =>
      using(make, async ({ policies }) => {
        assert.equal(await policies.get('acme'), undefined);
        const strict = { policy: { orgAccessAllowed: false, defaultExpiryDays: 7, maxExpiryDays: 30, editorsMayShare: false }, updatedBy: 'alice@acme.test', updatedAt: 1_800_000_000_000 };
        const open = { policy: { orgAccessAllowed: true, defaultExpiryDays: null, maxExpiryDays: null, editorsMayShare: true }, updatedBy: 'bob@acme.test', updatedAt: 1_800_000_000_001 };
        await policies.put('acme', strict);
        assert.deepEqual(await policies.get('acme'), strict);
        assert.equal(await policies.get('globex'), undefined, 'nothing across orgs');
        await policies.put('acme', open);
        assert.deepEqual(await policies.get('acme'), open);
      }));
  });
}
