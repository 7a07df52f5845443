/**
 * The benchmark's browser side: one fresh browser context per page load (cache disabled), the
 * signed-in viewer's oidc-client-ts user copied into its sessionStorage before the first script
 * runs, and an instrumentation script that records, in the page's own clock (ms since navigation
 * start): sign-in, every `<veil-player state>` change, the media element's first presented frame
 * (`requestVideoFrameCallback`), `playing`, `waiting` after playback started, and renewals.
 * Network: every JS response's body is gzipped here (level 9, like the build's size report),
 * because the demo serves scripts uncompressed.
 */
import type { Browser, Page } from 'puppeteer-core';
import { gzipSync } from 'node:zlib';
import { signInAndWatch } from '../test/support/browser.js';

/** How the bench counts a script's transfer size: gzip at level 9 (the demo serves uncompressed). */
export function gzipBytes(body: Uint8Array): number {
  return gzipSync(body, { level: 9 }).length;
}

/** What the instrumentation keeps in `window.__bench`. */
export interface PageProbe {
  marks: Record<string, number>;
  states: Array<[string, number]>;
  waitingAfterPlaying: number;
  stalledMs: number;
  renewals: number;
  currentTime: number;
  ended: boolean;
}

export interface StoredIdentity {
  origin: string;
  items: Record<string, string>;
  capturedAt: number;
}

/**
 * Runs in every document before its scripts (page.evaluateOnNewDocument). Kept as source text:
 * tsx would otherwise wrap its inner functions in helpers that do not exist in the page.
 */
const INSTRUMENT = String.raw`(identity) => {
  if (identity && location.origin === identity.origin) {
    for (const [key, value] of Object.entries(identity.items)) sessionStorage.setItem(key, value);
  }
  performance.setResourceTimingBufferSize(5000);
  const probe = { marks: {}, states: [], waitingAfterPlaying: 0, stalledMs: 0, renewals: 0, video: null };
  window.__bench = probe;
  const mark = (name, time = performance.now()) => { if (!(name in probe.marks)) probe.marks[name] = time; };
  document.addEventListener('veil-signed-in', () => mark('signedIn'), true);
  document.addEventListener('veil-token-renewed', () => { probe.renewals += 1; }, true);
  let waitingSince;
  const hooked = new WeakSet();
  const hook = (video) => {
    if (hooked.has(video)) return;
    hooked.add(video);
    probe.video = video;
    video.addEventListener('loadeddata', () => mark('loadeddata'));
    video.addEventListener('playing', () => {
      mark('playing');
      if (waitingSince !== undefined) probe.stalledMs += performance.now() - waitingSince;
      waitingSince = undefined;
    });
    video.addEventListener('waiting', () => {
      if (!('playing' in probe.marks)) return;
      probe.waitingAfterPlaying += 1;
      if (waitingSince === undefined) waitingSince = performance.now();
    });
    video.addEventListener('ended', () => mark('ended'));
    video.requestVideoFrameCallback((now, metadata) => mark('firstFrame', metadata.presentationTime || now));
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') {
        const player = record.target;
        const state = player.getAttribute('state') || '';
        const now = performance.now();
        probe.states.push([state, now]);
        mark('state:' + state, now);
        const video = player.shadowRoot && player.shadowRoot.querySelector('video');
        if (video) hook(video);
        continue;
      }
      for (const node of record.addedNodes) {
        if (node.nodeName === 'VIDEO') hook(node);
        if (node.nodeName === 'VEIL-PLAYER') {
          // The same as writing <veil-player autoplay> in the page: play once the stream is loaded.
          node.setAttribute('autoplay', '');
          observer.observe(node, { attributes: true, attributeFilter: ['state'] });
        }
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}`;

export function readProbe(page: Page): Promise<PageProbe> {
  return page.evaluate(() => {
    const probe = (window as unknown as { __bench: PageProbe & { video: HTMLVideoElement | null } }).__bench;
    const { video, ...rest } = probe;
    return { ...rest, currentTime: video?.currentTime ?? 0, ended: video?.ended ?? false };
  });
}

export interface ScriptResponse {
  url: string;
  bytes: number;
  gzipBytes: number;
  /** Requested before the first `POST /api/playback-sessions` was sent. */
  beforeSession: boolean;
}

export interface ResourceTiming {
  name: string;
  startTime: number;
  responseEnd: number;
}

export interface PageRun {
  probe: PageProbe;
  scripts: ScriptResponse[];
  resources: ResourceTiming[];
}

