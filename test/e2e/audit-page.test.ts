/**
 * The audit page for admins (GET /audit) on its own demo: alice watches sample-dash, then, as the
 * admin she is, filters the trail by video, user, event type and time (all in the URL), pages it,
 * sees the chain verified with its head hash and a per-video summary, and downloads the filtered
 * view as CSV and JSON — each checked against the admin API itself.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { launchChromium, playerState, signInAt, storedAccessToken, watchCsp } from '../support/browser.js';
import { startTestDemo, type Demo } from '../support/demo.js';
import { apiUrls } from '../../src/protocol/paths.js';

interface StoredEvent {
  id: string;
  seq: number;
  type: string;
  actor: string;
  video: string | null;
}

let browser: Browser;
let demo: Demo;
let context: BrowserContext;
let page: Page;
let token: string;
let downloads: string;
let csp: string[];

async function trail(query: string): Promise<StoredEvent[]> {
  const response = await fetch(`${apiUrls(demo.config.origin).auditEvents()}?${query}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

async function openAudit(query: string): Promise<void> {
  await page.goto(`${demo.config.origin}/audit?${query}`);
  await page.waitForSelector('#audit-status[data-state="ready"]', { timeout: 30_000 });
}

const rowIds = () => page.$$eval('#audit-trail tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.eventId));

async function downloaded(button: string, name: string): Promise<string> {
  await rm(join(downloads, name), { force: true });
  await page.click(button);
  for (let waited = 0; waited < 15_000; waited += 100) {
    if ((await readdir(downloads)).includes(name)) return readFile(join(downloads, name), 'utf8');
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${name} was not downloaded`);
}

before(async () => {
  demo = await startTestDemo();
  browser = await launchChromium();
  downloads = await mkdtemp(join(tmpdir(), 'veil-audit-downloads-'));
  context = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
  page = await context.newPage();
  csp = watchCsp(page);
  // Something to audit: alice plays sample-dash for a moment, then pauses.
  await signInAt(page, '/watch?v=sample-dash', 'alice@acme.test', { origin: demo.config.origin });
  await playerState(page, ['paused', 'playing']);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 30_000 });
  await page.evaluate(() => document.querySelector('veil-player')!.pause());
  token = await storedAccessToken(page);
  // Delivered (the audit controller batches): the pause is on record.
  for (let waited = 0; !(await trail('video=sample-dash&type=pause')).length; waited += 250) {
    if (waited > 30_000) throw new Error('the pause never reached the trail');
    await new Promise((done) => setTimeout(done, 250));
  }
});

after(async () => {
  await context?.close();
  await browser?.close();
  await demo?.close();
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

describe('the audit page (GET /audit)', () => {
  it('filters by video, user, type and time from the URL, into the form and the table', async () => {
    await openAudit('video=sample-dash&type=play');
    const expected = await trail('video=sample-dash&type=play');
    assert.ok(expected.length >= 1);
    assert.deepEqual(await rowIds(), expected.map((event) => event.id));
    assert.deepEqual(await page.$$eval('#audit-trail tbody tr', (rows) => [...new Set(rows.map((row) => `${(row as HTMLElement).dataset.type} ${(row as HTMLElement).dataset.video}`))]), ['play sample-dash']);
    const form = await page.$eval('#audit-filters', (element) => Object.fromEntries(new FormData(element as HTMLFormElement)));
    assert.deepEqual(form, { video: 'sample-dash', user: '', type: 'play', from: '', to: '' });

    // Applying the form puts the filters in the URL (a bookmarkable view).
    await page.$eval('#audit-filters input[name="user"]', (input) => ((input as HTMLInputElement).value = 'bob@acme.test'));
    await Promise.all([page.waitForNavigation(), page.click('#audit-filters button[type="submit"]')]);
    assert.equal(new URL(page.url()).searchParams.get('user'), 'bob@acme.test');
    await page.waitForSelector('#audit-status[data-state="ready"]', { timeout: 30_000 });
    assert.deepEqual(await rowIds(), [], 'bob watched nothing');

    // A time range in the future holds nothing; one around now holds alice's events.
    const later = new Date(Date.now() + 3_600_000);
    const local = (time: Date) => new Date(time.getTime() - time.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await openAudit(`video=sample-dash&from=${encodeURIComponent(local(later))}`);
    assert.deepEqual(await rowIds(), []);
    await openAudit(`video=sample-dash&to=${encodeURIComponent(local(later))}`);
    assert.deepEqual(await rowIds(), (await trail('video=sample-dash')).map((event) => event.id));
  });

  it('pages the table through the URL, in trail order', async () => {
    const all = await trail('video=sample-dash');
    assert.ok(all.length >= 3, `${all.length} events`);
    await openAudit('video=sample-dash&size=2&page=2');
    assert.deepEqual(await rowIds(), all.slice(2, 4).map((event) => event.id));
    assert.match(await page.$eval('#audit-page', (element) => element.textContent ?? ''), new RegExp(`page 2 of ${Math.ceil(all.length / 2)}`));
    await Promise.all([page.waitForNavigation(), page.click('#audit-previous')]);
    await page.waitForSelector('#audit-status[data-state="ready"]');
    assert.equal(new URL(page.url()).searchParams.get('page'), null);
    assert.deepEqual(await rowIds(), all.slice(0, 2).map((event) => event.id));
  });

  it('shows the chain verified with its head hash, and who watched each video', async () => {
    await openAudit('');
    await page.waitForSelector('#audit-chain[data-state="intact"]', { timeout: 30_000 });
    const verify = (await (await fetch(apiUrls(demo.config.origin).auditVerify(), { headers: { authorization: `Bearer ${token}` } })).json()) as { ok: boolean; head: string; count: number };
    assert.equal(verify.ok, true);
    const head = await page.$eval('#audit-chain-head', (element) => element.textContent);
    // New events may land between the page's check and ours: the page's head is one the chain passed through.
    const heads = (await trail('limit=10000')).map((event) => (event as unknown as { hash: string }).hash);
    assert.ok(head && heads.includes(head), `head ${head}`);
    const summary = await page.$$eval('#audit-summary-table tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    const alice = summary.find((row) => row[0] === 'sample-dash' && row[1] === 'alice@acme.test');
    assert.ok(alice, JSON.stringify(summary));
    assert.ok(Number(alice[2]) >= 1, 'at least one player session');
  });

  it('downloads the filtered view as CSV and as JSON', async () => {
    await openAudit('video=sample-dash&type=play');
    const expected = (await trail('video=sample-dash&type=play')).map((event) => event.id);
    const json = JSON.parse(await downloaded('#audit-download-json', 'veil-audit.json')) as { filters: Record<string, string>; events: StoredEvent[] };
    assert.deepEqual(json.filters, { video: 'sample-dash', type: 'play' });
    assert.deepEqual(json.events.map((event) => event.id), expected);
    const csv = (await downloaded('#audit-download-csv', 'veil-audit.csv')).trimEnd().split('\r\n');
    assert.match(csv[0]!, /^seq,id,serverTime,/);
    assert.deepEqual(csv.slice(1).map((line) => line.split(',')[1]), expected);
    assert.deepEqual(csp, []);
  });
});
