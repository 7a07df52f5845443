/**
 * The published server subpaths (`veil-video/server`, `veil-video/server/node`), imported by package
 * name from the build in dist/server — what an app that installs veil-video gets — with their types.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';

type ServerModule = typeof import('../../src/server/index.js');
type NodeModule = typeof import('../../src/server/node.js');

// Variables, so the type checker does not need dist/ to exist.
const SERVER = 'veil-video/server';
const NODE = 'veil-video/server/node';

describe('veil-video/server (built)', () => {
  it('declares both subpaths with types in package.json, and the build has them', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    for (const subpath of ['./server', './server/node']) {
      const entry = pkg.exports[subpath];
      assert.ok(entry, subpath);
      assert.ok(existsSync(entry.default), `${entry.default} (run npm run build)`);
      assert.ok(existsSync(entry.types), entry.types);
    }
  });

  it('runs the reference service in a Node server from the published entry points', async () => {
    const server = (await import(SERVER)) as ServerModule;
    const node = (await import(NODE)) as NodeModule;
    assert.ok(import.meta.resolve(SERVER).includes('/dist/server/'), import.meta.resolve(SERVER));

    const idp = await generateKeyPair('ES256');
    const dir = await mkdtemp(join(tmpdir(), 'veil-published-'));
    const storage = await server.openSqliteStorage({ file: ':memory:', kek: { base64: randomBytes(32).toString('base64') }, signingKeyRetentionSeconds: 3600 });
    const publicUrl = 'http://127.0.0.1';
    const handler = server.createVeilService({
      publicUrl,
      identity: server.createOidcVerifier({
        issuer: 'https://idp.test',
        audience: `${publicUrl}/api`,
        jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }),
      }),
      perimeter: { issuer: 'https://idp.test', org: 'acme' },
      videos: storage.videos,
      grants: storage.grants,
      keys: storage.keys,
      media: new server.FsMediaStore(dir),
      playbackTokens: server.createPlaybackTokenService({ issuer: publicUrl, audience: `${publicUrl}/media`, keys: storage.signingKeys, ttlSeconds: 120 }),
    });
    const http = node.createVeilNodeServer(handler, { origin: publicUrl });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const token = await new SignJWT({ org: 'acme' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .setIssuer('https://idp.test')
        .setAudience(`${publicUrl}/api`)
        .setSubject('alice')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(idp.privateKey);
      const response = await fetch(`${base}/api/playback-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ videoId: 'nope' }),
      });
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'VIDEO_NOT_FOUND');
      assert.equal((await fetch(`${base}/api/playback-sessions`)).status, 405);
      assert.ok(((await (await fetch(`${base}/api/jwks`)).json()) as { keys: unknown[] }).keys.length > 0);
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
