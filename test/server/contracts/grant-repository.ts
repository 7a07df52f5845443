/**
 * What every `GrantRepository` must do: a video's general access and grants read and saved as one
 * versioned unit — whole batches or nothing, and only over the version they were made against.
 * (It carries over the revocation list's contract: a revoke is idempotent, touches one principal
 * of one video, and survives a metadata update of the video.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { using } from './harness.js';
import { sampleVideo } from './video-repository.js';
import type { Grant } from '../../../src/server/access/model.js';
import type { GrantRepository } from '../../../src/server/storage/grants.js';
import type { VideoRepository } from '../../../src/server/storage/videos.js';

export type MakeGrantRepository = () => Promise<{ grants: GrantRepository; videos: VideoRepository; close(): Promise<void> }>;

const grantOf = (principal: Grant['principal'], overrides: Partial<Grant> = {}): Grant => ({ principal, role: 'viewer', expiresAt: null, grantedBy: 'alice@acme.test', grantedAt: 1_700_000_000_000, ...overrides });

export function grantRepositoryContract(name: string, make: MakeGrantRepository): void {
  describe(`GrantRepository contract: ${name}`, () => {
    it('reads undefined for an unknown video, and a new video with its general access, no grants, some version', () =>
      using(make, async ({ grants, videos }) => {
        assert.equal(await grants.read('nope'), undefined);
        await videos.put(sampleVideo('a', { generalAccess: 'restricted' }));
        const access = await grants.read('a');
        assert.deepEqual({ ...access, version: 0 }, { generalAccess: 'restricted', grants: [], version: 0 });
        assert.deepEqual(await grants.save('nope', 0, { put: [grantOf('user:bob')], remove: [] }), { saved: false });
      }));

    it('saves grants and general access together, ordered by principal, and moves the version on', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a', { generalAccess: 'restricted' }));
        const { version } = (await grants.read('a'))!;
        const bob = grantOf('user:bob@acme.test', { expiresAt: 1_800_000_000_000 });
        const staff = grantOf('group:acme-staff', { role: 'editor' });
        const saved = await grants.save('a', version, { generalAccess: 'org', put: [staff, bob], remove: [] });
        assert.deepEqual(saved, { saved: true, version: version + 1 });
        assert.deepEqual(await grants.read('a'), { generalAccess: 'org', grants: [staff, bob], version: version + 1 });
        assert.equal((await videos.get('a'))!.generalAccess, 'org', 'the video record sees the same general access');
      }));

    it('refuses a save over a stale version and writes nothing of it', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        const { version } = (await grants.read('a'))!;
        assert.equal((await grants.save('a', version, { put: [grantOf('user:bob')], remove: [] })).saved, true);
        const stale = await grants.save('a', version, { generalAccess: 'restricted', put: [grantOf('user:carol')], remove: ['user:bob'] });
        assert.deepEqual(stale, { saved: false });
        assert.deepEqual(await grants.read('a'), { generalAccess: 'org', grants: [grantOf('user:bob')], version: version + 1 });
      }));

    it('of two saves over the same version exactly one wins', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        const { version } = (await grants.read('a'))!;
        const results = await Promise.all([
          grants.save('a', version, { put: [grantOf('user:bob')], remove: [] }),
          grants.save('a', version, { put: [grantOf('user:carol')], remove: [] }),
        ]);
        assert.deepEqual(results.map((result) => result.saved).sort(), [false, true]);
        assert.equal((await grants.read('a'))!.grants.length, 1);
      }));

    it('replaces a principal\'s grant, and revokes one principal of one video, idempotently', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        await videos.put(sampleVideo('b'));
        const save = async (id: string, update: Parameters<GrantRepository['save']>[2]) => assert.equal((await grants.save(id, (await grants.read(id))!.version, update)).saved, true);
        await save('a', { put: [grantOf('user:bob'), grantOf('user:carol')], remove: [] });
        await save('b', { put: [grantOf('user:bob')], remove: [] });
        await save('a', { put: [grantOf('user:bob', { role: 'editor' })], remove: [] });
        assert.deepEqual((await grants.read('a'))!.grants.map((g) => [g.principal, g.role]), [['user:bob', 'editor'], ['user:carol', 'viewer']]);
        await save('a', { put: [], remove: ['user:bob'] });
        await save('a', { put: [], remove: ['user:bob'] });
        assert.deepEqual((await grants.read('a'))!.grants.map((g) => g.principal), ['user:carol'], 'other viewer');
        assert.deepEqual((await grants.read('b'))!.grants.map((g) => g.principal), ['user:bob'], 'other video');
        await videos.put(sampleVideo('a', { title: 'Renamed' }));
        assert.deepEqual((await grants.read('a'))!.grants.map((g) => g.principal), ['user:carol'], 'survives a metadata update');
      }));

    it('a put of the video record moves the version on (no stale ETag saves over it)', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        const { version } = (await grants.read('a'))!;
        await videos.put(sampleVideo('a', { generalAccess: 'restricted' }));
        assert.deepEqual(await grants.save('a', version, { generalAccess: 'org', put: [], remove: [] }), { saved: false });
        assert.equal((await grants.read('a'))!.generalAccess, 'restricted');
      }));

    it('access requests: one pending per principal, oldest first, answered (removed) by a save', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        assert.equal(await grants.addRequest('nope', { principal: 'user:bob', requestedAt: 1 }), false, 'unknown video');
        assert.equal(await grants.addRequest('a', { principal: 'user:carol', requestedAt: 20 }), true);
        assert.equal(await grants.addRequest('a', { principal: 'user:bob', requestedAt: 10 }), true);
        assert.equal(await grants.addRequest('a', { principal: 'user:bob', requestedAt: 30 }), false, 'already pending');
        assert.deepEqual(await grants.requests('a'), [{ principal: 'user:bob', requestedAt: 10 }, { principal: 'user:carol', requestedAt: 20 }]);
        const { version } = (await grants.read('a'))!;
        assert.deepEqual(await grants.save('a', version, { put: [grantOf('user:bob')], remove: [], resolveRequests: ['user:bob', 'user:carol'] }), { saved: true, version: version + 1 });
        assert.deepEqual(await grants.requests('a'), []);
        assert.equal((await grants.save('a', version, { put: [], remove: [], resolveRequests: [] })).saved, false, 'stale save writes nothing');
      }));

    it('expired grants are listed soonest first and removed once, only with the expiry they were listed with', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        const { version } = (await grants.read('a'))!;
        const early = grantOf('user:bob', { expiresAt: 100 });
        const late = grantOf('user:carol', { expiresAt: 200 });
        await grants.save('a', version, { put: [late, early, grantOf('user:dave', { expiresAt: 900 }), grantOf('user:erin')], remove: [] });
        assert.deepEqual(await grants.expired(500, 10), [{ videoId: 'a', org: 'acme', grant: early }, { videoId: 'a', org: 'acme', grant: late }]);
        assert.deepEqual((await grants.expired(500, 1)).map((e) => e.grant.principal), ['user:bob']);
        assert.equal(await grants.removeExpired('a', 'user:bob', 999), false, 'changed meanwhile');
        assert.equal(await grants.removeExpired('a', 'user:bob', 100), true);
        assert.equal(await grants.removeExpired('a', 'user:bob', 100), false, 'once');
        assert.equal((await grants.read('a'))!.version, version + 2, 'a removal moves the version on');
        assert.deepEqual((await grants.read('a'))!.grants.map((g) => g.principal), ['user:carol', 'user:dave', 'user:erin']);
      }));

    it("a video's grants make it a candidate of VideoRepository.listVisibleTo for the granted principals", () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('mine', { owner: 'bob' }));
        await videos.put(sampleVideo('open', { generalAccess: 'org' }));
        await videos.put(sampleVideo('to-bob', { generalAccess: 'restricted' }));
        await videos.put(sampleVideo('to-staff', { generalAccess: 'restricted' }));
        await videos.put(sampleVideo('to-carol', { generalAccess: 'restricted' }));
        for (const [id, principal] of [['to-bob', 'user:bob'], ['to-staff', 'group:staff'], ['to-carol', 'user:carol']] as const) {
          await grants.save(id, (await grants.read(id))!.version, { put: [grantOf(principal)], remove: [] });
        }
        const ids = async (principals?: string[]) => (await videos.listVisibleTo('bob', 'acme', principals)).map((video) => video.id).sort();
        assert.deepEqual(await ids(), ['mine', 'open']);
        assert.deepEqual(await ids(['user:bob', 'group:staff']), ['mine', 'open', 'to-bob', 'to-staff']);
      }));

    it('readFor: the same access with only the grants of the given principals', () =>
      using(make, async ({ grants, videos }) => {
        assert.equal(await grants.readFor('nope', ['user:bob']), undefined);
        await videos.put(sampleVideo('a'));
        await grants.save('a', (await grants.read('a'))!.version, { put: [grantOf('user:bob'), grantOf('group:staff'), grantOf('user:carol')], remove: [] });
        const full = (await grants.read('a'))!;
        assert.deepEqual(await grants.readFor('a', ['group:staff', 'user:bob', 'user:nobody']), { ...full, grants: [grantOf('group:staff'), grantOf('user:bob')] });
        assert.deepEqual(await grants.readFor('a', []), { ...full, grants: [] });
      }));

    it('lists the access of every video of one org', () =>
      using(make, async ({ grants, videos }) => {
        await videos.put(sampleVideo('a'));
        await videos.put(sampleVideo('b', { generalAccess: 'restricted' }));
        await videos.put(sampleVideo('c', { org: 'globex' }));
        await grants.save('a', (await grants.read('a'))!.version, { put: [grantOf('user:bob')], remove: [] });
        await grants.save('c', (await grants.read('c'))!.version, { put: [grantOf('user:mallory')], remove: [] });
        const listed = await grants.listByOrg('acme');
        assert.deepEqual(listed.map(({ videoId, access }) => [videoId, access.generalAccess, access.grants.map((g) => g.principal)]), [['a', 'org', ['user:bob']], ['b', 'restricted', []]]);
        assert.deepEqual(listed[0]!.access, await grants.read('a'));
      }));
  });
}
