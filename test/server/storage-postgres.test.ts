/**
 * The storage contract suites on PostgreSQL (a throwaway cluster, a database per test), and what
 * only a shared database shows: two replicas' stores on one database see each other's writes,
 * and a restarted replica opens what another wrote under the same KEK.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { grantRepositoryContract } from './contracts/grant-repository.js';
import { keyStoreContract, randomContentKey } from './contracts/key-store.js';
import { ltiStoreContract } from './contracts/lti-store.js';
import { signingKeyRingContract } from './contracts/signing-key-ring.js';
import { sampleVideo, videoRepositoryContract } from './contracts/video-repository.js';
import { VeilError } from '../../src/protocol/errors.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { openPostgresTestStorage } from '../support/postgres-storage.js';

videoRepositoryContract('postgres', async () => {
  const storage = await openPostgresTestStorage();
  return { repository: storage.videos, close: storage.close };
});
grantRepositoryContract('postgres', async () => {
  const storage = await openPostgresTestStorage();
  return { grants: storage.grants, videos: storage.videos, close: storage.close };
});
keyStoreContract('postgres', async () => {
  const storage = await openPostgresTestStorage();
  return { keys: storage.keys, close: storage.close };
});
ltiStoreContract('postgres', async () => {
  const storage = await openPostgresTestStorage();
  return { lti: storage.lti, close: storage.close };
});
signingKeyRingContract('postgres', async (retentionSeconds) => {
  const storage = await openPostgresTestStorage({ signingKeyRetentionSeconds: retentionSeconds });
  return { ring: storage.signingKeys, close: storage.close };
});

describe('PostgreSQL shared by replicas', () => {
  it('two replicas starting at once migrate once and share videos, keys and the signing key', async () => {
    const url = await freshPostgresDatabase();
    const kek = randomBytes(32).toString('base64');
    const [a, b] = await Promise.all([openPostgresTestStorage({ url, kek }), openPostgresTestStorage({ url, kek })]);
    try {
      await a.videos.put(sampleVideo('shared'));
      assert.deepEqual(await b.videos.get('shared'), sampleVideo('shared'));
      const key = randomContentKey();
      await b.keys.put('shared', [key]);
      assert.deepEqual(await a.keys.get('shared'), [key]);
      assert.equal((await a.signingKeys.signingKey()).kid, (await b.signingKeys.signingKey()).kid);
      const rotated = await a.signingKeys.rotate();
      assert.equal((await b.signingKeys.signingKey()).kid, rotated.kid, 'a rotation on one replica is seen by the other');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a replica with another KEK refuses to start', async () => {
    const url = await freshPostgresDatabase();
    const first = await openPostgresTestStorage({ url });
    await first.keys.put('v', [randomContentKey()]);
    await first.close();
    await assert.rejects(openPostgresTestStorage({ url }), (error: unknown) => error instanceof VeilError && error.code === 'CONFIG_INVALID');
  });
});
