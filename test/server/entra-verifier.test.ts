/**
 * The Entra verifier against tokens signed with a local JWKS, shaped as Entra's v2.0 access
 * tokens: the tenant allow list (each tenant its own issuer), `tid` agreeing with the issuer,
 * audience and times, `oid` as the subject, members-only on `acct`, and group overage failing
 * closed unless a directory resolves the groups.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { VeilError } from '../../src/protocol/errors.js';
import { createEntraVerifiers, ENTRA_CONSUMER_TENANT } from '../../src/server/identity/entra.js';
import { createIdentityRegistry } from '../../src/server/identity/registry.js';
import type { AccessTokenVerifier } from '../../src/server/identity/verifier.js';

const ACME_TID = '11111111-1111-4111-8111-111111111111';
const GLOBEX_TID = '22222222-2222-4222-8222-222222222222';
const API = 'api://veil-test';
const issuerOf = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;

let key: CryptoKey;
let strangerKey: CryptoKey;
let verify: AccessTokenVerifier;
let membersOnly: AccessTokenVerifier;
let withDirectory: AccessTokenVerifier;

function token(claims: JWTPayload & { tid?: string }, options: { key?: CryptoKey; iss?: string; aud?: string; exp?: string | number; nbf?: string | number } = {}): Promise<string> {
  const tid = claims.tid ?? ACME_TID;
  const jwt = new SignJWT({ tid, oid: 'oid-alice', acct: 0, name: 'Alice', preferred_username: 'alice@acme.test', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' })
    .setIssuer(options.iss ?? issuerOf(tid))
    .setAudience(options.aud ?? API)
    .setSubject('pairwise-sub-not-used')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? key);
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VeilError, String(error));
    return { code: error.code, reason: error.data.reason };
  }
  assert.fail('accepted');
}

before(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'RS256', kid: 'k1' }] });
  const tenants = [{ tenantId: ACME_TID, org: 'acme' }];
  verify = createIdentityRegistry(createEntraVerifiers({ tenants, audience: API, jwks: () => jwks }));
  membersOnly = createIdentityRegistry(createEntraVerifiers({ tenants, audience: API, jwks: () => jwks, membersOnly: true }));
  withDirectory = createIdentityRegistry(
    createEntraVerifiers({ tenants, audience: API, jwks: () => jwks, resolveGroups: async (org, sub) => (org === 'acme' && sub === 'oid-alice' ? ['g-from-scim'] : []) }),
  );
});

describe('Entra verifier', () => {
  it('accepts a member of an allowed tenant: org from the tenant, oid as the subject, groups and name', async () => {
    const viewer = await verify(await token({ groups: ['g1', 'g2'] }));
    assert.deepEqual(viewer, { issuer: issuerOf(ACME_TID), sub: 'oid-alice', org: 'acme', groups: ['g1', 'g2'], email: 'alice@acme.test', name: 'Alice' });
  });

  it('refuses another tenant, the consumer tenant and the /common issuer (no verifier for them)', async () => {
    assert.equal((await failure(verify(await token({ tid: GLOBEX_TID })))).reason, 'issuer');
    assert.equal((await failure(verify(await token({ tid: ENTRA_CONSUMER_TENANT })))).reason, 'issuer');
    assert.equal((await failure(verify(await token({}, { iss: 'https://login.microsoftonline.com/{tenantid}/v2.0' })))).reason, 'issuer');
  });

  it("refuses a token whose tid is not its issuer's tenant", async () => {
    assert.equal((await failure(verify(await token({ tid: GLOBEX_TID }, { iss: issuerOf(ACME_TID) })))).reason, 'tid');
  });

  it('refuses a wrong audience, an expired or not-yet-valid token, a foreign signature and a missing oid', async () => {
    assert.equal((await failure(verify(await token({}, { aud: 'api://other' })))).reason, 'verification');
    assert.equal((await failure(verify(await token({}, { exp: Math.floor(Date.now() / 1000) - 10 })))).reason, 'verification');
    assert.equal((await failure(verify(await token({}, { nbf: '10m', exp: '20m' })))).reason, 'verification');
    assert.equal((await failure(verify(await token({}, { key: strangerKey })))).reason, 'verification');
    assert.equal((await failure(verify(await token({ oid: undefined })))).reason, 'verification');
  });

  it('members-only refuses guests (acct 1) and tokens without acct, and accepts members', async () => {
    assert.equal((await failure(membersOnly(await token({ acct: 1 })))).code, 'ENTRA_GUEST_NOT_ALLOWED');
    assert.equal((await failure(membersOnly(await token({ acct: undefined })))).code, 'ENTRA_GUEST_NOT_ALLOWED');
    assert.equal((await membersOnly(await token({ acct: 0 }))).sub, 'oid-alice');
    assert.equal((await verify(await token({ acct: 1 }))).sub, 'oid-alice', 'guests are accepted unless members-only');
  });

  it('group overage fails closed without a directory and takes the groups from one that resolves them', async () => {
    const overage = await token({ groups: undefined, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/oid-alice/getMemberObjects' } } });
    assert.equal((await failure(verify(overage))).code, 'ENTRA_GROUPS_OVERAGE');
    assert.deepEqual((await withDirectory(overage)).groups, ['g-from-scim']);
  });

  it('refuses configurations that would open the perimeter', () => {
    const jwks = () => async () => key;
    assert.throws(() => createEntraVerifiers({ tenants: [], audience: API, jwks }), /at least one/);
    assert.throws(() => createEntraVerifiers({ tenants: [{ tenantId: 'common', org: 'acme' }], audience: API, jwks }), /not a tenant/);
    assert.throws(() => createEntraVerifiers({ tenants: [{ tenantId: 'organizations', org: 'acme' }], audience: API, jwks }), /not a tenant/);
    assert.throws(() => createEntraVerifiers({ tenants: [{ tenantId: ENTRA_CONSUMER_TENANT, org: 'acme' }], audience: API, jwks }), /consumer tenant/);
    assert.throws(() => createEntraVerifiers({ tenants: [{ tenantId: ACME_TID, org: 'acme' }], audience: '', jwks }), /audience/);
    assert.throws(() => createEntraVerifiers({ tenants: [{ tenantId: ACME_TID, org: 'acme' }], audience: API, jwks, algorithms: ['HS256'] }), /asymmetric/);
  });

  it('uses one issuer per tenant with a configurable authority base (the dev look-alike)', () => {
    const [verifier] = createEntraVerifiers({ tenants: [{ tenantId: ACME_TID, org: 'acme' }], audience: API, authorityBase: 'https://127.0.0.1:8443/entra/', jwks: () => async () => key });
    assert.equal(verifier!.issuer, `https://127.0.0.1:8443/entra/${ACME_TID}/v2.0`);
  });
});
