/**
 * The watermark end to end: alice plays the encrypted DASH sample on the real demo page (strict
 * CSP) and her identity is drawn over the picture — seen in DevTools-protocol screenshots, inline
 * and in fullscreen — Picture-in-Picture (video and document) is refused, and nothing the host page
 * sets changes the text or switches the guard off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { launchChromium, playerState, signInAndWatch, watchCsp } from '../support/browser.js';

let browser: Browser;
let page: Page;
let cdp: CDPSession;
let csp: string[];

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  csp = watchCsp(page);
  cdp = await page.createCDPSession();
  await signInAndWatch(page, 'sample-dash', 'alice@acme.test');
  await playerState(page, ['paused', 'playing']);
  await page.evaluate(() => document.querySelector('veil-player')!.play());
  await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The overlay's and the video's boxes in page coordinates, and the overlay's text. */
function layout(): Promise<{ overlay: Box; video: Box; text: string }> {
  return page.evaluate(() => {
    const root = document.querySelector('veil-player')!.shadowRoot!;
    const o = root.querySelector('[part~="watermark"]')!.getBoundingClientRect();
    const v = root.querySelector('video')!.getBoundingClientRect();
    return {
      overlay: { x: o.left + scrollX, y: o.top + scrollY, width: o.width, height: o.height },
      video: { x: v.left + scrollX, y: v.top + scrollY, width: v.width, height: v.height },
      text: root.querySelector('[part~="watermark"]')!.textContent ?? '',
    };
  });
}

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x - 1 && inner.y >= outer.y - 1 && inner.x + inner.width <= outer.x + outer.width + 1 && inner.y + inner.height <= outer.y + outer.height + 1;
}

/** A DevTools-protocol screenshot (`Page.captureScreenshot`) of one region, as PNG base64. */
async function capture(box: Box): Promise<string> {
  const clip = { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height), scale: 1 };
  const { data } = await cdp.send('Page.captureScreenshot', { format: 'png', clip });
  return data;
}

const errorCode = () => page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code'));
/** How many security events (tampered/restored) the player has recorded. */
const securityEventCount = () => page.evaluate(() => (document.querySelector('veil-player') as unknown as { securityEvents: unknown[] }).securityEvents.length);

/** Waits for the overlay to leave `box` (the demo policy moves it every 8 s). */
async function nextMove(box: Box): Promise<void> {
  await page.waitForFunction(
    (x: number, y: number) => {
      const o = document.querySelector('veil-player')!.shadowRoot!.querySelector('[part~="watermark"]')!.getBoundingClientRect();
      return Math.abs(o.left + scrollX - x) > 2 || Math.abs(o.top + scrollY - y) > 2;
    },
    { timeout: 15_000, polling: 100 },
    box.x,
    box.y,
  );
}

/**
 * With the picture still (paused), the overlay's region is captured twice (equal: the frame is
 * stable), then again once the overlay has moved away: the region changed, and only the overlay
 * moved, so the watermark's pixels were in the screenshot.
 */
