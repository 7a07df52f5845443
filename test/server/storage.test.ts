/**
 * The storage layer: the contract suites against the SQLite (Kysely) and filesystem
 * implementations, content keys encrypted at rest under the KEK (wrong or missing KEK stops
 * start-up; rotation re-wraps), and the signing key ring across restarts and rotations.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { demoConfig } from '../../demo/config.js';
import { startDemo } from '../../demo/server.js';
import { VeilError } from '../../src/protocol/errors.js';
import { createPlaybackTokenService, PLAYBACK_TOKEN_TYP } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import { unwrap, wrap, kekFromBytes } from '../../src/server/storage/envelope.js';
import { FsMediaStore } from '../../src/server/storage/fs-media-store.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/server/storage/sqlite.js';
import { grantRepositoryContract } from './contracts/grant-repository.js';
import { keyStoreContract, randomContentKey } from './contracts/key-store.js';
import { ltiStoreContract } from './contracts/lti-store.js';
import { sharingPolicyRepositoryContract } from './contracts/sharing-policy-repository.js';
import { mediaStoreContract } from './contracts/media-store.js';
import { signingKeyRingContract } from './contracts/signing-key-ring.js';
import { videoRepositoryContract } from './contracts/video-repository.js';
import { openTestStorage } from '../support/storage.js';

const kekBase64 = () => randomBytes(32).toString('base64');

videoRepositoryContract('sqlite', async () => {
  const storage = await openTestStorage();
  return { repository: storage.videos, close: storage.close };
});
grantRepositoryContract('sqlite', async () => {
  const storage = await openTestStorage();
  return { grants: storage.grants, videos: storage.videos, close: storage.close };
});
sharingPolicyRepositoryContract('sqlite', async () => {
  const storage = await openTestStorage();
  return { policies: storage.sharingPolicies, close: storage.close };
});
keyStoreContract('sqlite', async () => {
  const storage = await openTestStorage();
  return { keys: storage.keys, close: storage.close };
});
ltiStoreContract('sqlite', async () => {
  const storage = await openTestStorage();
  return { lti: storage.lti, close: storage.close };
});
signingKeyRingContract('sqlite', async (retentionSeconds) => {
  const storage = await openTestStorage({ signingKeyRetentionSeconds: retentionSeconds });
  return { ring: storage.signingKeys, close: storage.close };
});
mediaStoreContract('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-media-contract-'));
  return { media: new FsMediaStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-storage-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A database file of its own per test, reopened like a restarted service would. */
function fileStorage(name: string, kek?: { base64?: string; previousBase64?: string[] }): Promise<SqliteStorage> {
  return openSqliteStorage({ file: join(dir, name, 'veil.sqlite'), kek, signingKeyRetentionSeconds: 3600 });
}

async function rejectsConfig(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VeilError, String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, message);
    return true;
  });
}

describe('content keys at rest', () => {
  it('generates a 0600 key file beside the database, and the database holds no plain key', async () => {
    const storage = await fileStorage('at-rest');
    const key = randomContentKey();
    await storage.keys.put('v', [key]);
    await storage.close();
    assert.equal((await stat(join(dir, 'at-rest', 'veil.kek'))).mode & 0o777, 0o600);
    const file = await readFile(join(dir, 'at-rest', 'veil.sqlite'));
    for (const encoding of [Buffer.from(key.key), Buffer.from(Buffer.from(key.key).toString('hex')), Buffer.from(Buffer.from(key.key).toString('base64'))]) {
      assert.equal(file.indexOf(encoding), -1, 'plain key in the database file');
    }
    const reopened = await fileStorage('at-rest');
    assert.deepEqual(await reopened.keys.get('v'), [key], 'the same key after a restart');
    await reopened.close();
  });

  it('a wrong VEIL_KEK stops start-up with a clear message', async () => {
    const kek = kekBase64();
    const storage = await fileStorage('wrong', { base64: kek });
    await storage.keys.put('v', [randomContentKey()]);
    await storage.close();
    await rejectsConfig(fileStorage('wrong', { base64: kekBase64() }), /wrapped by key-encryption key kek-[0-9a-f]{16}.*Set VEIL_KEK/);
    await rejectsConfig(fileStorage('wrong', { base64: 'too-short' }), /VEIL_KEK must be 32 bytes/);
    const again = await fileStorage('wrong', { base64: kek });
    assert.equal((await again.keys.get('v')).length, 1, 'the right KEK still opens it');
    await again.close();
  });

  it('a lost key file stops start-up instead of generating a new KEK', async () => {
    const storage = await fileStorage('lost');
    await storage.signingKeys.signingKey();
    await storage.close();
    await unlink(join(dir, 'lost', 'veil.kek'));
    await rejectsConfig(fileStorage('lost'), /veil\.kek is missing/);
  });

  it('rotation: with the old KEK as previous, every value is re-wrapped under the new one', async () => {
    const oldKek = kekBase64();
    const newKek = kekBase64();
    const storage = await fileStorage('rotate', { base64: oldKek });
    const key = randomContentKey();
    await storage.keys.put('v', [key]);
    const { kid } = await storage.signingKeys.signingKey();
    await storage.close();

    const rotated = await fileStorage('rotate', { base64: newKek, previousBase64: [oldKek] });
    assert.equal(rotated.kekId, kekFromBytes(Buffer.from(newKek, 'base64')).id);
    await rotated.close();
    const newOnly = await fileStorage('rotate', { base64: newKek });
    assert.deepEqual(await newOnly.keys.get('v'), [key]);
    assert.equal((await newOnly.signingKeys.signingKey()).kid, kid, 'the signing key survived the rotation');
    await newOnly.close();
    await rejectsConfig(fileStorage('rotate', { base64: oldKek }), /wrapped by key-encryption key/);
  });

  it('a wrapped value is bound to its row and refuses tampering', () => {
    const kek = kekFromBytes(Uint8Array.from(randomBytes(32)));
    const ring = { current: kek, previous: [] };
    const secret = Uint8Array.from(randomBytes(16));
    const wrapped = wrap(kek, secret, 'row a');
    assert.deepEqual(unwrap(ring, wrapped, 'row a'), secret);
    assert.throws(() => unwrap(ring, wrapped, 'row b'));
    const bytes = Buffer.from(wrapped.value, 'base64url');
    bytes[20]! ^= 1;
    assert.throws(() => unwrap(ring, { ...wrapped, value: bytes.toString('base64url') }, 'row a'));
  });

  it('the demo refuses to start on a wrong KEK and listens on nothing', async () => {
    const dataDir = join(dir, 'demo');
    const storage = await openSqliteStorage({ file: join(dataDir, 'veil.sqlite'), signingKeyRetentionSeconds: 60 });
    await storage.keys.put('sample-dash', [randomContentKey()]);
    await storage.close();
    const port = await freePort();
    const config = { ...demoConfig({ port, dataDir }), kek: kekBase64() };
    await rejectsConfig(startDemo(config), /nothing is served until then/);
    assert.equal(await isListening(port), false);
  });
});

