/**
 * Recording uploads across replicas: two services on one PostgreSQL database, the tus locker
 * shared through PostgreSQL, and the uploads either in one directory they share (a shared volume)
 * or in S3 (s3rver). An upload started through replica A and resumed through replica B arrives
 * whole (same SHA-256).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { serverAuditLog } from '../../src/server/audit/server-events.js';
import type { Handler } from '../../src/server/context.js';
import { createAccessTokenVerifier } from '../../src/server/identity/oidc.js';
import { checkPerimeter } from '../../src/server/identity/perimeter.js';
import { createPlaybackTokenService } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import { FsMediaStore } from '../../src/server/storage/fs-media-store.js';
import { PostgresLocker } from '../../src/server/uploads/postgres-locker.js';
import { S3UploadStore } from '../../src/server/uploads/s3-store.js';
import type { UploadStore } from '../../src/server/uploads/tus.js';
import { createRecordings, type Recordings } from '../../src/server/uploads/recordings.js';
import { closeBeforeStop, freshPostgresDatabase } from '../support/postgres.js';
import { openPostgresTestStorage } from '../support/postgres-storage.js';
import { ORIGIN, TusTestClient } from '../support/recordings.js';
import { freshS3Settings } from '../support/s3.js';

const ISSUER = 'https://idp.test';
const API = `${ORIGIN}/api`;
let idpKey: CryptoKey;
let jwks: ReturnType<typeof createLocalJWKSet>;
const dirs: string[] = [];

before(async () => {
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] });
});

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function accessToken(sub: string): Promise<string> {
  return new SignJWT({ org: 'acme', groups: [] }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(API).setSubject(sub).setIssuedAt().setExpirationTime('5m').sign(idpKey);
}

/** One replica: its own pool, locker and service; shared database, uploads (directory or `uploadStore`) and KEK. */
async function replica(url: string, kek: string, uploadDir: string, uploadStore?: UploadStore): Promise<{ service: Handler; recordings: Recordings }> {
  const storage = await openPostgresTestStorage({ url, kek });
  const locker = await PostgresLocker.open(storage.pool);
  const verifyAccessToken = createAccessTokenVerifier({ issuer: ISSUER, audience: API, jwks });
  const perimeter = { issuer: ISSUER, org: 'acme' };
  const media = new FsMediaStore(join(uploadDir, '..', 'media'));
  const recordings = createRecordings({
    publicUrl: ORIGIN,
    uploadDir,
    recordings: storage.recordings,
    videos: storage.videos,
    keys: storage.keys,
    media,
    signingKeys: storage.signingKeys,
    verifyAccessToken,
    checkPerimeter: (viewer) => checkPerimeter(viewer, perimeter),
    audit: serverAuditLog(undefined),
    locker,
    uploadStore,
  });
  closeBeforeStop(async () => {
    await recordings.close();
    await locker.close();
    await storage.close();
  });
  const service = createVeilService({
    publicUrl: ORIGIN,
    verifyAccessToken,
    perimeter,
    videos: storage.videos,
    grants: storage.grants,
    keys: storage.keys,
    media,
    playbackTokens: createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 60 }),
    recordings,
  });
  return { service, recordings };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function all(bytes: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bytes) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Per layout: a fresh place for uploads, and a store on it per replica (none: the shared directory). */
const layouts: Array<[string, () => Promise<() => UploadStore | undefined>]> = [
  ['shared upload directory', async () => () => undefined],
  [
    'uploads in S3',
    async () => {
      const settings = await freshS3Settings();
      return () => new S3UploadStore(settings, { prefix: '.uploads/' });
    },
  ],
];

for (const [layout, uploadStore] of layouts) {
  describe(`uploads across replicas (PostgreSQL, ${layout})`, () => {
    it('an upload started through A and resumed through B arrives whole: the SHA-256 matches', async () => {
      const url = await freshPostgresDatabase();
      const kek = randomBytes(32).toString('base64');
      const dir = await mkdtemp(join(tmpdir(), 'veil-uploads-shared-'));
      dirs.push(dir);
      // Each replica its own store object (its own S3 client); what they share is the bucket.
      const storeOfReplica = await uploadStore();
      const a = await replica(url, kek, join(dir, 'uploads'), storeOfReplica());
      const b = await replica(url, kek, join(dir, 'uploads'), storeOfReplica());
      const bytes = Uint8Array.from(randomBytes(300_000));

      const viaA = new TusTestClient(a.service);
      const created = await viaA.create(await accessToken('alice'), { 'upload-length': String(bytes.byteLength) });
      assert.equal(created.status, 201, await created.clone().text());
      assert.equal((await viaA.patch(0, bytes.subarray(0, 120_000))).status, 204);

      // The network cuts; the recorder comes back through the balancer, which picks B.
      const viaB = Object.assign(new TusTestClient(b.service), { uploadUrl: viaA.uploadUrl, uploadToken: viaA.uploadToken, videoId: viaA.videoId });
      const head = await viaB.head();
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('upload-offset'), '120000', 'B sees what A stored');
      const rest = await viaB.patch(120_000, bytes.subarray(120_000));
      assert.equal(rest.status, 204, await rest.clone().text());
      assert.equal(rest.headers.get('upload-offset'), String(bytes.byteLength));

      assert.equal(sha256(await all(b.recordings.routes.tus.read(viaA.videoId, bytes.byteLength))), sha256(bytes));
      assert.equal(sha256(await all(a.recordings.routes.tus.read(viaA.videoId, bytes.byteLength))), sha256(bytes), 'A reads the same bytes');
      const storeA = storeOfReplica();
      if (storeA) assert.equal(await storeA.size(viaA.videoId), bytes.byteLength, 'the bytes are in the bucket');
      assert.equal(existsSync(join(dir, 'uploads', viaA.videoId)), !storeA, 'and on disk only with the shared directory');
      const finished = await a.recordings.routes.recordings.getUpload(viaA.videoId);
      assert.equal(finished?.finishedAt !== null, true, 'A sees the upload finished through B');
    });
  });
}
