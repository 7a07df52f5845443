/** What every `LtiStore` must do with registrations: `ltiStoreContract('sqlite', async () => ({ lti, close }))`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { using } from './harness.js';
import type { LtiRegistration, LtiStore } from '../../../src/server/lti/store.js';

export type MakeLtiStore = () => Promise<{ lti: LtiStore; close(): Promise<void> }>;

export function sampleRegistration(clientId: string, extra: Partial<LtiRegistration> = {}): LtiRegistration {
  return {
    issuer: 'https://lms.example',
    clientId,
    authEndpoint: 'https://lms.example/auth',
    tokenEndpoint: 'https://lms.example/token',
    jwksUrl: 'https://lms.example/jwks',
    algorithms: ['RS256'],
    deployments: { d1: 'acme' },
    ...extra,
  };
}

export function ltiStoreContract(name: string, make: MakeLtiStore): void {
  describe(`LtiStore contract: ${name}`, () => {
    it('returns a registration as put, by issuer and client id, or by issuer alone when it is the only one', () =>
      using(make, async ({ lti }) => {
        const registration = sampleRegistration('c1', { deployments: { d1: 'acme', d2: 'globex' } });
        await lti.putRegistration(registration);
        assert.deepEqual(await lti.registration('https://lms.example', 'c1'), registration);
        assert.deepEqual(await lti.registration('https://lms.example'), registration);
        await lti.putRegistration(sampleRegistration('c2'));
        assert.equal(await lti.registration('https://lms.example'), undefined, 'two clients: the issuer alone is ambiguous');
        assert.deepEqual((await lti.registrations()).map((r) => r.clientId), ['c1', 'c2']);
      }));

    it('keeps the authorization server identifier (a URL or an opaque string), and a replacement without one clears it', () =>
      using(make, async ({ lti }) => {
        const withUrl = sampleRegistration('c1', { authorizationServer: 'https://api.brightspace.com/auth/token' });
        const opaque = sampleRegistration('c2', { authorizationServer: 'lms-audience-42' });
        await lti.putRegistration(withUrl);
        await lti.putRegistration(opaque);
        assert.deepEqual(await lti.registration('https://lms.example', 'c1'), withUrl);
        assert.deepEqual(await lti.registration('https://lms.example', 'c2'), opaque);
        await lti.putRegistration(sampleRegistration('c1'));
        const replaced = await lti.registration('https://lms.example', 'c1');
        assert.equal(replaced?.authorizationServer, undefined);
        assert.deepEqual(replaced, sampleRegistration('c1'));
      }));
  });
}
