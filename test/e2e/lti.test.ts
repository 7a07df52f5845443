/**
 * LTI 1.3 in real Chromium with third-party cookies blocked (checked, not assumed), against the
 * real demo and its LMS on another site (`localhost` vs the tool's `127.0.0.1`): each LMS variant
 * launches the tool in its iframe and the player plays (frames advance) with the carrier the
 * variant allows, and no unpartitioned tool cookie exists; a student of another course is refused;
 * the framed URL opened top-level elsewhere plays nothing; a replayed launch is refused; the teacher
 * deep-links her video into c101 through the tool's picker, and only c101's students can play it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';
import { startTestDemo, type Demo } from '../support/demo.js';

const PASSWORD = 'veil-demo';
let demo: Demo;
let browser: Browser;

/** Short token lifetimes (playback and LTI session): a learner removed from the roster stops within them. */
const TTL_SECONDS = 20;

before(async () => {
  demo = await startTestDemo({ tokenTtlSeconds: TTL_SECONDS, ltiSessionTtlSeconds: TTL_SECONDS });
  // Chromium's third-party-cookie phase-out: unpartitioned cookies are blocked in cross-site frames.
  browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--test-third-party-cookie-phaseout'], headless: true, protocolTimeout: 120_000 });
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

const lms = () => demo.config.lmsOrigin;
const tool = () => demo.config.origin;

async function freshPage(): Promise<{ page: Page; requests: string[] }> {
  const page = await (await browser.createBrowserContext()).newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  return { page, requests };
}

/**
 * Makes the tool's frames refuse `Partitioned` cookies, as a browser without CHIPS in a cross-site
 * frame does (Safari blocks every third-party cookie, partitioned or not, and keeps a partitioned
 * `localStorage`). Chromium has no switch for it, and puppeteer's `evaluateOnNewDocument` does not
 * reach a cross-site (out-of-process) frame, but request interception does: the tool's
 * `/lti/launch.js` is served with a prelude that drops `document.cookie` writes marked
 * `Partitioned`, then the tool's script unchanged. Everything else is Chromium's own.
 */
const REFUSE_PARTITIONED = `(function () {
  var native = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: function () { return native.get.call(document); },
    set: function (value) { if (!/;\\s*Partitioned/i.test(value)) native.set.call(document, value); }
  });
})();
`;
async function refusePartitionedCookies(page: Page): Promise<void> {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.isInterceptResolutionHandled()) return;
    if (request.url() !== `${tool()}/lti/launch.js`) return void request.continue();
    void fetch(request.url()).then(async (response) => {
      await request.respond({ status: response.status, headers: Object.fromEntries(response.headers), body: REFUSE_PARTITIONED + (await response.text()) });
    });
  });
}

/** Signs in at the demo LMS and opens `path` there. */
async function lmsPage(login: string, path: string, prepare?: (page: Page) => Promise<void>): Promise<{ page: Page; requests: string[] }> {
  const opened = await freshPage();
  const { page } = opened;
  await prepare?.(page);
  await page.goto(`${lms()}${path}`);
  await page.waitForSelector('input[name="login"]');
  await page.type('input[name="login"]', login);
  await page.type('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  assert.equal(new URL(page.url()).pathname, new URL(`${lms()}${path}`).pathname);
  return opened;
}

/** The tool's frame once it shows the tool page (or an error page) after the launch. */
async function toolFrame(page: Page, timeout = 30_000): Promise<Frame> {
  const started = Date.now();
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().startsWith(`${tool()}/lti/`)) continue;
      const ready = await frame.evaluate(() => Boolean(document.querySelector('veil-player, #veil-lti-picker, [data-veil-error-code], [data-veil-action]:not([hidden] *)'))).catch(() => false);
      if (ready) return frame;
    }
    if (Date.now() - started > timeout) throw new Error(`no tool frame; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The tool's frame whose player shows `videoId` (a course page with several links launches them all). */
async function playerFrame(page: Page, videoId: string, timeout = 120_000): Promise<Frame> {
  const started = Date.now();
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().startsWith(`${tool()}/lti/`)) continue;
      if ((await frame.evaluate(() => document.querySelector('veil-player')?.getAttribute('video')).catch(() => undefined)) !== videoId) continue;
      // Chromium pauses rendering (and requestAnimationFrame) in a cross-site frame outside the
      // viewport: a course page with two videos has the second below the fold.
      const element = await frame.frameElement();
      await element?.evaluate((iframe) => iframe.scrollIntoView({ block: 'center' }));
      await element?.dispose();
      return frame;
    }
    if (Date.now() - started > timeout) throw new Error(`no player of ${videoId}; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function playerState(target: Frame | Page, states: string[], timeout = 60_000): Promise<string> {
  const handle = await target.waitForFunction((wanted: string[]) => {
    const state = document.querySelector('veil-player')?.getAttribute('state');
    return state && wanted.includes(state) ? state : undefined;
  }, { timeout }, states);
  return (await handle.jsonValue()) as string;
}

/** Plays and returns the frame counts before and after a few seconds of media. */
async function plays(target: Frame | Page): Promise<{ before: number; after: number }> {
  await playerState(target, ['paused', 'playing']);
  await target.evaluate(() => (document.querySelector('veil-player') as unknown as { play(): Promise<void> }).play());
  const frames = () => target.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames);
  // Polled by timer, not requestAnimationFrame, which a frame the page has scrolled away never runs.
  await target.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime > 1, { timeout: 120_000, polling: 100 });
  const before = await frames();
  await target.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime > 3, { timeout: 60_000, polling: 100 });
  return { before, after: await frames() };
}

