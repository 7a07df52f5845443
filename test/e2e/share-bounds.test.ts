/**
 * What ends access while someone watches, and how a member asks for it, in real Chromium against
 * the real demo (its own instance, 5 s playback tokens): a grant that expires and a sharing policy
 * an admin tightens both end bob's player `denied` with `PLAYBACK_NOT_GRANTED` within one token
 * lifetime (plus a second of slack); carol's "Request access" reaches alice's dialog, where she
 * approves it; `/videos` offers Share only on what the viewer may share.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'puppeteer-core';
import { playerState, signInAndWatch, signInAt, storedAccessToken } from '../support/browser.js';
import { demoAndBrowser } from '../support/e2e.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TTL_SECONDS = 5;
const BOUND_MS = TTL_SECONDS * 1000 + 1000;
const VIDEO = 'sample-private';
const e2e = demoAndBrowser({ tokenTtlSeconds: TTL_SECONDS });

async function newPage(): Promise<Page> {
  return (await e2e.browser.createBrowserContext()).newPage();
}

/**
 * Calls a method of the page's `<veil-share-dialog>` (after `ready`). One `SHARE_CONFLICT` is
 * retried, as a person would: the demo's expiry sweep moves the access version on when it removes
 * an expired grant (the dialog reloaded the document when it got the 412).
 */
async function dialogCall(page: Page, method: string, ...args: unknown[]): Promise<void> {
  const failure = await page.evaluate(
    async (method, args) => {
      const dialog = document.querySelector('veil-share-dialog') as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> & { ready: Promise<void> };
      await dialog.ready;
      for (let attempt = 0; ; attempt++) {
        try {
          await dialog[method]!(...args);
          return undefined;
        } catch (error) {
          const code = (error as { code?: string }).code ?? String(error);
          if (code !== 'SHARE_CONFLICT' || attempt > 0) return code;
        }
      }
    },
    method,
    args,
  );
  assert.equal(failure, undefined, `${method} rejected`);
}

/** bob's `/watch` page, playing past its first second. */
async function bobPlaying(): Promise<Page> {
  const page = await newPage();
  await signInAndWatch(page, VIDEO, 'bob@acme.test', { origin: e2e.demo.config.origin });
  await playerState(page, ['paused']);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 30_000 });
  return page;
}

/** Waits until the player is `denied`; how long after `since` that was, and its error code. */
async function deniedAfter(page: Page, since: number): Promise<{ ms: number; code: string | null }> {
  assert.equal(await playerState(page, ['denied', 'error'], 30_000), 'denied');
  return { ms: Date.now() - since, code: await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')) };
}

async function putPolicy(page: Page, policy: unknown): Promise<{ status: number; body: { revoked?: { grants: number } } }> {
  const token = await storedAccessToken(page);
  const response = await fetch(`${e2e.demo.config.origin}/api/sharing-policy`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(policy) });
  return { status: response.status, body: (await response.json()) as { revoked?: { grants: number } } };
}

const OPEN_POLICY = { orgAccessAllowed: true, defaultExpiryDays: null, maxExpiryDays: null, editorsMayShare: true };

