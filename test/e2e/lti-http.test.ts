/**
 * The whole launch over HTTP against the real demo and its LMS, without a browser (the carrier's
 * cookie sent by hand): course page → tool login initiation → LMS auth endpoint (its checks) →
 * `form_post` → launch → session token → renewal. Then NRPS: the renewal reads the roster through
 * the client-credentials grant with the tool's signed assertion and `Link: rel=next` paging; a
 * learner the roster marks Deleted or Inactive gets no new session token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { startTestDemo, type Demo } from '../support/demo.js';

let demo: Demo;

before(async () => {
  demo = await startTestDemo();
});

after(() => demo?.close());

function decode(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

function attribute(html: string, pattern: RegExp): string {
  const match = pattern.exec(html);
  assert.ok(match, `${pattern} in ${html.slice(0, 300)}`);
  return decode(match[1]!);
}

/** The LMS session cookie of a signed-in user. */
async function signIn(email: string): Promise<string> {
  const response = await fetch(`${demo.config.origin}/lms/login`, { method: 'POST', body: new URLSearchParams({ login: email, password: 'veil-demo', return: '/lms/' }), redirect: 'manual' });
  assert.equal(response.status, 303);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** Runs a launch from the course page on; returns the tool page's session token. */
async function launch(lmsCookie: string, path: string): Promise<string> {
  const course = await (await fetch(`${demo.config.origin}${path}`, { headers: { cookie: lmsCookie } })).text();
  const loginUrl = attribute(course, /<iframe title="[^"]*" src="([^"]+)"/);
  const login = await fetch(loginUrl);
  assert.equal(login.status, 200);
  const page = await login.text();
  const authUrl = new URL(attribute(page, /data-auth-url="([^"]+)"/));
  const binding = attribute(page, /data-binding="([^"]+)"/);
  const cookieName = attribute(page, /data-cookie-name="([^"]+)"/);
  // The auth endpoint, as the browser reaches it (the LMS origin is this same server).
  const auth = await (await fetch(`${demo.config.origin}${authUrl.pathname}${authUrl.search}`, { headers: { cookie: lmsCookie } })).text();
  const idToken = attribute(auth, /name="id_token" value="([^"]+)"/);
  const state = attribute(auth, /name="state" value="([^"]+)"/);
  const tool = await fetch(`${demo.config.origin}/lti/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookieName}=${binding}`, origin: demo.config.lmsOrigin },
    body: new URLSearchParams({ id_token: idToken, state }),
  });
  const html = await tool.text();
  assert.equal(tool.status, 200, html.slice(0, 500));
  return attribute(html, /<meta name="veil-lti-session" content="([^"]+)">/);
}

function renew(token: string): Promise<Response> {
  return fetch(`${demo.config.origin}/lti/session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
}

describe('LTI over HTTP with the demo LMS, and NRPS', () => {
  it('the LMS auth endpoint refuses an unregistered redirect URI with a page, never a redirect', async () => {
    const cookie = await signIn('student@school.test');
    const response = await fetch(`${demo.config.origin}/lms/auth?${new URLSearchParams({ client_id: 'veil-tool', redirect_uri: 'https://attacker.test/', state: 's', nonce: 'n', scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', login_hint: 'student' })}`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.doesNotMatch(await response.text(), /attacker\.test/);
  });

  it('a Moodle-style launch (numeric ids) yields a session bound to course c101, renewable while the learner is Active', async () => {
    const token = await launch(await signIn('student@school.test'), '/lms/courses/c101?variant=moodle');
    const claims = decodeJwt(token);
    assert.deepEqual({ lsub: claims.lsub, cid: claims.cid, dep: claims.dep, org: claims.org, role: claims.role }, { lsub: '102', cid: 'c101', dep: 'd1', org: 'acme', role: 'learner' });
    assert.match(String(claims.nrps), /\/lms\/nrps\/c101/);
    const renewed = await renew(token);
    assert.equal(renewed.status, 200);
  });

  it('a Brightspace-style launch renews: the demo registers its OAuth2 Audience as the authorization server', async () => {
    const token = await launch(await signIn('student@school.test'), '/lms/courses/c101?variant=brightspace');
    assert.match(String(decodeJwt(token).nrps), /variant=brightspace/);
    assert.equal((await renew(token)).status, 200);
  });

  for (const status of ['Deleted', 'Inactive'] as const) {
    it(`a learner the roster marks ${status} gets no new session token`, async () => {
      const token = await launch(await signIn('student@school.test'), '/lms/courses/c101?variant=canvas');
      assert.equal((await renew(token)).status, 200);
      demo.lms.setStatus('c101', 'student', status);
      try {
        const refused = await renew(token);
        assert.equal(refused.status, 401);
        assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'LTI_SESSION_INVALID');
        // The teacher (first page) still renews; the student was found on the second (paging followed).
        const teacher = await launch(await signIn('teacher@school.test'), '/lms/courses/c101?variant=canvas');
        assert.equal((await renew(teacher)).status, 200);
      } finally {
        demo.lms.setStatus('c101', 'student', 'Active');
      }
    });
  }

  it("an outsider's launch of c101's link copied into c202 is bound to c202", async () => {
    const token = await launch(await signIn('outsider@school.test'), '/lms/courses/c202?link=week1');
    assert.equal(decodeJwt(token).cid, 'c202');
  });

  it('the LMS refuses a non-member: no launch for c101 as outsider', async () => {
    const response = await fetch(`${demo.config.origin}/lms/courses/c101`, { headers: { cookie: await signIn('outsider@school.test') } });
    assert.equal(response.status, 403);
  });
});
