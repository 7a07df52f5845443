/**
 * Server identity with several trusted issuers: the registry picks the verifier by the token's
 * (unverified) `iss` only to choose; the chosen verifier checks everything with its own keys. The
 * perimeter accepts a list of issuers.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { perimeterViolation } from '../../src/protocol/perimeter.js';
import { VeilError } from '../../src/protocol/errors.js';
import { checkPerimeter } from '../../src/server/identity/perimeter.js';
import { createOidcVerifier } from '../../src/server/identity/oidc.js';
import { createIdentityRegistry } from '../../src/server/identity/registry.js';
import type { AccessTokenVerifier } from '../../src/server/identity/verifier.js';

const ACME = 'https://idp.acme.test';
const ENTRA = 'https://login.entra.test/tenant/v2.0';
const AUDIENCE = 'https://video.test/api';

let acmeKey: CryptoKey;
let entraKey: CryptoKey;
let verify: AccessTokenVerifier;

async function jwks(publicKey: CryptoKey): Promise<JSONWebKeySet> {
  return { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] };
}

function token(issuer: string, key: CryptoKey, sub = 'alice'): Promise<string> {
  return new SignJWT({ org: 'acme' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

async function reason(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VeilError && error.code === 'ACCESS_TOKEN_INVALID', String(error));
    return error.data.reason;
  }
  assert.fail('accepted');
}

before(async () => {
  const acme = await generateKeyPair('ES256');
  const entra = await generateKeyPair('ES256');
  acmeKey = acme.privateKey;
  entraKey = entra.privateKey;
  verify = createIdentityRegistry([
    createOidcVerifier({ issuer: ACME, audience: AUDIENCE, jwks: createLocalJWKSet(await jwks(acme.publicKey)) }),
    createOidcVerifier({ issuer: ENTRA, audience: AUDIENCE, jwks: createLocalJWKSet(await jwks(entra.publicKey)) }),
  ]);
});

describe('identity registry', () => {
  it("verifies each issuer's tokens with that issuer's keys", async () => {
    assert.equal((await verify(await token(ACME, acmeKey))).issuer, ACME);
    assert.equal((await verify(await token(ENTRA, entraKey, 'bob'))).sub, 'bob');
  });

  it('refuses a token that names one trusted issuer but is signed by another', async () => {
    assert.equal(await reason(verify(await token(ENTRA, acmeKey))), 'verification');
  });

  it('refuses unknown issuers, garbage and missing tokens before any verification', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey;
    assert.equal(await reason(verify(await token('https://evil.test', stranger))), 'issuer');
    assert.equal(await reason(verify('not.a.jwt')), 'malformed');
    assert.equal(await reason(verify(undefined)), 'missing');
  });

  it('refuses two verifiers for one issuer', () => {
    const one = { issuer: ACME, verify: async () => ({ sub: 'x', issuer: ACME, groups: [] }) };
    assert.throws(() => createIdentityRegistry([one, one]), /two identity verifiers/);
  });
});

describe('perimeter with a list of issuers', () => {
  it('admits any listed issuer and nothing else', () => {
    const policy = { issuers: [ACME, ENTRA], org: 'acme' };
    assert.equal(perimeterViolation({ iss: ENTRA, org: 'acme' }, policy), undefined);
    assert.equal(perimeterViolation({ issuer: ACME, org: 'acme' }, { issuer: ACME, issuers: [ENTRA] }), undefined);
    assert.equal(perimeterViolation({ iss: 'https://evil.test', org: 'acme' }, policy), 'issuer');
    assert.equal(perimeterViolation({ iss: ACME }, {}), 'issuer');
    assert.throws(() => checkPerimeter({ sub: 'm', issuer: 'https://evil.test', groups: [] }, policy), (error: unknown) => error instanceof VeilError && error.code === 'PERIMETER_DENIED');
  });
});
