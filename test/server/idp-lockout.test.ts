/**
 * The dev IdP's account lockout over real HTTP (issue 10: 50 wrong passwords for one account,
 * then the right one, signed in). After 5 wrong passwords within 15 min a login is locked for
 * 15 min; the answer is the same for unknown logins; other accounts are unaffected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertCspSafePage, Browser, startAuthorization, startIdpServer, type IdpServer } from '../support/idp.js';

const LOCKED = /^Too many failed sign-in attempts: this account is locked\. Try again in (\d+) minutes?\.$/;
const REFUSED = 'Incorrect email or password.';

interface Attempt {
  status: number;
  error: string | undefined;
  retryAfter: string | null;
  location: string | null;
  body: string;
  ms: number;
}

/** Opens a sign-in form; returns its browser and the form's action. */
async function signInForm(env: IdpServer): Promise<{ browser: Browser; action: string }> {
  const browser = new Browser();
  const auth = await startAuthorization(env, browser);
  assert.equal(auth.response.status, 303);
  const interactionUrl = new URL(auth.response.headers.get('location') ?? '', auth.url).href;
  await auth.response.arrayBuffer();
  const html = await (await browser.fetch(interactionUrl)).text();
  return { browser, action: new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', interactionUrl).href };
}

async function attempt(form: { browser: Browser; action: string }, login: string, password: string): Promise<Attempt> {
  const started = performance.now();
  const response = await form.browser.postForm(form.action, { login, password });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 303) assertCspSafePage(response, body);
  return {
    status: response.status,
    error: /<p class="error" role="alert">([^<]*)<\/p>/.exec(body)?.[1]?.replace(/&#39;/g, "'"),
    retryAfter: response.headers.get('retry-after'),
    location: response.headers.get('location'),
    body,
    ms,
  };
}

/** Signs in with the right password on a fresh form and follows the redirects to a code. */
async function signsIn(env: IdpServer, login: string): Promise<boolean> {
  const form = await signInForm(env);
  const response = await form.browser.postForm(form.action, { login, password: 'veil-demo' });
  if (response.status !== 303) return false;
  const result = await form.browser.follow(response, form.action, env.redirectUri);
  return Boolean(result.location?.searchParams.get('code'));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('dev IdP account lockout (default: 5 wrong passwords within 15 min lock for 15 min)', () => {
  let env: IdpServer;

  before(async () => {
    env = await startIdpServer();
  });

  after(async () => {
    await env.close();
  });

  it('refuses the right password after 50 wrong ones, with a lockout message; another account is unaffected', async () => {
    const form = await signInForm(env);
    const attempts: Attempt[] = [];
    for (let i = 0; i < 50; i++) attempts.push(await attempt(form, 'bob@acme.test', `wrong-${i}`));

    // Four plain refusals, then the fifth wrong password locks the account.
    assert.deepEqual(attempts.map((a) => a.status), [...Array(4).fill(401), ...Array(46).fill(429)]);
    for (const a of attempts.slice(0, 4)) assert.equal(a.error, REFUSED);
    for (const a of attempts.slice(4)) {
      assert.match(a.error ?? '', LOCKED);
      assert.equal(LOCKED.exec(a.error ?? '')?.[1], '15');
      assert.ok(Number(a.retryAfter) > 14 * 60 && Number(a.retryAfter) <= 15 * 60, `Retry-After ${a.retryAfter}`);
      assert.equal(a.location, null);
    }

    // The right password during the lock: refused the same way, on this form and on a new one,
    // whatever the login's case and spacing.
    const right = await attempt(form, 'bob@acme.test', 'veil-demo');
    assert.equal(right.status, 429);
    assert.match(right.error ?? '', LOCKED);
    assert.equal(right.location, null);
    assert.doesNotMatch(right.body, /code=/);
    const elsewhere = await attempt(await signInForm(env), ' BOB@acme.test', 'veil-demo');
    assert.equal(elsewhere.status, 429);
    assert.match(elsewhere.error ?? '', LOCKED);
    assert.equal(await signsIn(env, 'bob@acme.test'), false);

    // A different account signs in as usual.
    assert.equal(await signsIn(env, 'alice@acme.test'), true);
  });

  it('answers an unknown account exactly like a known one: same statuses, message and timing class', async () => {
    const form = await signInForm(env);
    const known: Attempt[] = [];
    const unknown: Attempt[] = [];
    // Interleaved, so both see the same load on the machine.
    for (let i = 0; i < 50; i++) {
      known.push(await attempt(form, 'mallory@globex.test', `wrong-${i}`));
      unknown.push(await attempt(form, 'eve@globex.test', `wrong-${i}`));
    }
    known.push(await attempt(form, 'mallory@globex.test', 'veil-demo'));
    unknown.push(await attempt(form, 'eve@globex.test', 'veil-demo'));

    assert.deepEqual(unknown.map((a) => a.status), known.map((a) => a.status));
    assert.deepEqual(unknown.map((a) => a.error), known.map((a) => a.error));
    assert.deepEqual(unknown.map((a) => a.retryAfter === null), known.map((a) => a.retryAfter === null));
    assert.match(unknown.at(-1)!.error ?? '', LOCKED);
    // The page differs in nothing but the login it echoes.
    const echoed = (body: string) => body.replace(/name="login" value="[^"]*"/, 'name="login" value="…"');
    for (let i = 0; i < known.length; i++) assert.equal(echoed(unknown[i]!.body), echoed(known[i]!.body));
    // Same work behind each answer: the medians of the locked answers are close (a lookup that
    // short-circuited unknown accounts, or a slow path only for real ones, would stand out).
    const knownMs = median(known.slice(5).map((a) => a.ms));
    const unknownMs = median(unknown.slice(5).map((a) => a.ms));
    assert.ok(Math.abs(knownMs - unknownMs) < Math.max(20, 0.5 * Math.max(knownMs, unknownMs)), `known ${knownMs.toFixed(1)} ms, unknown ${unknownMs.toFixed(1)} ms`);
  });
});

describe('dev IdP account lockout, configured (3 wrong passwords lock for 1 s)', () => {
  let env: IdpServer;

  before(async () => {
    env = await startIdpServer({ lockout: { maxFailures: 3, lockSeconds: 1 } });
  });

  after(async () => {
    await env.close();
  });

  it('locks at the configured count and lets the right password in once the lock has ended', async () => {
    const form = await signInForm(env);
    const attempts: Attempt[] = [];
    for (let i = 0; i < 3; i++) attempts.push(await attempt(form, 'alice@acme.test', `wrong-${i}`));
    assert.deepEqual(attempts.map((a) => a.status), [401, 401, 429]);
    assert.equal(LOCKED.exec(attempts[2]!.error ?? '')?.[1], '1');
    assert.equal(attempts[2]!.retryAfter, '1');
    assert.equal((await attempt(form, 'alice@acme.test', 'veil-demo')).status, 429);

    await sleep(1100); // the lock's own duration: nothing to wait on but the clock
    assert.equal(await signsIn(env, 'alice@acme.test'), true);
    // A successful sign-in starts the count afresh: one wrong password is a plain refusal again.
    assert.equal((await attempt(await signInForm(env), 'alice@acme.test', 'wrong')).status, 401);
  });
});
