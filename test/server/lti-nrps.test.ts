/**
 * NRPS against the demo LMS's Brightspace variant, whose roster takes only access tokens granted
 * for its OAuth2 Audience: with the registration's `authorizationServer` set the client
 * assertion's `aud` is that identifier and the roster answers; without it `aud` is the token
 * endpoint URL (right for Canvas, Moodle, Blackboard) and Brightspace refuses. The tool's real key
 * ring signs; the LMS verifies against the tool's JWKS over HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createDemoLms } from '../../demo/lms/lms.js';
import { createNrpsClient } from '../../src/server/lti/nrps.js';
import { authorizationServerProblem } from '../../src/server/lti/registration.js';
import type { LtiRegistration } from '../../src/server/lti/store.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';

const LMS_ORIGIN = 'https://lms.test';
let storage: TestStorage;
let jwksServer: Server;
let lms: Awaited<ReturnType<typeof createDemoLms>>;
/** Every client assertion the tool sent, decoded. */
const assertions: Array<Record<string, unknown>> = [];

before(async () => {
  storage = await openTestStorage();
  jwksServer = createServer((_request, response) => {
    void storage.ltiToolKeys.publicJwks().then((keys) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const toolOrigin = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  lms = await createDemoLms({ origin: LMS_ORIGIN, toolOrigin, clientId: 'veil-tool', deploymentId: 'd1' });
});

after(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
  await storage.close();
});

function client() {
  return createNrpsClient({
    toolKeys: storage.ltiToolKeys,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (request.url.endsWith('/lms/token')) assertions.push(decodeJwt(new URLSearchParams(await request.clone().text()).get('client_assertion')!));
      return lms.fetch(request);
    },
  });
}

function registration(authorizationServer?: string): LtiRegistration {
  const { authorizationServer: _listed, ...rest } = lms.registration;
  return { ...rest, jwksUrl: `${LMS_ORIGIN}/lms/jwks`, ...(authorizationServer === undefined ? {} : { authorizationServer }) };
}

const roster = (variant: string) => `${LMS_ORIGIN}/lms/nrps/c101?variant=${variant}`;

describe('NRPS and the authorization server identifier', () => {
  it('Brightspace: with the OAuth2 Audience registered, the assertion names it and the roster answers (paging to the student)', async () => {
    assertions.length = 0;
    const nrps = client();
    assert.equal(await nrps.isActiveMember(registration(lms.audience), roster('brightspace'), 'student'), true);
    assert.equal(assertions.length, 1);
    assert.equal(assertions[0]!.aud, lms.audience);
    lms.setStatus('c101', 'student', 'Deleted');
    try {
      assert.equal(await nrps.isActiveMember(registration(lms.audience), roster('brightspace'), 'student'), false);
    } finally {
      lms.setStatus('c101', 'student', 'Active');
    }
  });

  it('Brightspace without it: the assertion names the token endpoint and the roster refuses the token', async () => {
    assertions.length = 0;
    await assert.rejects(client().isActiveMember(registration(), roster('brightspace'), 'student'), /membership service answered 401/);
    assert.equal(assertions[0]!.aud, `${LMS_ORIGIN}/lms/token`);
  });

  it('other platforms without it: the token endpoint as `aud`, as before', async () => {
    assertions.length = 0;
    assert.equal(await client().isActiveMember(registration(), roster('canvas'), 'student'), true);
    assert.equal(assertions[0]!.aud, `${LMS_ORIGIN}/lms/token`);
  });

  it('an identifier the token endpoint does not know is refused there (invalid_client)', async () => {
    await assert.rejects(client().isActiveMember(registration('https://elsewhere.test/aud'), roster('brightspace'), 'student'), /token endpoint answered 400/);
  });
});

describe('authorizationServerProblem', () => {
  for (const good of ['https://api.brightspace.com/auth/token', 'http://localhost:8080/lms/oauth2-audience', 'lms-audience-42']) {
    it(`takes ${good}`, () => assert.equal(authorizationServerProblem(good), undefined));
  }
  for (const bad of ['', 'javascript:alert(1)', 'urn:example:aud', 'https://a.test/ x', 'https://a.test/\n', 'a'.repeat(2049)]) {
    it(`refuses ${JSON.stringify(bad.slice(0, 30))}`, () => assert.match(authorizationServerProblem(bad) ?? '', /must/));
  }
});
