/**
 * What every `VideoRepository` must do. Run it against each implementation:
 * `videoRepositoryContract('sqlite', async () => ({ repository, close }))`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { using } from './harness.js';
import type { VideoRecord, VideoRepository } from '../../../src/server/storage/videos.js';

export type MakeVideoRepository = () => Promise<{ repository: VideoRepository; close(): Promise<void> }>;

export function sampleVideo(id: string, overrides: Partial<VideoRecord> = {}): VideoRecord {
  return {
    id,
    title: `Video ${id}`,
    owner: 'alice@acme.test',
    org: 'acme',
    generalAccess: 'org',
    protocol: 'dash',
    manifest: 'manifest.mpd',
    protection: { scheme: 'cenc', kids: ['0123456789abcdef0123456789abcdef'] },
    status: 'ready',
    ...overrides,
  };
}

export function videoRepositoryContract(name: string, make: MakeVideoRepository): void {
  describe(`VideoRepository contract: ${name}`, () => {
    it('returns undefined for an unknown id', () =>
      using(make, async ({ repository }) => {
        assert.equal(await repository.get('nope'), undefined);
      }));

    it('returns exactly what was put, for each id', () =>
      using(make, async ({ repository }) => {
        const dash = sampleVideo('a');
        const hls = sampleVideo('b', {
          protocol: 'hls',
          manifest: 'master.m3u8',
          generalAccess: 'restricted',
          status: 'processing',
          protection: { scheme: 'hls-aes-128', kids: ['ffffffffffffffffffffffffffffffff'] },
        });
        await repository.put(dash);
        await repository.put(hls);
        assert.deepEqual(await repository.get('a'), dash);
        assert.deepEqual(await repository.get('b'), hls);
      }));

    it('keeps several key ids in order, and none', () =>
      using(make, async ({ repository }) => {
        const kids = ['22222222222222222222222222222222', '11111111111111111111111111111111'];
        await repository.put(sampleVideo('many', { protection: { scheme: 'cenc', kids } }));
        await repository.put(sampleVideo('none', { protection: { scheme: 'cenc', kids: [] } }));
        assert.deepEqual((await repository.get('many'))!.protection.kids, kids);
        assert.deepEqual((await repository.get('none'))!.protection.kids, []);
      }));

    it('keeps alternative presentations in order, and drops them when a put has none', () =>
      using(make, async ({ repository }) => {
        const alternatives = [
          { protocol: 'hls' as const, manifest: 'master.m3u8', protection: { scheme: 'hls-aes-128' as const, kids: ['ffffffffffffffffffffffffffffffff'] } },
          { protocol: 'dash' as const, manifest: 'other.mpd', protection: { scheme: 'cenc' as const, kids: ['22222222222222222222222222222222', '11111111111111111111111111111111'] } },
        ];
        const both = sampleVideo('both', { alternatives });
        await repository.put(both);
        assert.deepEqual(await repository.get('both'), both);
        assert.deepEqual((await repository.listVisibleTo('alice@acme.test', 'acme')).find((video) => video.id === 'both'), both);
        const primaryOnly = sampleVideo('both', { status: 'failed' });
        await repository.put(primaryOnly);
        assert.deepEqual(await repository.get('both'), primaryOnly, 'a put without alternatives keeps none of the earlier ones');
      }));

    it('put replaces the record with the same id', () =>
      using(make, async ({ repository }) => {
        await repository.put(sampleVideo('a'));
        const changed = sampleVideo('a', { title: 'Renamed', generalAccess: 'restricted', status: 'failed' });
        await repository.put(changed);
        assert.deepEqual(await repository.get('a'), changed);
      }));
  });
}
