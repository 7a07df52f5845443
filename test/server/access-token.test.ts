/**
 * The token service's access-token check (RFC 9068 JWT access tokens): everything that is not a
 * well-formed, correctly signed, unexpired `at+jwt` from the pinned issuer for the API audience
 * is ACCESS_TOKEN_INVALID.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  base64url,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { VeilError } from '../../src/protocol/errors.js';
import { createAccessTokenVerifier } from '../../src/server/identity/oidc.js';
import type { Viewer } from '../../src/protocol/viewer.js';

const ISSUER = 'http://127.0.0.1:8080/idp';
const AUDIENCE = 'http://127.0.0.1:8080/api';

interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
}

async function signingKey(alg: 'ES256' | 'ES384' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, kid };
}

function isInvalid(error: unknown): boolean {
  return error instanceof VeilError && error.code === 'ACCESS_TOKEN_INVALID' && error.status === 401 && error.cause !== undefined;
}

const encodePart = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('createAccessTokenVerifier', () => {
  let key: SigningKey;
  let verify: (token: string | undefined) => Promise<Viewer>;

  async function token(
    claims: JWTPayload = {},
    options: { header?: Record<string, unknown>; key?: SigningKey; exp?: number; iat?: number; alg?: string } = {},
  ): Promise<string> {
    const signer = options.key ?? key;
    const now = Math.floor(Date.now() / 1000);
    // Built as one object so that a test can override or drop (undefined) any registered claim.
    const jwt = new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'alice@acme.test',
      jti: crypto.randomUUID(),
      iat: options.iat ?? now,
      exp: options.exp ?? now + 600,
      client_id: 'veil-demo',
      scope: 'org',
      org: 'acme',
      groups: ['veil-admins'],
      email: 'alice@acme.test',
      name: 'Alice Example',
      ...claims,
    }).setProtectedHeader({ alg: options.alg ?? 'ES256', typ: 'at+jwt', kid: signer.kid, ...options.header } as never);
    return jwt.sign(signer.privateKey);
  }

  before(async () => {
    key = await signingKey();
    verify = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createLocalJWKSet({ keys: [key.publicJwk] }) });
  });

  it('accepts a valid at+jwt and returns the viewer identity', async () => {
    assert.deepEqual(await verify(await token()), {
      sub: 'alice@acme.test',
      issuer: ISSUER,
      org: 'acme',
      groups: ['veil-admins'],
      email: 'alice@acme.test',
      name: 'Alice Example',
    });
  });

  it('maps absent optional claims to absent fields and no groups', async () => {
    const identity = await verify(await token({ org: undefined, groups: undefined, email: undefined, name: undefined }));
    assert.deepEqual(identity, { sub: 'alice@acme.test', issuer: ISSUER, groups: [] });
  });

  it('accepts the application/at+jwt spelling of the type (RFC 9068 section 4)', async () => {
    assert.equal((await verify(await token({}, { header: { typ: 'application/at+jwt' } }))).sub, 'alice@acme.test');
  });

  it('rejects a missing token', async () => {
    await assert.rejects(verify(undefined), isInvalid);
    await assert.rejects(verify(''), isInvalid);
  });

  it('rejects garbage', async () => {
    for (const garbage of ['garbage', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9..', `${encodePart({ alg: 'ES256' })}.${encodePart('x')}.sig`]) {
      await assert.rejects(verify(garbage), isInvalid, garbage);
    }
  });

  it('rejects alg none', async () => {
    const valid = await token();
    const [, payload] = valid.split('.');
    const unsigned = `${encodePart({ alg: 'none', typ: 'at+jwt' })}.${payload}.`;
    await assert.rejects(verify(unsigned), isInvalid);
    const unsignedWithKid = `${encodePart({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${payload}.`;
    await assert.rejects(verify(unsignedWithKid), isInvalid);
  });

  it('rejects HS256 signed with the public key material (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const confused = await new SignJWT({ org: 'acme', groups: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('alice@acme.test')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(secret);
    await assert.rejects(verify(confused), isInvalid);
  });

  it('rejects an altered payload carrying the original signature', async () => {
    const valid = await token({ org: 'globex', groups: [] });
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    assert.equal(claims.org, 'globex');
    const forged = `${header}.${encodePart({ ...claims, org: 'acme', groups: ['veil-admins'] })}.${signature}`;
    await assert.rejects(verify(forged), isInvalid);
    // and the untouched token still verifies, so the rejection is due to the alteration
    assert.equal((await verify(valid)).org, 'globex');
  });

  it('rejects a token signed by a foreign key, even one claiming the trusted kid', async () => {
    const foreign = await signingKey();
    await assert.rejects(verify(await token({}, { key: foreign })), isInvalid);
    await assert.rejects(verify(await token({}, { key: { ...foreign, kid: key.kid } })), isInvalid);
  });

  it('rejects an algorithm outside the pinned list', async () => {
    const es384 = await signingKey('ES384');
    const verifyBoth = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: createLocalJWKSet({ keys: [key.publicJwk, es384.publicJwk] }),
    });
    await assert.rejects(verifyBoth(await token({}, { key: es384, alg: 'ES384' })), isInvalid);
    const verifyEs384 = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: createLocalJWKSet({ keys: [es384.publicJwk] }),
      algorithms: ['ES384'],
    });
    assert.equal((await verifyEs384(await token({}, { key: es384, alg: 'ES384' }))).sub, 'alice@acme.test');
  });

  it('rejects the wrong audience', async () => {
    await assert.rejects(verify(await token({ aud: 'http://127.0.0.1:8080/other' })), isInvalid);
    await assert.rejects(verify(await token({ aud: 'veil-demo' })), isInvalid);
  });

  it('rejects the wrong issuer', async () => {
    await assert.rejects(verify(await token({ iss: 'http://127.0.0.1:8080/evil' })), isInvalid);
    await assert.rejects(verify(await token({ iss: `${ISSUER}/` })), isInvalid);
  });

  it('rejects the wrong typ (an ID token or a plain JWT is not an access token)', async () => {
    await assert.rejects(verify(await token({}, { header: { typ: 'JWT' } })), isInvalid);
    await assert.rejects(verify(await token({}, { header: { typ: undefined } })), isInvalid);
    await assert.rejects(verify(await token({}, { header: { typ: 'at+jwt+evil' } })), isInvalid);
  });

  it('rejects an expired token and one not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assert.rejects(verify(await token({}, { iat: now - 700, exp: now - 100 })), isInvalid);
    await assert.rejects(verify(await token({ nbf: now + 300 })), isInvalid);
  });

  it('honours the configured clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const justExpired = await token({}, { iat: now - 605, exp: now - 5 });
    await assert.rejects(verify(justExpired), isInvalid);
    const tolerant = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: createLocalJWKSet({ keys: [key.publicJwk] }),
      clockToleranceSeconds: 30,
    });
    assert.equal((await tolerant(justExpired)).sub, 'alice@acme.test');
  });

  it('rejects a token without sub, or with malformed groups', async () => {
    await assert.rejects(verify(await token({ sub: undefined })), isInvalid);
    await assert.rejects(verify(await token({ groups: 'veil-admins' as unknown as string[] })), isInvalid);
    await assert.rejects(verify(await token({ groups: [1, 2] as unknown as string[] })), isInvalid);
  });

  it('refuses to be configured with symmetric or no algorithms', () => {
    const jwks = createLocalJWKSet({ keys: [key.publicJwk] });
    assert.throws(() => createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: ['HS256'] }), TypeError);
    assert.throws(() => createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: ['none'] }), TypeError);
    assert.throws(() => createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: [] }), TypeError);
  });
});
