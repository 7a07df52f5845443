/**
 * What every `SigningKeyRing` must do: `signingKeyRingContract('sqlite', async () => ({ ring, close }))`.
 * `make` gets the retention the ring must be built with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT, jwtVerify } from 'jose';
import { using } from './harness.js';
import type { SigningKeyRing } from '../../../src/server/storage/signing-keys.js';

export type MakeSigningKeyRing = (retentionSeconds: number) => Promise<{ ring: SigningKeyRing; close(): Promise<void> }>;

export function signingKeyRingContract(name: string, make: MakeSigningKeyRing): void {
  describe(`SigningKeyRing contract: ${name}`, () => {
    const signed = (privateKey: CryptoKey, kid: string) => new SignJWT({ x: 1 }).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);

    it('creates one signing key on first use and keeps it', () =>
      using(() => make(3600), async ({ ring }) => {
        const first = await ring.signingKey();
        const again = await ring.signingKey();
        assert.equal(again.kid, first.kid);
        const key = await ring.verificationKey(first.kid);
        assert.ok(key);
        await jwtVerify(await signed(first.privateKey, first.kid), key);
      }));

    it('concurrent first uses of an empty ring create one key, not one each', () =>
      using(() => make(3600), async ({ ring }) => {
        const kids = new Set((await Promise.all(Array.from({ length: 8 }, () => ring.signingKey()))).map((key) => key.kid));
        assert.equal(kids.size, 1);
        assert.equal((await ring.publicJwks()).length, 1);
      }));

    it('publishes public JWKs only, with kid, alg and use', () =>
      using(() => make(3600), async ({ ring }) => {
        const { kid } = await ring.signingKey();
        const jwks = await ring.publicJwks();
        assert.equal(jwks.length, 1);
        assert.deepEqual({ kid: jwks[0]!.kid, alg: jwks[0]!.alg, use: jwks[0]!.use, kty: jwks[0]!.kty, crv: jwks[0]!.crv }, { kid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
        assert.equal(jwks[0]!.d, undefined, 'no private part');
      }));

    it('rotation: the new key signs, the old one still verifies within the retention', () =>
      using(() => make(3600), async ({ ring }) => {
        const old = await ring.signingKey();
        const token = await signed(old.privateKey, old.kid);
        const next = await ring.rotate();
        assert.notEqual(next.kid, old.kid);
        assert.equal((await ring.signingKey()).kid, next.kid);
        await jwtVerify(token, (await ring.verificationKey(old.kid))!);
        assert.deepEqual((await ring.publicJwks()).map((jwk) => jwk.kid), [next.kid, old.kid]);
      }));

    it('a retired key past the retention verifies nothing and is no longer published', () =>
      using(() => make(0), async ({ ring }) => {
        const old = await ring.signingKey();
        await ring.rotate();
        await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal(await ring.verificationKey(old.kid), undefined);
        assert.equal((await ring.publicJwks()).length, 1);
      }));

    it('knows no unknown kid', () =>
      using(() => make(3600), async ({ ring }) => {
        await ring.signingKey();
        assert.equal(await ring.verificationKey('not-a-kid'), undefined);
      }));
  });
}
