/**
 * The audit trail end to end, in real Chromium against a demo server of this test's own (its own
 * SQLite file, and a switch that takes the ingest down): events survive an offline close and a
 * server outage, are stored exactly once and in sequence, and the `/audit` page shows them to an
 * org admin only. Also measures the request rate of steady playback.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { demoConfig } from '../../demo/config.js';
import { startDemo } from '../../demo/server.js';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import type { AuditRecord } from '../../src/server/audit/store.js';
import { DEV_PASSWORD, launchChromium, playerState, storedAccessToken, watchCsp } from '../support/browser.js';

interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  actor: string;
  video: string | null;
  playerSession: string;
  playerSeq: number;
}
interface SeenEvent {
  id: string;
  type: string;
  session: string;
  seq: number;
}

let browser: Browser;
let demo: Awaited<ReturnType<typeof startDemo>>;
let origin: string;
let dir: string;
/** While true the ingest answers 503, as a server that is down would. */
let ingestDown = false;
const ingest = { attempts: 0, refused: 0, log: [] as Array<{ at: number; bytes: number; type: string }> };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-audit-e2e-'));
  const config = { ...demoConfig({ port: 0, dataDir: join(dir, 'data') }), auditDb: join(dir, 'audit.sqlite') };
  demo = await startDemo(config, {
    wrapService: (service) => async (request) => {
      if (request.method === 'POST' && new URL(request.url).pathname === '/api/audit/events') {
        ingest.attempts += 1;
        ingest.log.push({ at: Date.now(), bytes: Number(request.headers.get('content-length') ?? 0), type: request.headers.get('content-type') ?? '' });
        if (ingestDown) {
          ingest.refused += 1;
          return new Response('{"error":{"code":"SERVER_ERROR"}}', { status: 503, headers: { 'content-type': 'application/json' } });
        }
      }
      return service(request);
    },
  });
  origin = demo.config.origin;
  browser = await launchChromium();
});

// A test that fails while the ingest is down must not leave it down for the tests after it.
afterEach(() => {
  ingestDown = false;
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A page that reports every `veil-audit` event it sees, across navigations. */
async function auditedPage(context: BrowserContext, seen: SeenEvent[]): Promise<Page> {
  const page = await context.newPage();
  await page.exposeFunction('__veilAuditSeen', (event: SeenEvent) => void seen.push(event));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('veil-audit', (event) => {
      const { id, type, session, seq } = (event as CustomEvent<SeenEvent>).detail;
      (window as unknown as { __veilAuditSeen: (e: SeenEvent) => void }).__veilAuditSeen({ id, type, session, seq });
    });
  });
  return page;
}

/** Opens `path`; signs in at the dev IdP if it asks (it does not when its session cookie is still there). */
async function open(page: Page, path: string, login: string): Promise<void> {
  // Sign-in is the way in, not what this file tests: one more attempt when a loaded machine loses
  // it (seen twice in full runs, never alone), saying where the page got stuck the first time.
  try {
    await signInOnce(page, path, login);
  } catch (error) {
    const text = await page.evaluate(() => document.body?.innerText.replace(/\s+/g, ' ').slice(0, 240)).catch(() => '?');
    console.warn(`${login} never came back to ${path} (page at ${page.url()}, showing "${text}"): ${(error as Error).message}; trying once more`);
    await signInOnce(page, path, login);
  }
}

async function signInOnce(page: Page, path: string, login: string): Promise<void> {
  await page.goto(`${origin}${path}`);
  // This file's tests run side by side, each in its own page: only one page has focus and the
  // others may be hidden, where requestAnimationFrame (puppeteer's default polling) does not run
  // and typed keys can go astray. So: poll by timer, fill the form through the DOM.
  // Back means signed in on that page — not merely on its URL: an auto-sign-in page sits at its own
  // URL, loaded and signed out, until oidc-client-ts (a lazy chunk) has started the redirect; taking
  // that for "back" left the page on the sign-in form the helper then never filled.
  const back = (p: string) => location.pathname === p && !location.search.includes('code=') && document.querySelector('veil-session')?.getAttribute('status') === 'signed-in';
  const first = await page.waitForFunction((p: string) => document.querySelector('input[name="login"]') ? 'login' : location.pathname === p && !location.search.includes('code=') && document.querySelector('veil-session')?.getAttribute('status') === 'signed-in' ? 'back' : false, { timeout: 30_000, polling: 100 }, new URL(path, origin).pathname);
  if ((await first.jsonValue()) === 'login') {
    await Promise.all([
      page.waitForNavigation(),
      page.evaluate((name: string, password: string) => {
        // No helper function in here: tsx would wrap it in a `__name` call the page does not have.
        const form = document.querySelector<HTMLInputElement>('input[name="login"]')!.form!;
        (form.elements.namedItem('login') as HTMLInputElement).value = name;
        (form.elements.namedItem('password') as HTMLInputElement).value = password;
        form.requestSubmit();
      }, login, DEV_PASSWORD),
    ]);
  }
  await page.waitForFunction(back, { timeout: 30_000, polling: 100 }, new URL(path, origin).pathname);
}