async function expectWatermarkInScreenshots(): Promise<void> {
  const events = await securityEventCount();
  await page.evaluate(() => document.querySelector('veil-player')!.pause());
  await playerState(page, ['paused']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = await layout();
  assert.ok(before.overlay.width > 20 && before.overlay.height > 10, `overlay box ${JSON.stringify(before.overlay)}`);
  assert.ok(inside(before.overlay, before.video), `overlay ${JSON.stringify(before.overlay)} inside video ${JSON.stringify(before.video)}`);
  const first = await capture(before.overlay);
  const again = await capture(before.overlay);
  assert.equal(again, first, 'a still frame screenshots the same twice');
  await nextMove(before.overlay);
  const moved = await layout();
  assert.ok(inside(moved.overlay, moved.video), 'still inside the video after moving');
  const afterMove = await capture(before.overlay);
  assert.notEqual(afterMove, first, 'the region changed when the watermark left it: its pixels were in the screenshot');
  assert.equal(await errorCode(), null);
  assert.equal(await securityEventCount(), events, 'no tamper alarm, not even a passing one');
}

describe('watermark (alice, sample-dash)', () => {
  it('plays from an MSE object URL only', async () => {
    const source = await page.evaluate(() => {
      const video = document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!;
      // shaka-player attaches the MediaSource through a <source> child rather than `src`.
      return { src: video.src, currentSrc: video.currentSrc, srcObject: video.srcObject, sources: [...video.querySelectorAll('source')].map((s) => s.src) };
    });
    assert.match(source.currentSrc, /^blob:/);
    assert.ok(source.src === '' || source.src === source.currentSrc, `src ${source.src}`);
    assert.equal(source.srcObject, null);
    for (const src of source.sources) assert.match(src, /^blob:/);
  });

  it("names the signed-in viewer, the playback session and the time, from the server's session", async () => {
    const { text } = await layout();
    assert.match(text, /^alice@acme\.test[0-9a-f]{8} · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  });

  it('is visible in a DevTools-protocol screenshot during playback', async () => {
    assert.equal(await playerState(page, ['playing']), 'playing');
    await expectWatermarkInScreenshots();
  });

  it('is visible in a DevTools-protocol screenshot in fullscreen (the player container goes fullscreen)', async () => {
    const button = await page.evaluateHandle(() => document.querySelector('veil-player')!.shadowRoot!.querySelector<HTMLElement>('[aria-label="Fullscreen"]')!);
    await button.click();
    await page.waitForFunction(() => document.fullscreenElement?.tagName === 'VEIL-PLAYER');
    await page.waitForFunction(() => document.querySelector('veil-player')!.getBoundingClientRect().width === innerWidth);
    await expectWatermarkInScreenshots();
    const { video } = await layout();
    assert.ok(video.width >= (await page.evaluate(() => innerWidth)) - 1, 'the video fills the screen');
    await page.evaluate(() => document.exitFullscreen());
    await page.waitForFunction(() => document.fullscreenElement === null);
  });

  it("DevTools replacing the overlay's style attribute (display:none !important) is repaired at once, recorded and audited, and playback goes on", async () => {
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    assert.equal(await playerState(page, ['playing']), 'playing');
    const events = await securityEventCount();
    // The overlay's node id in this DevTools session (object ids belong to the session that made them).
    await cdp.send('DOM.getDocument', { depth: 0 });
    const { result } = await cdp.send('Runtime.evaluate', { expression: `document.querySelector('veil-player').shadowRoot.querySelector('[part~="watermark"]')` });
    const { nodeId } = await cdp.send('DOM.requestNode', { objectId: result.objectId! });
    const audited = page.evaluate(
      () =>
        new Promise<unknown>((resolve) =>
          document.querySelector('veil-player')!.addEventListener('veil-audit', (event) => {
            const detail = (event as CustomEvent<{ type: string; data: unknown }>).detail;
            if (detail.type === 'watermark-tampered') resolve(detail.data);
          }),
        ),
    );
    const startTime = await page.evaluate(() => document.querySelector('veil-player')!.currentTime);
    // What DevTools' Elements panel sends when the attribute is edited.
    await cdp.send('DOM.setAttributeValue', { nodeId, name: 'style', value: 'display:none !important' });
    await page.waitForFunction((n: number) => (document.querySelector('veil-player') as unknown as { securityEvents: unknown[] }).securityEvents.length > n, { timeout: 5000 }, events);
    const last = await page.evaluate(() => (document.querySelector('veil-player') as unknown as { securityEvents: Array<{ type: string; vectors: string[] }> }).securityEvents.at(-1));
    assert.deepEqual({ type: last?.type, vectors: last?.vectors }, { type: 'watermark-tampered', vectors: ['inline-style'] });
    assert.deepEqual(await audited, { vector: 'inline-style' });
    const display = await page.evaluate(() => getComputedStyle(document.querySelector('veil-player')!.shadowRoot!.querySelector('[part~="watermark"]')!).display);
    assert.notEqual(display, 'none', 'the strict style-src did not apply the replacement');
    await page.waitForFunction((t: number) => document.querySelector('veil-player')!.currentTime > t + 1, { timeout: 15_000 }, startTime);
    assert.equal(await playerState(page, ['playing']), 'playing');
    assert.equal(await errorCode(), null);
    // The CSP refused DevTools' attribute (and only that): reported, then set aside for the later checks.
    assert.ok(csp.length > 0 && csp.every((line) => /inline style|style-src-attr/.test(line)), csp.join('\n'));
    csp.splice(0);
  });

  it('refuses video Picture-in-Picture, even with a user gesture', async () => {
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.id = 'try-pip';
      button.textContent = 'PiP';
      document.body.prepend(button);
      button.addEventListener('click', () => {
        const video = document.querySelector('veil-player')!.shadowRoot!.querySelector('video')!;
        const own = video.requestPictureInPicture();
        const browsers = HTMLVideoElement.prototype.requestPictureInPicture.call(video);
        void Promise.allSettled([own, browsers]).then((results) => {
          document.body.dataset.pip = results.map((r) => (r.status === 'fulfilled' ? 'entered' : (r.reason as DOMException).name)).join(' ');
        });
      });
    });
    await page.click('#try-pip');
    await page.waitForFunction(() => document.body.dataset.pip !== undefined);
    assert.equal(await page.evaluate(() => document.body.dataset.pip), 'NotAllowedError InvalidStateError');
    assert.equal(await page.evaluate(() => document.pictureInPictureElement), null);
  });

  it('refuses to play in a Document Picture-in-Picture window, and plays again once back', async () => {
    assert.equal(await page.evaluate(() => 'documentPictureInPicture' in window), true, 'this Chromium offers Document PiP');
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.id = 'try-document-pip';
      button.textContent = 'Document PiP';
      document.body.prepend(button);
      button.addEventListener('click', () => {
        const api = (window as unknown as { documentPictureInPicture: { requestWindow(o: object): Promise<Window> } }).documentPictureInPicture;
        void api.requestWindow({ width: 480, height: 300 }).then(
          (pip) => {
            pip.document.body.append(document.querySelector('veil-player')!);
            document.body.dataset.documentPip = 'moved';
          },
          (error: DOMException) => (document.body.dataset.documentPip = `failed ${error.name}`),
        );
      });
    });
    await page.click('#try-document-pip');
    await page.waitForFunction(() => document.body.dataset.documentPip !== undefined);
    assert.equal(await page.evaluate(() => document.body.dataset.documentPip), 'moved');
    // The player now lives in the PiP window's document.
    const inPip = await page.evaluate(() => {
      const api = (window as unknown as { documentPictureInPicture: { window: Window | null } }).documentPictureInPicture;
      const player = api.window!.document.querySelector('veil-player')!;
      const video = player.shadowRoot!.querySelector('video')!;
      return { state: player.getAttribute('state'), errorCode: player.getAttribute('error-code'), paused: video.paused, vectors: (player as unknown as { securityEvents: Array<{ vectors: string[] }> }).securityEvents.at(-1)?.vectors };
    });
    assert.deepEqual(inPip, { state: 'error', errorCode: 'WATERMARK_TAMPERED', paused: true, vectors: ['document-pip'] });
    const refused = await page.evaluate(() => {
      const api = (window as unknown as { documentPictureInPicture: { window: Window | null } }).documentPictureInPicture;
      const player = api.window!.document.querySelector('veil-player') as unknown as { play(): Promise<void> };
      return player.play().then(() => 'played', (error: { code?: string }) => error.code ?? 'other');
    });
    assert.equal(refused, 'WATERMARK_TAMPERED');

    await page.evaluate(() => {
      const api = (window as unknown as { documentPictureInPicture: { window: Window | null } }).documentPictureInPicture;
      const pip = api.window!;
      document.querySelector('veil-session')!.append(pip.document.querySelector('veil-player')!);
      pip.close();
    });
    assert.equal(await playerState(page, ['paused']), 'paused');
    assert.equal(await errorCode(), null);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    assert.equal(await playerState(page, ['playing']), 'playing');
  });

  it('a host page attribute, property or custom property can neither change the text nor switch the guard off', async () => {
    await page.evaluate(() => {
      const player = document.querySelector('veil-player')!;
      for (const [name, value] of [['watermark', 'off'], ['no-watermark', ''], ['watermark-text', 'nobody'], ['data-watermark', 'false']]) {
        player.setAttribute(name!, value!);
      }
      Object.assign(player, { watermark: { required: false, text: 'nobody' }, watermarkText: 'nobody', guard: null });
      player.style.setProperty('--veil-watermark-opacity', '0');
    });
    // A move (new spot, fresh time) re-renders the text: still the server's.
    await nextMove((await layout()).overlay);
    const { text } = await layout();
    assert.match(text, /^alice@acme\.test/);
    assert.doesNotMatch(text, /nobody/);
    const opacity = await page.evaluate(() => getComputedStyle(document.querySelector('veil-player')!.shadowRoot!.querySelector('[part~="watermark"]')!).opacity);
    assert.equal(opacity, '0.35', 'the policy minimum, not the host value 0');

    // The guard still holds the player when the page hides the watermark (an adopted ::part sheet: allowed by the CSP, so a real vector).
    await page.evaluate(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('veil-player::part(watermark) { visibility: hidden }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    });
    await page.waitForFunction(() => document.querySelector('veil-player')!.getAttribute('error-code') === 'WATERMARK_TAMPERED', { timeout: 5000 });
    assert.equal(await playerState(page, ['error']), 'error');
    assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.paused), true);
    await page.evaluate(() => {
      document.adoptedStyleSheets = [];
    });
    assert.equal(await playerState(page, ['paused']), 'paused');
    assert.equal(await errorCode(), null);
    assert.deepEqual(csp, []);
  });
});