/** Every cookie of the tool's site in this page's browser context (DevTools' view). */
async function toolCookies(page: Page): Promise<Array<{ name: string; partitionKey?: unknown }>> {
  const client = await page.createCDPSession();
  const { cookies } = (await client.send('Network.getAllCookies')) as { cookies: Array<{ name: string; domain: string; partitionKey?: unknown }> };
  await client.detach();
  return cookies.filter((cookie) => cookie.domain === '127.0.0.1');
}

describe('LTI launch inside the LMS iframe, third-party cookies blocked', () => {
  it('Chromium really blocks an unpartitioned cookie in the tool frame (but keeps a Partitioned one)', async () => {
    const { page } = await lmsPage('student@school.test', '/lms/courses/c101?variant=moodle');
    const frame = await toolFrame(page);
    const cookies = await frame.evaluate(() => {
      document.cookie = 'probe-unpartitioned=1; Path=/; Secure; SameSite=None';
      document.cookie = 'probe-partitioned=1; Path=/; Secure; SameSite=None; Partitioned';
      return document.cookie;
    });
    assert.doesNotMatch(cookies, /probe-unpartitioned/);
    assert.match(cookies, /probe-partitioned=1/);
    await page.browserContext().close();
  });

  // The carrier matrix (docs/lti.md "What each platform does about cookies"): variant, how the
  // browser treats the tool's frame, the carrier the tool must pick.
  // `warm: false`: the platform behaves as a row before it does, so its warm launch is not measured again.
  const matrix: Array<{ variant: string; carrier: string; browser?: string; prepare?: (page: Page) => Promise<void>; warm?: false }> = [
    { variant: 'canvas', carrier: 'platform-storage' },
    { variant: 'brightspace', carrier: 'platform-storage', warm: false },
    { variant: 'blackboard', carrier: 'platform-storage' },
    { variant: 'moodle', carrier: 'cookie' },
    { variant: 'moodle', carrier: 'local-storage', browser: 'Partitioned cookies refused', prepare: refusePartitionedCookies },
  ];
  for (const { variant, carrier, browser: browserCase, prepare, warm: warmLaunch } of matrix) {
    it(`${variant}${browserCase ? ` (${browserCase})` : ''}: the framed player plays (carrier ${carrier}), no unpartitioned tool cookie`, async () => {
      const started = performance.now();
      const { page } = await lmsPage('student@school.test', `/lms/courses/c101?variant=${variant}`, prepare);
      const frame = await toolFrame(page);
      assert.equal(await frame.evaluate(() => document.querySelector('[data-veil-lti-carrier]')?.getAttribute('data-veil-lti-carrier')), carrier);
      if (carrier === 'local-storage') {
        // The binding was read once and removed; no cookie of the tool's at all (none could be set).
        assert.deepEqual(await frame.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('veil-lti-'))), []);
        assert.deepEqual(await toolCookies(page), []);
      }
      await playerState(frame, ['paused', 'playing']);
      console.log(`# ${variant}: course page → player ready in ${Math.round(performance.now() - started)} ms (including the LMS sign-in)`);
      const { before, after } = await plays(frame);
      assert.ok(after > before + 20, `frames ${before} → ${after}`);
      const unpartitioned = (await toolCookies(page)).filter((cookie) => !cookie.partitionKey);
      assert.deepEqual(unpartitioned, []);
      // A warm launch, course page reload → first decoded frame in the iframe (scripts/bench-lti.ts
      // measures it properly); once per platform behaviour, so not again for the refused-cookie row.
      if (prepare || warmLaunch === false) return void (await page.browserContext().close());
      const warm = performance.now();
      await page.reload();
      const again = await toolFrame(page);
      await playerState(again, ['paused', 'playing']);
      await again.evaluate(() => (document.querySelector('veil-player') as unknown as { play(): Promise<void> }).play());
      await again.waitForFunction(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames > 0, { timeout: 60_000 });
      console.log(`# ${variant}: warm launch → first frame ${Math.round(performance.now() - warm)} ms`);
      await page.browserContext().close();
    });
  }

  it('legacy: the frame offers "Open in a new window", and the player plays in the window it opens', async () => {
    const { page } = await lmsPage('student@school.test', '/lms/courses/c101?variant=legacy');
    const frame = await toolFrame(page);
    const control = await frame.waitForSelector('[data-veil-action="open-new-window"]', { visible: true });
    const opened = new Promise<Page>((resolve) => page.browserContext().once('targetcreated', async (target) => resolve((await target.page())!)));
    await control!.click();
    const popup = await opened;
    await popup.waitForSelector('veil-player', { timeout: 30_000 });
    assert.equal(new URL(popup.url()).origin, tool());
    const { before, after } = await plays(popup);
    assert.ok(after > before + 20, `frames ${before} → ${after}`);
    assert.deepEqual((await toolCookies(page)).filter((cookie) => !cookie.partitionKey), []);
    await page.browserContext().close();
  });

  it('a student of c202 opening the same resource link is refused', async () => {
    const { page } = await lmsPage('outsider@school.test', '/lms/courses/c202?link=week1');
    const frame = await toolFrame(page);
    assert.equal(await playerState(frame, ['denied', 'error']), 'denied');
    assert.equal(await frame.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), 'PLAYBACK_NOT_GRANTED');
    await page.browserContext().close();
  });

  it('the framed URL opened top-level in a fresh browser context plays nothing', async () => {
    const { page } = await lmsPage('student@school.test', '/lms/courses/c101');
    const src = await page.$eval('.resource-link iframe', (iframe) => (iframe as HTMLIFrameElement).src);
    await page.browserContext().close();
    const fresh = await freshPage();
    await fresh.page.goto(src);
    await fresh.page.waitForSelector('[data-veil-error-code]', { timeout: 30_000 });
    assert.equal(await fresh.page.$eval('[data-veil-error-code]', (el) => el.getAttribute('data-veil-error-code')), 'LTI_ID_TOKEN_MISSING');
    assert.deepEqual(fresh.requests.filter((url) => /\/(media|api\/license|api\/keys|api\/playback-sessions)\//.test(url) || url.endsWith('/api/playback-sessions')), []);
    await fresh.page.browserContext().close();
  });

  it('an id_token + state replayed from a second browser context is refused', async () => {
    const opened = await freshPage();
    const posts: string[] = [];
    opened.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${tool()}/lti/launch`) posts.push(request.postData() ?? '');
    });
    await opened.page.goto(`${lms()}/lms/courses/c101?variant=canvas`);
    await opened.page.waitForSelector('input[name="login"]');
    await opened.page.type('input[name="login"]', 'student@school.test');
    await opened.page.type('input[name="password"]', PASSWORD);
    await Promise.all([opened.page.waitForNavigation(), opened.page.click('button[type="submit"]')]);
    await playerState(await toolFrame(opened.page), ['paused', 'playing']);
    const form = new URLSearchParams(posts[0]);
    assert.ok(form.get('id_token') && form.get('state'));
    await opened.page.browserContext().close();

    const second = await freshPage();
    await second.page.goto(`${tool()}/lti/jwks`);
    await Promise.all([
      second.page.waitForNavigation(),
      second.page.evaluate((fields: Record<string, string>) => {
        const replay = document.createElement('form');
        replay.method = 'post';
        replay.action = '/lti/launch';
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.name = name;
          input.value = value;
          replay.append(input);
        }
        document.body.append(replay);
        replay.submit();
      }, { id_token: form.get('id_token')!, state: form.get('state')! }),
    ]);
    const code = await second.page.$eval('[data-veil-error-code]', (el) => el.getAttribute('data-veil-error-code'));
    assert.ok(code === 'LTI_STATE_UNKNOWN' || code === 'LTI_STATE_UNBOUND', String(code));
    assert.equal(await second.page.$('veil-player'), null);
    await second.page.browserContext().close();
  });

  it('the teacher deep-links her video into c101: a c101 student plays it, a c202 student opening it is refused, the return is single-use', async () => {
    const { page } = await lmsPage('teacher@school.test', '/lms/courses/c101?variant=canvas');
    const returns: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${lms()}/lms/deep-link/return`) returns.push(request.postData() ?? '');
    });
    await Promise.all([page.waitForNavigation(), page.click('[data-lms-action="add-video"]')]);
    const picker = await toolFrame(page);
    // Her own video only: the org's others are not hers to share, course c101's own sample neither.
    assert.deepEqual(await picker.$$eval('[data-veil-pick]', (buttons) => buttons.map((button) => button.getAttribute('data-veil-pick'))), ['sample-lecture']);
    await picker.click('[data-veil-pick="sample-lecture"]');
    // The signed response is auto-posted to the LMS, which validates it, adds the link and goes back to the course.
    const title = 'Lecture sample (CENC DASH)';
    await page.waitForFunction((wanted: string) => location.pathname === '/lms/courses/c101' && [...document.querySelectorAll('.resource-link h2')].some((h2) => h2.textContent === wanted), { timeout: 60_000 }, title);
    const linkId = await page.evaluate((wanted: string) => [...document.querySelectorAll('.resource-link')].find((section) => section.querySelector('h2')?.textContent === wanted)!.getAttribute('data-link')!, title);
    assert.equal(returns.length, 1);
    const replay = await fetch(`${lms()}/lms/deep-link/return`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: returns[0] });
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /data-lms-error="already-used"/);
    await page.browserContext().close();

    const student = await lmsPage('student@school.test', '/lms/courses/c101?variant=canvas');
    const frame = await playerFrame(student.page, 'sample-lecture');
    const ready = await playerState(frame, ['paused', 'playing', 'denied', 'error'], 90_000);
    assert.ok(ready === 'paused' || ready === 'playing', `${ready}: ${await frame.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code'))}`);
    const { before, after } = await plays(frame).catch(async (error: unknown) => {
      const video = await frame.evaluate(() => {
        const player = document.querySelector('veil-player')!;
        const element = player.shadowRoot!.querySelector('video')!;
        return { state: player.getAttribute('state'), code: player.getAttribute('error-code'), readyState: element.readyState, currentTime: element.currentTime, paused: element.paused, error: element.error?.message };
      });
      throw new Error(`${String(error)}: ${JSON.stringify(video)}`);
    });
    assert.ok(after > before + 20, `frames ${before} → ${after}`);
    await student.page.browserContext().close();

    const outsider = await lmsPage('outsider@school.test', `/lms/courses/c202?link=${linkId}`);
    const refused = await playerFrame(outsider.page, 'sample-lecture');
    assert.equal(await playerState(refused, ['denied', 'error']), 'denied');
    assert.equal(await refused.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), 'PLAYBACK_NOT_GRANTED');
    await outsider.page.browserContext().close();
  });

  // Last: it takes the student off c101's roster (and puts her back after).
  it('a learner removed from the roster (NRPS Deleted) while the player plays stops within one token lifetime', async () => {
    const { page } = await lmsPage('student@school.test', '/lms/courses/c101?variant=canvas');
    try {
      const frame = await playerFrame(page, 'sample-course');
      await playerState(frame, ['paused', 'playing']);
      // Loop the short sample so that only the roster can stop it.
      await frame.evaluate(() => {
        document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.loop = true;
        return (document.querySelector('veil-player') as unknown as { play(): Promise<void> }).play();
      });
      await frame.waitForFunction(() => document.querySelector('veil-player')!.getAttribute('state') === 'playing', { timeout: 60_000 });
      demo.lms.setStatus('c101', 'student', 'Deleted');
      const removed = performance.now();
      const state = await playerState(frame, ['signed-out', 'denied', 'error'], 2 * 2 * TTL_SECONDS * 1000 + 60_000);
      const stoppedAfter = Math.round(performance.now() - removed);
      console.log(`# NRPS Deleted → player ${state} after ${stoppedAfter} ms (token lifetimes ${TTL_SECONDS} s)`);
      const time = () => frame.evaluate(() => document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!.currentTime);
      const at = await time();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(await time(), at, 'the video no longer advances');
    } finally {
      demo.lms.setStatus('c101', 'student', 'Active');
      await page.browserContext().close();
    }
  });
});
