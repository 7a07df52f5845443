/**
 * The dev IdP keeps its signing key across restarts (demo/idp/signing-key-store.ts): wrapped under
 * the demo's KEK in the data directory, so tokens signed before a restart still verify after it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IDP_SIGNING_KEY_FILE, loadSigningKey } from '../../demo/idp/signing-key-store.js';
import { kekFromBytes, type KekRing } from '../../src/server/storage/envelope.js';
import { startTestDemo } from '../support/demo.js';

const dir = mkdtempSync(join(tmpdir(), 'veil-idp-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ring = (): KekRing => ({ current: kekFromBytes(randomBytes(32)), previous: [] });

describe('dev IdP signing key store', () => {
  it('stores a new key wrapped (mode 0600, no private member in clear) and loads the same key again', async () => {
    const keks = ring();
    const file = join(dir, 'key.json');
    const created = await loadSigningKey(file, keks);
    const loaded = await loadSigningKey(file, keks);
    assert.deepEqual(loaded, created);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(String(created.privateJwk.d)), 'the private key is not stored in clear');
    assert.ok(!text.includes(created.publicJwk.kid), 'nothing of the key is stored in clear');
  });

  it('refuses to load under another KEK rather than making a new key', async () => {
    const file = join(dir, 'other.json');
    await loadSigningKey(file, ring());
    await assert.rejects(loadSigningKey(file, ring()));
  });

  it('the demo signs with the same key after a restart', async () => {
    const demo = await startTestDemo();
    try {
      const jwks = async () => (await (await fetch(`${demo.config.origin}/idp/jwks`)).json()) as { keys: Array<{ kid: string }> };
      const before = await jwks();
      assert.equal(before.keys.length, 1);
      await demo.restart();
      assert.deepEqual(await jwks(), before);
      assert.ok(statSync(join(demo.config.dataDir, IDP_SIGNING_KEY_FILE)).isFile());
    } finally {
      await demo.close();
    }
  });
});