describe('playback-token signing keys', () => {
  const issuer = 'https://video.test';
  const audience = `${issuer}/media`;
  const subject = { sub: 'alice', org: 'acme', vid: 'v', sid: 's' };
  const tokens = (storage: SqliteStorage) => createPlaybackTokenService({ issuer, audience, keys: storage.signingKeys, ttlSeconds: 120 });

  it('a token issued before a restart verifies after it', async () => {
    const before = await fileStorage('restart');
    const { token } = await tokens(before).sign(subject);
    await before.close();
    const after = await fileStorage('restart');
    try {
      const claims = await tokens(after).verify(token, 'v');
      assert.equal(claims.sub, 'alice');
    } finally {
      await after.close();
    }
  });

  it('every token names its key; after a rotation new tokens use the new key and old ones still verify', async () => {
    const storage = await fileStorage('rotation');
    try {
      const service = tokens(storage);
      const old = await service.sign(subject);
      const oldHeader = JSON.parse(Buffer.from(old.token.split('.')[0]!, 'base64url').toString());
      assert.deepEqual(oldHeader, { alg: 'ES256', typ: PLAYBACK_TOKEN_TYP, kid: (await storage.signingKeys.signingKey()).kid });
      const next = await storage.signingKeys.rotate();
      const fresh = await service.sign(subject);
      assert.equal(JSON.parse(Buffer.from(fresh.token.split('.')[0]!, 'base64url').toString()).kid, next.kid);
      assert.notEqual(next.kid, oldHeader.kid);
      await service.verify(old.token, 'v');
      await service.verify(fresh.token, 'v');
    } finally {
      await storage.close();
    }
  });

  it('GET /api/jwks publishes the keys that verify the service’s tokens', async () => {
    const storage = await openTestStorage();
    try {
      const playbackTokens = tokens(storage);
      const handler = createVeilService({
        publicUrl: issuer,
        verifyAccessToken: async () => assert.fail('not called'),
        perimeter: { issuer: 'https://idp.test', org: 'acme' },
        videos: storage.videos,
        grants: storage.grants,
        keys: storage.keys,
        media: storage.media,
        playbackTokens,
      });
      const { token } = await playbackTokens.sign(subject);
      const response = await handler(new Request(`${issuer}/api/jwks`));
      assert.equal(response.status, 200);
      assert.match(response.headers.get('cache-control') ?? '', /max-age=\d+/);
      const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
      assert.ok(jwks.keys.every((key) => key.d === undefined), 'public halves only');
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer, audience });
      assert.equal(payload.sub, 'alice');
      const wrongMethod = await handler(new Request(`${issuer}/api/jwks`, { method: 'POST' }));
      assert.ok(wrongMethod.status >= 400 && wrongMethod.status < 500);
    } finally {
      await storage.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createServer().once('error', () => resolve(true));
    socket.listen(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}
