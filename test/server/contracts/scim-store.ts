/**
 * The SCIM store, directory and secrets on a database dialect: the SQL that differs between
 * dialects (case-insensitive keys, LIKE with an escape, counting and paging, upserts, cascades,
 * transactions rolled back on a refusal) must behave the same on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScimProvisioning } from '../../../src/server/scim/index.js';

export type MakeScim = () => Promise<{ scim: ScimProvisioning; close(): Promise<void> }>;

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export function scimStoreContract(name: string, make: MakeScim): void {
  describe(`SCIM store contract: ${name}`, () => {
    it('users, groups, search, paging, deprovisioning, tombstones and secrets', async () => {
      const { scim, close } = await make();
      try {
        const { store, directory, secrets } = scim;
        const ada = (await store.createUser('acme', { schemas: [USER], userName: 'Ada@Acme.test', externalId: 'oid-ada', displayName: 'Ada 100% Lovelace' })).stored;
        const bob = (await store.createUser('acme', { schemas: [USER], userName: 'bob@acme.test', displayName: 'Bob_Builder' })).stored;
        await store.createUser('globex', { schemas: [USER], userName: 'ada@acme.test' });
        await assert.rejects(store.createUser('acme', { schemas: [USER], userName: 'ADA@acme.test' }), { status: 409 });

        assert.deepEqual((await store.listUsers('acme', { filter: 'userName eq "ada@ACME.test"', startIndex: 1, count: 10 })).resources.map((u) => u.id), [ada.id]);
        const page = await store.listUsers('acme', { startIndex: 2, count: 1 });
        assert.equal(page.total, 2);
        assert.deepEqual(page.resources.map((u) => u.id), [bob.id]);

        assert.deepEqual((await directory.search('acme', '100%')).map((e) => e.principal), ['user:oid-ada']);
        assert.deepEqual((await directory.search('acme', '0%')).map((e) => e.principal), ['user:oid-ada']);
        assert.deepEqual(await directory.search('acme', 'o_b'), [], '_ is literal (as a wildcard it would match "bob")');
        assert.deepEqual((await directory.search('acme', 'b_b')).map((e) => e.principal), ['user:bob@acme.test']);
        assert.deepEqual(await directory.search('acme', '1_0'), [], '…and so is % ("100%" has no "1_0")');

        const group = await store.createGroup('acme', { schemas: [GROUP], displayName: 'Staff', externalId: 'gid-staff', members: [{ value: ada.id }, { value: bob.id }] });
        await assert.rejects(store.patchGroup('acme', group.id, { Operations: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }] }), { status: 400 });
        assert.equal((await store.getGroup('acme', group.id))!.resource.members instanceof Array, true);
        assert.equal(((await store.getGroup('acme', group.id))!.resource.members as unknown[]).length, 2, 'the refused patch wrote nothing');
        assert.deepEqual(await directory.groupsOf('acme', 'oid-ada'), ['gid-staff']);
        assert.deepEqual(await directory.resolve('acme', 'group:gid-staff'), { principal: 'group:gid-staff', displayName: 'Staff', kind: 'group' });

        await store.patchUser('acme', ada.id, { Operations: [{ op: 'replace', path: 'active', value: false }] });
        assert.equal(await directory.deprovisioned('acme', 'oid-ada'), true);
        assert.deepEqual(await directory.groupsOf('acme', 'oid-ada'), []);
        assert.equal(await directory.deprovisioned('acme', 'bob@acme.test'), false);
        await store.deleteUser('acme', bob.id);
        await store.createUser('acme', { schemas: [USER], userName: 'bob@acme.test' });
        await store.deleteUser('acme', (await store.listUsers('acme', { filter: 'userName eq "bob@acme.test"', startIndex: 1, count: 1 })).resources[0]!.id);
        assert.equal(await directory.deprovisioned('acme', 'bob@acme.test'), true, 'deleted twice: the tombstone is upserted');
        assert.equal(((await store.getGroup('acme', group.id))!.resource.members as unknown[]).length, 1, 'membership cascades with the user');

        const first = await secrets.rotate('acme');
        assert.deepEqual((await secrets.authenticate(first))?.org, 'acme');
        const second = await secrets.rotate('acme', 0);
        assert.equal(await secrets.authenticate(first), undefined);
        assert.equal((await secrets.authenticate(second))?.org, 'acme');
      } finally {
        await close();
      }
    });
  });
}
