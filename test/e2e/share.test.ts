/**
 * Sharing in real Chromium against the real demo (its own instance, 5 s playback tokens): the
 * `<veil-share-dialog>` JS API on `/share?v=`, what a grant and a revocation do to playback, the
 * org boundary, who may share, concurrent saves, and the keyboard-only dialog flow.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import type { Page } from 'puppeteer-core';
import { playerState, signInAndWatch, signInAt } from '../support/browser.js';
import { demoAndBrowser } from '../support/e2e.js';
import { setGeneralAccess } from '../support/access.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TTL_SECONDS = 5;
const VIDEO = 'sample-private';
const e2e = demoAndBrowser({ tokenTtlSeconds: TTL_SECONDS });

async function newPage(): Promise<Page> {
  return (await e2e.browser.createBrowserContext()).newPage();
}

/** A signed-in `/share?v=` page for `login`, its dialog defined. */
async function sharePage(login: string, videoId = VIDEO): Promise<Page> {
  const page = await newPage();
  await signInAt(page, `/share?v=${videoId}`, login, { origin: e2e.demo.config.origin });
  await page.waitForFunction(() => customElements.get('veil-share-dialog') !== undefined);
  return page;
}

type Outcome = { ok: true; value: unknown; grants: unknown; generalAccess: unknown } | { ok: false; code: string };