/**
 * Collects every JS response of the page; notes which came before the playback session. The
 * bodies are gzipped only in `done()`, after the page run: gzip is synchronous and the demo
 * server shares this process, so gzipping an engine chunk as it arrives would hold up the
 * server's answer to a request in flight (the playback session, once the engine downloads
 * beside it).
 */
function watchScripts(page: Page): { done(): Promise<ScriptResponse[]> } {
  let sessionRequested = false;
  const order = new Map<string, boolean>();
  const pending: Array<Promise<{ url: string; body: Uint8Array; beforeSession: boolean } | undefined>> = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/playback-sessions') sessionRequested = true;
    if (!order.has(request.url())) order.set(request.url(), !sessionRequested);
  });
  page.on('response', (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (!/javascript/.test(type)) return;
    if (response.headers()['content-encoding']) throw new Error(`${response.url()} came compressed; the bench gzips bodies itself`);
    pending.push(
      response.buffer().then(
        (body) => ({ url: response.url(), body, beforeSession: order.get(response.url()) ?? false }),
        () => undefined,
      ),
    );
  });
  return {
    done: async () =>
      (await Promise.all(pending)).flatMap((entry) =>
        entry ? [{ url: entry.url, bytes: entry.body.length, gzipBytes: gzipBytes(entry.body), beforeSession: entry.beforeSession }] : [],
      ),
  };
}

export interface LoadOptions {
  identity: StoredIdentity | null;
  /** Resolves when the page has reached what is measured (first frame, denial, …). */
  until: 'firstFrame' | 'denied';
  timeoutMs?: number;
  /** Extra time to keep the page after `until` (to let late requests show up). */
  lingerMs?: number;
  /** Keep the page open and hand it to `during` before collecting (renewal runs). */
  during?: (page: Page) => Promise<void>;
}

/** One page load in a fresh context with the cache disabled. */
export async function loadPage(browser: Browser, url: string, options: LoadOptions): Promise<PageRun> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setCacheEnabled(false);
    const identity = options.identity && { origin: options.identity.origin, items: options.identity.items };
    await page.evaluateOnNewDocument(`(${INSTRUMENT})(${JSON.stringify(identity)})`);
    const scripts = watchScripts(page);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const goal = options.until === 'firstFrame' ? 'firstFrame' : 'state:denied';
    try {
      await page.waitForFunction(
        (name: string) => {
          const marks = (window as unknown as { __bench?: { marks: Record<string, number> } }).__bench?.marks;
          return marks && (name in marks || 'state:error' in marks || 'state:denied' in marks);
        },
        { timeout: options.timeoutMs ?? 30_000, polling: 50 },
        goal,
      );
    } catch (error) {
      throw new Error(`${url}: no ${goal} (${errors.join('; ') || String(error)})`);
    }
    if (options.lingerMs) await new Promise((resolve) => setTimeout(resolve, options.lingerMs));
    if (options.during) await options.during(page);
    const probe = await readProbe(page);
    if (!(goal in probe.marks)) {
      const state = await page.evaluate(() => document.querySelector('veil-player')?.getAttribute('error-code'));
      throw new Error(`${url}: ended in ${probe.states.at(-1)?.[0]} (${state ?? errors.join('; ')}) instead of ${goal}`);
    }
    const resources = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((entry) => ({ name: entry.name, startTime: entry.startTime, responseEnd: (entry as PerformanceResourceTiming).responseEnd })),
    );
    return { probe, scripts: await scripts.done(), resources };
  } finally {
    await context.close();
  }
}

/**
 * Signs `login` in at the dev IdP once, in its own context, and returns the oidc-client-ts user
 * entry from sessionStorage: what a viewer who signed in earlier in this tab has.
 */
export async function signIn(browser: Browser, origin: string, login: string): Promise<StoredIdentity> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await signInAndWatch(page, 'sample-dash', login, { origin });
    const items = await page.evaluate(() => {
      const entries: Record<string, string> = {};
      for (let i = 0; i < sessionStorage.length; i++) {
        const key = sessionStorage.key(i)!;
        if (key.startsWith('oidc.user:')) entries[key] = sessionStorage.getItem(key)!;
      }
      return entries;
    });
    if (Object.keys(items).length === 0) throw new Error(`sign-in of ${login} left no oidc user in sessionStorage`);
    return { origin, items, capturedAt: Date.now() };
  } finally {
    await context.close();
  }
}

export function accessTokenOf(identity: StoredIdentity): string {
  const user = JSON.parse(Object.values(identity.items)[0]!) as { access_token: string };
  return user.access_token;
}