describe('sharing bounds while watching', () => {
  let alice: Page;
  before(async () => {
    alice = await newPage();
    await signInAt(alice, `/share?v=${VIDEO}`, 'alice@acme.test', { origin: e2e.demo.config.origin });
    await alice.waitForFunction(() => customElements.get('veil-share-dialog') !== undefined);
  });
  after(() => alice?.browserContext().close());

  it('a grant that expires while bob plays: denied with PLAYBACK_NOT_GRANTED within one token lifetime', async () => {
    await dialogCall(alice, 'grant', 'user:bob@acme.test', 'viewer');
    const bob = await bobPlaying();
    try {
      const expiresAt = Date.now() + 2000;
      await dialogCall(alice, 'grant', 'user:bob@acme.test', 'viewer', { expiresAt });
      const { ms, code } = await deniedAfter(bob, expiresAt);
      console.log(`share expiry: bob's player denied ${ms} ms after the grant expired (token lifetime ${TTL_SECONDS * 1000} ms)`);
      assert.ok(ms <= BOUND_MS, `denied ${ms} ms after the expiry`);
      assert.equal(code, 'PLAYBACK_NOT_GRANTED');
    } finally {
      await bob.browserContext().close();
    }
  });

  it('a sharing policy tightened by an admin while bob plays: his unbounded grant is revoked, denied within one token lifetime', async () => {
    await dialogCall(alice, 'grant', 'user:bob@acme.test', 'viewer', { expiresAt: null });
    const bob = await bobPlaying();
    try {
      const tightenedAt = Date.now();
      const saved = await putPolicy(alice, { ...OPEN_POLICY, defaultExpiryDays: 7, maxExpiryDays: 30 });
      assert.equal(saved.status, 200);
      // Tightening applies to the whole org: bob's grant and the demo's one other unbounded grant
      // (sample-course to the LTI course c101) are revoked.
      assert.equal(saved.body.revoked?.grants, 2);
      const { ms, code } = await deniedAfter(bob, tightenedAt);
      console.log(`share policy: bob's player denied ${ms} ms after the policy was tightened (token lifetime ${TTL_SECONDS * 1000} ms)`);
      assert.ok(ms <= BOUND_MS, `denied ${ms} ms after the policy change`);
      assert.equal(code, 'PLAYBACK_NOT_GRANTED');
    } finally {
      await bob.browserContext().close();
      assert.equal((await putPolicy(alice, OPEN_POLICY)).status, 200);
    }
  });

  it('carol asks from her player; alice sees the request in the dialog (axe clean), approves, and carol plays', async () => {
    const carol = await newPage();
    try {
      await signInAndWatch(carol, VIDEO, 'carol@acme.test', { origin: e2e.demo.config.origin });
      assert.equal(await playerState(carol, ['denied', 'paused', 'playing']), 'denied');
      const message = await carol.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="message"]')!.textContent!);
      assert.doesNotMatch(message, /Private|Alice|alice/, 'nothing about the video');
      await carol.evaluate(() => (document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="request-access"]') as HTMLButtonElement).click());
      await carol.waitForFunction(() => /Access requested/.test(document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="message"]')!.textContent!));

      await alice.reload();
      await alice.waitForFunction(() => (document.querySelector('veil-share-dialog') as unknown as { requests: unknown[] } | null)?.requests.length === 1, { timeout: 30_000 });
      await alice.waitForFunction(() => document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('[part="request"]') !== null);
      await alice.evaluate(AXE_SOURCE);
      const violations = await alice.evaluate(async () => {
        const result = await (window as unknown as { axe: { run(context: unknown): Promise<{ violations: Array<{ id: string }> }> } }).axe.run(document);
        return result.violations.map((v) => v.id);
      });
      assert.deepEqual(violations, [], 'axe with a pending request');
      // The dialog's own controls: Approve, then Save (one batch).
      await alice.evaluate(() => (document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('button[aria-label="Approve Carol Example as viewer"]') as HTMLButtonElement).click());
      await alice.evaluate(() => (document.querySelector('veil-share-dialog')!.shadowRoot!.querySelector('button.primary') as HTMLButtonElement).click());
      await alice.waitForFunction(() => {
        const dialog = document.querySelector('veil-share-dialog') as unknown as { requests: unknown[]; grants: Array<{ principal: string }> };
        return dialog.requests.length === 0 && dialog.grants.some((grant) => grant.principal === 'user:carol@acme.test');
      });

      await carol.reload();
      assert.equal(await playerState(carol, ['denied', 'paused', 'playing']), 'paused');
    } finally {
      await carol.browserContext().close();
    }
  });

  it('/videos: Share on what the viewer may share opens the dialog for that video; none on what they only watch', async () => {
    const page = await newPage();
    try {
      await signInAt(page, '/videos', 'alice@acme.test', { origin: e2e.demo.config.origin });
      await page.waitForSelector(`li[data-video-id="${VIDEO}"] button.share`);
      await page.click(`li[data-video-id="${VIDEO}"] button.share`);
      await page.waitForFunction((video) => {
        const dialog = document.querySelector('veil-share-dialog');
        return dialog?.getAttribute('video') === video && dialog.shadowRoot!.querySelector('dialog')?.open === true;
      }, {}, VIDEO);
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('veil-share-dialog')!.hasAttribute('open'));
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Share Private sample (CENC DASH)', 'focus back on the opener');
    } finally {
      await page.browserContext().close();
    }
    const carol = await newPage();
    try {
      // sample-dash is open to everyone in acme: carol watches it, and may not share it.
      await signInAt(carol, '/videos', 'carol@acme.test', { origin: e2e.demo.config.origin });
      await carol.waitForSelector('li[data-video-id="sample-dash"][data-role="viewer"]');
      assert.equal(await carol.$$eval('button.share', (buttons) => buttons.length), 0, 'carol (viewer) gets no Share button');
    } finally {
      await carol.browserContext().close();
    }
  });
});