/** Calls a JS API method of the page's (first, or `index`th) dialog; a rejection's code comes back. */
function api(page: Page, method: string, args: unknown[] = [], index = 0): Promise<Outcome> {
  return page.evaluate(
    async (method, args, index) => {
      const dialog = document.querySelectorAll('veil-share-dialog')[index] as unknown as Record<string, unknown> & { grants: unknown; generalAccess: unknown };
      try {
        const value = method === 'ready' ? await dialog.ready : await (dialog[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        return { ok: true as const, value, grants: dialog.grants, generalAccess: dialog.generalAccess };
      } catch (error) {
        return { ok: false as const, code: (error as { code?: string }).code ?? String(error) };
      }
    },
    method,
    args,
    index,
  );
}

function ok(outcome: Outcome): Extract<Outcome, { ok: true }> {
  assert.ok(outcome.ok, `rejected: ${JSON.stringify(outcome)}`);
  return outcome;
}

async function watch(login: string): Promise<Page> {
  const page = await newPage();
  await signInAndWatch(page, VIDEO, login, { origin: e2e.demo.config.origin });
  return page;
}

async function errorCode(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code'));
}

describe('sharing sample-private', () => {
  let alice: Page;
  before(async () => {
    alice = await sharePage('alice@acme.test');
    ok(await api(alice, 'ready'));
  });

  it('alice starts restricted with no grants; bob is refused; she finds and adds bob, who plays at once', async () => {
    const ready = ok(await api(alice, 'ready'));
    assert.deepEqual(ready.grants, []);
    assert.equal(ready.generalAccess, 'restricted');
    const before = await watch('bob@acme.test');
    assert.equal(await playerState(before, ['denied', 'paused', 'playing']), 'denied');
    assert.equal(await errorCode(before), 'PLAYBACK_NOT_GRANTED');
    await before.browserContext().close();

    const found = ok(await api(alice, 'search', ['bo']));
    assert.deepEqual(found.value, [{ principal: 'user:bob@acme.test', displayName: 'Bob Example', kind: 'user' }]);
    const expiresAt = Date.now() + 30 * 24 * 60 * 60 * 1000;
    const granted = ok(await api(alice, 'grant', ['user:bob@acme.test', 'viewer', { expiresAt }]));
    assert.deepEqual(granted.grants, [{ principal: 'user:bob@acme.test', role: 'viewer', expiresAt }]);

    const bob = await watch('bob@acme.test');
    assert.equal(await playerState(bob, ['denied', 'paused', 'playing']), 'paused');
    await bob.browserContext().close();
  });

  it('a revocation while bob plays: denied with PLAYBACK_NOT_GRANTED within 6 s; no key or license for his token after', async () => {
    ok(await api(alice, 'grant', ['user:bob@acme.test', 'viewer']));
    const bob = await watch('bob@acme.test');
    let playbackToken = '';
    const licenseAfterRevocation: number[] = [];
    let revokedAt = Number.POSITIVE_INFINITY;
    bob.on('request', (request) => {
      const authorization = request.headers().authorization;
      if (authorization && new URL(request.url()).pathname.startsWith('/media/')) playbackToken = authorization.replace(/^Bearer /, '');
    });
    bob.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if ((path.startsWith('/api/license/') || path.startsWith('/api/keys/')) && Date.now() >= revokedAt) licenseAfterRevocation.push(response.status());
    });
    try {
      await playerState(bob, ['paused']);
      await bob.evaluate(() => document.querySelector('veil-player')!.play());
      await bob.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 30_000 });

      ok(await api(alice, 'revoke', ['user:bob@acme.test']));
      revokedAt = Date.now();
      assert.equal(await playerState(bob, ['denied', 'error'], 30_000), 'denied');
      const stoppedAfter = Date.now() - revokedAt;
      console.log(`share revocation: bob's player denied ${stoppedAfter} ms after the revocation (token lifetime ${TTL_SECONDS * 1000} ms)`);
      assert.ok(stoppedAfter <= 6000, `stopped after ${stoppedAfter} ms`);
      assert.equal(await errorCode(bob), 'PLAYBACK_NOT_GRANTED');
      assert.ok(licenseAfterRevocation.every((status) => status !== 200), `license/key served after revocation: ${licenseAfterRevocation}`);

      // The last playback token bob held, presented again right away: no license for it.
      assert.ok(playbackToken, 'captured a playback token');
      const license = await fetch(`${e2e.demo.config.origin}/api/license/${VIDEO}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${playbackToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kids: ['AAAAAAAAAAAAAAAAAAAAAA'] }),
      });
      const body = (await license.json()) as { error: { code: string } };
      assert.ok([401, 403].includes(license.status), `license status ${license.status}`);
      assert.ok(['PLAYBACK_NOT_GRANTED', 'PLAYBACK_TOKEN_EXPIRED'].includes(body.error.code), body.error.code);
    } finally {
      await bob.browserContext().close();
    }
  });

  it('a grant to group acme-staff: bob plays, carol (not in the group) is refused', async () => {
    ok(await api(alice, 'grant', ['group:acme-staff', 'viewer']));
    try {
      const carol = await watch('carol@acme.test');
      assert.equal(await playerState(carol, ['denied', 'paused', 'playing']), 'denied');
      assert.equal(await errorCode(carol), 'PLAYBACK_NOT_GRANTED');
      await carol.browserContext().close();
      const bob = await watch('bob@acme.test');
      assert.equal(await playerState(bob, ['denied', 'paused', 'playing']), 'paused');
      await bob.browserContext().close();
    } finally {
      ok(await api(alice, 'revoke', ['group:acme-staff']));
    }
  });

  it('alice cannot grant mallory (SHARE_OUTSIDE_ORG), nor anyone by a public principal', async () => {
    assert.deepEqual(await api(alice, 'grant', ['user:mallory@globex.test', 'viewer']), { ok: false, code: 'SHARE_OUTSIDE_ORG' });
    assert.deepEqual(await api(alice, 'grant', ['anyone', 'viewer']), { ok: false, code: 'BAD_REQUEST' });
    assert.deepEqual(ok(await api(alice, 'ready')).grants, []);
  });

  it('bob (a viewer) cannot change grants or search: SHARE_NOT_ALLOWED', async () => {
    ok(await api(alice, 'grant', ['user:bob@acme.test', 'viewer']));
    const bob = await sharePage('bob@acme.test');
    try {
      assert.deepEqual(await api(bob, 'ready'), { ok: false, code: 'SHARE_NOT_ALLOWED' });
      assert.deepEqual(await api(bob, 'grant', ['user:carol@acme.test', 'viewer']), { ok: false, code: 'SHARE_NOT_ALLOWED' });
      assert.deepEqual(await api(bob, 'search', ['ca']), { ok: false, code: 'SHARE_NOT_ALLOWED' });
      assert.equal(await bob.evaluate(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('dialog')), null, 'no dialog for him');
    } finally {
      await bob.browserContext().close();
      ok(await api(alice, 'revoke', ['user:bob@acme.test']));
    }
  });

  it('mallory gets PERIMETER_DENIED and nothing: no access or directory request leaves her page', async () => {
    const page = await newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    try {
      await signInAt(page, `/share?v=${VIDEO}`, 'mallory@globex.test', { origin: e2e.demo.config.origin });
      await page.waitForFunction(() => customElements.get('veil-share-dialog') !== undefined);
      assert.deepEqual(await api(page, 'ready'), { ok: false, code: 'PERIMETER_DENIED' });
      assert.deepEqual(await api(page, 'search', ['al']), { ok: false, code: 'PERIMETER_DENIED' });
      assert.deepEqual(await api(page, 'grant', ['user:mallory@globex.test', 'viewer']), { ok: false, code: 'PERIMETER_DENIED' });
      assert.deepEqual(requests.filter((path) => path.startsWith('/api/videos/') || path.startsWith('/api/directory/')), []);
    } finally {
      await page.browserContext().close();
    }
  });

  it('two dialogs saving over the same version: one succeeds, one gets SHARE_CONFLICT, and its retry loses nothing', async () => {
    await alice.evaluate((video) => {
      const second = document.createElement('veil-share-dialog');
      second.setAttribute('video', video);
      document.querySelector('veil-session')!.append(second);
    }, VIDEO);
    ok(await api(alice, 'ready', [], 1));
    const [first, second] = await alice.evaluate(async () => {
      const [a, b] = [...document.querySelectorAll('veil-share-dialog')];
      const settled = await Promise.allSettled([a!.grant('user:carol@acme.test', 'viewer'), b!.grant('user:bob@acme.test', 'editor')]);
      return settled.map((result) => (result.status === 'fulfilled' ? 'saved' : (result.reason as { code: string }).code));
    });
    assert.deepEqual([first, second].sort(), ['SHARE_CONFLICT', 'saved']);
    const loser = first === 'SHARE_CONFLICT' ? 0 : 1;
    const retry = loser === 0 ? ['user:carol@acme.test', 'viewer'] : ['user:bob@acme.test', 'editor'];
    const after = ok(await api(alice, 'grant', retry, loser));
    assert.deepEqual((after.grants as Array<{ principal: string }>).map((g) => g.principal), ['user:bob@acme.test', 'user:carol@acme.test']);
    ok(await api(alice, 'revoke', ['user:bob@acme.test'], loser));
    ok(await api(alice, 'revoke', ['user:carol@acme.test'], loser));
    await alice.evaluate(() => document.querySelectorAll('veil-share-dialog')[1]!.remove());
  });

  it('keyboard only: close, reopen, search, add, role, expiry, save, remove, save; focus back on the opener; axe clean throughout', async () => {
    const page = await sharePage('alice@acme.test');
    ok(await api(page, 'ready'));
    await page.evaluate(AXE_SOURCE);
    /** The focused element (through shadow roots) as `tag#id[aria-label]` and its text. */
    const focused = () =>
      page.evaluate(() => {
        let active = document.activeElement;
        while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
        if (!active) return '';
        const label = active.getAttribute('aria-label');
        return `${active.tagName.toLowerCase()}#${active.id}${label ? `[${label}]` : ''} ${active.textContent?.trim() ?? ''}`;
      });
    /** Presses Tab (or Shift+Tab) until the focused element matches. */
    const tabTo = async (pattern: RegExp, backwards = false) => {
      for (let i = 0; i < 25; i++) {
        if (pattern.test(await focused())) return;
        if (backwards) await page.keyboard.down('Shift');
        await page.keyboard.press('Tab');
        if (backwards) await page.keyboard.up('Shift');
      }
      assert.fail(`never reached ${pattern} (at ${await focused()})`);
    };
    const live = () => page.evaluate(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim());
    const axe = async (state: string) => {
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run(context: unknown): Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe.run(document);
        return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      assert.deepEqual(violations, [], `axe in state "${state}"`);
    };
    try {
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('dialog')?.open === true);
      assert.match(await focused(), /^input#people/, 'focus moved into the dialog');
      await axe('open');
      // Escape closes (no host vetoes); an opener on the page reopens it with Enter.
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('veil-share-dialog')!.hasAttribute('open'));
      await page.evaluate(() => {
        const opener = document.createElement('button');
        opener.id = 'opener';
        opener.textContent = 'Share';
        opener.addEventListener('click', () => document.querySelector('veil-share-dialog')!.show());
        document.querySelector('main')!.prepend(opener);
      });
      await tabTo(/^button#opener/);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('dialog')?.open === true);
      assert.match(await focused(), /^input#people/);

      await page.keyboard.type('zz');
      await page.waitForFunction(() => /No one found/.test(document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('[role="status"]')!.textContent!));
      await axe('no results');
      for (let i = 0; i < 2; i++) await page.keyboard.press('Backspace');
      await page.keyboard.type('bo');
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('input#people')!.getAttribute('aria-expanded') === 'true');
      assert.equal(await live(), '1 result');
      await axe('listbox expanded');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('input#people')!.getAttribute('aria-activedescendant')), 'option-0');
      await page.keyboard.press('Enter');
      assert.equal(await live(), 'Added Bob Example as viewer');

      await tabTo(/^select#role-0/);
      await page.keyboard.press('ArrowDown'); // Viewer → Editor
      await tabTo(/^input#expiry-0/);
      // Typed in the order the browser's locale shows the date's fields (month/day/year or another).
      const until = new Date(Date.now() + 10 * 24 * 60 * 60 * 1000);
      const order = await page.evaluate(() => new Intl.DateTimeFormat(navigator.language).formatToParts(new Date()).map((part) => part.type).filter((type) => ['day', 'month', 'year'].includes(type)));
      const fields: Record<string, string> = { day: String(until.getDate()).padStart(2, '0'), month: String(until.getMonth() + 1).padStart(2, '0'), year: String(until.getFullYear()) };
      await page.keyboard.type(order.map((field) => fields[field]).join(''));
      await tabTo(/^button# Save$/);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.grants.length === 1);
      const expectedExpiry = new Date(until.getFullYear(), until.getMonth(), until.getDate() + 1).getTime();
      assert.deepEqual(ok(await api(page, 'ready')).grants, [{ principal: 'user:bob@acme.test', role: 'editor', expiresAt: expectedExpiry }]);
      assert.equal(await live(), 'Saved');

      await tabTo(/\[Remove Bob Example\]/, true);
      await page.keyboard.press('Enter');
      assert.equal(await live(), 'Removed Bob Example');
      await tabTo(/^input#people/);
      assert.equal(await page.evaluate(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('dialog')!.open), true);
      await tabTo(/^button# Save$/);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.grants.length === 0);

      // General access `org`, chosen with the arrow keys in the radio group, then a save that
      // meets someone else's edit: the error is shown (and the edit stays staged).
      await tabTo(/^input# $/, true); // back from Save: Cancel, then the checked radio
      assert.match(await page.evaluate(() => (document.querySelector('veil-share-dialog')!.shadowRoot!.activeElement as HTMLInputElement).value), /^restricted$/);
      await page.keyboard.press('ArrowDown');
      await axe('general access org');
      await setGeneralAccess(e2e.demo.grants, VIDEO, 'restricted'); // another save moves the version on
      await tabTo(/^button# Save$/);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('[role="alert"]') !== null);
      await axe('error');
      assert.equal(ok(await api(page, 'ready')).generalAccess, 'restricted', 'the conflicting save wrote nothing');

      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('veil-share-dialog')!.hasAttribute('open'));
      assert.match(await focused(), /^button#opener/, 'focus returned to the opener');
    } finally {
      await page.browserContext().close();
    }
  });
});