async function trail(adminToken: string, query = ''): Promise<StoredEvent[]> {
  const response = await fetch(`${origin}/api/audit/events?limit=10000${query}`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

/** Polls the trail until every id in `ids` is stored (the store has no change notification). */
async function waitStored(adminToken: string, ids: string[], timeoutMs = 90_000): Promise<StoredEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await trail(adminToken);
    const stored = new Set(events.map((e) => e.id));
    if (ids.every((id) => stored.has(id))) return events;
    if (Date.now() > deadline) assert.fail(`not stored after ${timeoutMs} ms: ${ids.filter((id) => !stored.has(id)).length} of ${ids.length}`);
    // Delivery usually lands within a few hundred ms: look again soon rather than a second later.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every event seen by the pages is stored exactly once, and each session's sequence has no gap. */
function assertExactlyOnceInSequence(stored: StoredEvent[], seen: readonly SeenEvent[]): void {
  const counts = new Map<string, number>();
  for (const event of stored) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  for (const event of seen) assert.equal(counts.get(event.id), 1, `${event.type} #${event.seq} stored once`);
  for (const session of new Set(seen.map((e) => e.session))) {
    const seqs = stored.filter((e) => e.playerSession === session).map((e) => e.playerSeq).sort((a, b) => a - b);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `session ${session} has no gap`);
    assert.equal(seqs.length, seen.filter((e) => e.session === session).length);
  }
}

const VIDEO = `document.querySelector('veil-player').shadowRoot.querySelector('video')`;

async function startPlaying(page: Page): Promise<void> {
  await playerState(page, ['paused', 'playing']);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(`${VIDEO}.currentTime > 2`, { timeout: 60_000 });
}

describe('audit trail (own demo server)', () => {
  it('records alice\'s viewing; /audit shows it to alice (filtered by video) and not to bob', async () => {
    const context = await browser.createBrowserContext();
    const seen: SeenEvent[] = [];
    const page = await auditedPage(context, seen);
    const csp = watchCsp(page);
    await open(page, '/watch?v=sample-dash', 'alice@acme.test');
    await startPlaying(page);
    await page.evaluate(() => document.querySelector('veil-player')!.pause());
    await page.evaluate(() => (document.querySelector('veil-player')!.currentTime = 1));
    await page.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.seeking === false);
    const token = await storedAccessToken(page);
    const types = new Set(seen.map((e) => e.type));
    for (const type of ['playback-session-granted', 'play', 'pause', 'seek']) assert.ok(types.has(type), `${type} was captured`);
    const stored = await waitStored(token, seen.map((e) => e.id));
    const mine = stored.filter((e) => seen.some((s) => s.id === e.id));
    for (const event of mine) {
      assert.equal(event.actor, 'alice@acme.test');
      if (event.type !== 'sign-in') assert.equal(event.video, 'sample-dash', JSON.stringify(event));
    }

    await page.goto(`${origin}/audit?video=sample-dash`);
    await page.waitForSelector('#audit-status[data-state="ready"]', { timeout: 30_000 });
    const rows = await page.$$eval('#audit-trail tbody tr', (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
    const expected = await trail(token, '&video=sample-dash');
    assert.equal(rows.length, expected.length);
    assert.ok(rows.length >= 4);
    assert.deepEqual(rows.map((r) => r.eventId), expected.map((e) => e.id));
    for (const row of rows) {
      assert.equal(row.video, 'sample-dash');
      assert.ok(row.type && row.actor);
    }
    assert.deepEqual(csp, []);
    await context.close();

    const bobContext = await browser.createBrowserContext();
    const bob = await bobContext.newPage();
    const bobCsp = watchCsp(bob);
    await open(bob, '/audit', 'bob@acme.test');
    await bob.waitForSelector('#audit-status[data-state="forbidden"]', { timeout: 30_000 }).catch(async (error: unknown) => {
      const shown = await bob.evaluate(() => ({ url: location.href, status: document.querySelector('#audit-status')?.outerHTML, session: document.querySelector('veil-session')?.getAttribute('status') }));
      throw new Error(`${String(error)}: ${JSON.stringify(shown)}`);
    });
    assert.match(await bob.$eval('#audit-status', (el) => el.textContent ?? ''), /admins only/);
    assert.equal((await bob.$$('#audit-trail tbody tr')).length, 0);
    assert.deepEqual(bobCsp, []);
    await bobContext.close();
  });

  it('offline mid-playback, page closed, back online, reopened: every event stored exactly once, in sequence', async () => {
    const context = await browser.createBrowserContext();
    const seen: SeenEvent[] = [];
    const page = await auditedPage(context, seen);
    await open(page, '/watch?v=sample-dash', 'alice@acme.test');
    await startPlaying(page);
    const token = await storedAccessToken(page);
    await waitStored(token, seen.map((e) => e.id));

    // Offline: the page's own requests fail (DevTools network emulation). A keepalive request sent
    // as the page closes may outlive the page and its emulation, so the server refuses the ingest for
    // the same stretch: together, what an offline laptop does to both.
    await page.setOfflineMode(true);
    ingestDown = true;
    const refusedBefore = ingest.refused;
    const before = seen.length;
    await page.evaluate(() => document.querySelector('veil-player')!.pause());
    await page.evaluate(() => (document.querySelector('veil-player')!.currentTime = 0.5)); // buffered: no network needed
    await page.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.seeking === false);
    await page.evaluate(() => document.querySelector('veil-player')!.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true })));
    await page.evaluate(() => document.querySelector('veil-player')!.dispatchEvent(new KeyboardEvent('keydown', { key: 's', ctrlKey: true, bubbles: true, composed: true })));
    const offline = seen.slice(before);
    assert.deepEqual(offline.map((e) => e.type), ['pause', 'seek', 'context-menu', 'download-attempt']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await page.close({ runBeforeUnload: true });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    console.log(`offline close: ${ingest.refused - refusedBefore} delivery attempts reached the (refusing) server`);
    ingestDown = false;
    const meanwhile = new Set((await trail(token)).map((e) => e.id));
    assert.ok(offline.every((e) => !meanwhile.has(e.id)), 'nothing recorded offline reached the store before the page was reopened');

    // Everything the first page recorded, its sign-in page included; the reopened page records its own.
    const firstPage = [...seen];
    const reopened = await auditedPage(context, []);
    await open(reopened, '/watch?v=sample-dash', 'alice@acme.test');
    const stored = await waitStored(token, firstPage.map((e) => e.id));
    assertExactlyOnceInSequence(stored, firstPage);
    await context.close();
  });

  it('a page closed right after an event sends it on the way out (keepalive, credential in the body)', async () => {
    const context = await browser.createBrowserContext();
    const seen: SeenEvent[] = [];
    const page = await auditedPage(context, seen);
    const bodies: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/audit/events') bodies.push(`${request.headers()['content-type']} ${request.url()}`);
    });
    await open(page, '/watch?v=sample-dash', 'alice@acme.test');
    await startPlaying(page);
    const token = await storedAccessToken(page);
    await waitStored(token, seen.map((e) => e.id));
    await page.evaluate(() => document.querySelector('veil-player')!.pause());
    await page.waitForFunction((n: number) => n > 0, {}, seen.length);
    const last = seen.at(-1)!;
    assert.equal(last.type, 'pause');
    // A pause waits up to 10 s for company; the page closes long before that.
    const closedAt = Date.now();
    await page.close({ runBeforeUnload: true });
    const stored = await waitStored(token, [last.id], 8000);
    // It went out as the unload request: text/plain, the token in the body (no header possible for a beacon).
    assert.ok(ingest.log.some((r) => r.at >= closedAt && r.type.startsWith('text/plain')), 'a text/plain keepalive request arrived after the close');
    assert.equal(stored.filter((e) => e.id === last.id).length, 1);
    assert.ok(bodies.every((line) => !/[?&](token|credential|access_token)=/.test(line)), 'no credential in any URL');
    await context.close();
  });

  it('ingest down for a while: events retried with backoff, then delivered, none duplicated', async () => {
    const context = await browser.createBrowserContext();
    const seen: SeenEvent[] = [];
    const page = await auditedPage(context, seen);
    await open(page, '/watch?v=sample-hls', 'alice@acme.test');
    await startPlaying(page);
    const token = await storedAccessToken(page);
    await waitStored(token, seen.map((e) => e.id));

    ingestDown = true;
    const refusedBefore = ingest.refused;
    try {
      await page.evaluate(() => document.querySelector('veil-player')!.pause());
      await page.evaluate(() => document.querySelector('veil-player')!.play());
      await page.evaluate(() => document.querySelector('veil-player')!.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true })));
      // Wait for the client to try and be refused at least twice (first try, then a backed-off retry).
      const deadline = Date.now() + 60_000;
      while (ingest.refused < refusedBefore + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(ingest.refused >= refusedBefore + 2, `refused ${ingest.refused - refusedBefore} times`);
    } finally {
      ingestDown = false;
    }
    await page.evaluate(() => document.querySelector('veil-player')!.pause());
    await new Promise((resolve) => setTimeout(resolve, 500));
    const recorded = [...seen];
    const stored = await waitStored(token, recorded.map((e) => e.id));
    assertExactlyOnceInSequence(stored, recorded);
    await context.close();
  });

  it('a fresh sign-in is one redirect; the page it returns to restores the viewer without loading oidc-client-ts', async () => {
    // The stored-session fast path (src/identity/oidc/stored-session.ts) end to end: the auto
    // sign-in page, the callback (oidc-client-ts completes it), then the page the viewer asked for,
    // signed in from sessionStorage alone — and the player gets its session with that token.
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await signInOnce(page, '/watch?v=sample-dash', 'bob@acme.test');
    assert.equal(await playerState(page, ['paused', 'playing', 'denied', 'error']), 'paused');
    assert.equal(requests.filter((url) => new URL(url).pathname === '/idp/auth').length, 1, 'one authorization request');
    const returned = requests.findLastIndex((url) => url === `${origin}/watch?v=sample-dash`);
    assert.ok(returned > requests.findIndex((url) => url.includes('code=')), 'the callback settled on the page asked for');
    const after = requests.slice(returned).map((url) => new URL(url).pathname);
    assert.ok(after.some((path) => /\/chunks\/stored-session-/.test(path)), 'restored by the stored session');
    assert.ok(!after.some((path) => /\/chunks\/oidc-provider-/.test(path)), `no oidc-client-ts after the callback: ${after.join(' ')}`);
    await context.close();
  });

  it('mallory, refused by the client-side perimeter check, is on record under her own token: no video, the request as a claim', async () => {
    const context = await browser.createBrowserContext();
    const seen: SeenEvent[] = [];
    const page = await auditedPage(context, seen);
    await open(page, '/watch?v=sample-dash', 'mallory@globex.test');
    assert.equal(await playerState(page, ['denied', 'error', 'playing', 'paused']), 'denied');
    await page.waitForFunction((n: number) => n > 0, {}, seen.length);
    const denied = seen.find((e) => e.type === 'perimeter-denied');
    assert.ok(denied, 'perimeter-denied was captured');
    // Org-scoped reading hides globex's records from acme's admins: look in the store itself.
    const store = new SqliteAuditStore(join(dir, 'audit.sqlite'), { readonly: true });
    try {
      const deadline = Date.now() + 30_000;
      let record: AuditRecord | undefined;
      while (!record && Date.now() < deadline) {
        [record] = await store.query({ org: 'globex', type: 'perimeter-denied', limit: 100 }).then((rows) => rows.filter((r) => r.id === denied.id));
        if (!record) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.ok(record, 'stored');
      assert.deepEqual([record.actor, record.org, record.video, record.credential], ['mallory@globex.test', 'globex', null, 'access']);
      assert.deepEqual(record.data, { reason: 'org', requestedVideo: 'sample-dash' });
    } finally {
      await store.close();
    }
    await context.close();
  });

  it('steady playback costs at most one request per 10 s (measured over 45 s)', async () => {
    const context = await browser.createBrowserContext();
    const seen: SeenEvent[] = [];
    const page = await auditedPage(context, seen);
    await open(page, '/watch?v=sample-dash', 'alice@acme.test');
    await startPlaying(page);
    await new Promise((resolve) => setTimeout(resolve, 5000)); // start-up events flushed
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 45_000));
    const end = Date.now();
    const window = ingest.log.filter((r) => r.at >= start && r.at < end);
    const minutes = (end - start) / 60_000;
    const perMinute = window.length / minutes;
    const bytesPerMinute = window.reduce((sum, r) => sum + r.bytes, 0) / minutes;
    console.log(`steady playback: ${window.length} audit requests in ${((end - start) / 1000).toFixed(0)} s = ${perMinute.toFixed(1)} requests/min, ${bytesPerMinute.toFixed(0)} bytes/min`);
    assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('state')), 'playing');
    assert.ok(perMinute <= 6, `${perMinute} requests per minute`);
    for (let i = 1; i < window.length; i++) assert.ok(window[i]!.at - window[i - 1]!.at >= 9_000, 'requests at least ~10 s apart');
    assert.ok(seen.some((e) => e.type === 'heartbeat'), 'a heartbeat was recorded');
    await context.close();
  });

  it('everything stored above through the real ingest forms an intact hash chain (audit:verify)', () => {
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--db', join(dir, 'audit.sqlite')], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /OK, \d+ records/);
  });
});
