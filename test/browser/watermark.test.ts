/**
 * The watermark and its tamper guard on a really playing `<veil-player>` (canvas engine, stubbed
 * token service): one test per tamper vector — each pauses playback, raises WATERMARK_TAMPERED,
 * refuses to play while tampered and recovers once undone — and an untouched player that plays
 * through several re-positions without a false alarm. Pause latencies are printed at the end.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import type { VeilError } from '../../src/protocol/errors.js';
import type { TamperVector, WatermarkSecurityEvent } from '../../src/watermark/types.js';
import { grantedPlayer, type GrantedPlayer } from './fixtures.js';

const PART = 'veil-player::part(watermark)';

/** Tamper → media paused, per vector (ms). */
const latencies: Array<{ vector: string; ms: number }> = [];

after(() => {
  const sorted = latencies.map(({ ms }) => ms).sort((a, b) => a - b);
  if (!sorted.length) return;
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  console.log(
    `[watermark] pause latency over ${sorted.length} tampers: median ${median.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms — ` +
      latencies.map(({ vector, ms }) => `${vector} ${ms.toFixed(1)}`).join(', '),
  );
});

/** A `<style>` in the page's head (how a host page, or anyone on it, styles `::part`); returns its remover. */
function pageStyle(css: string): () => void {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  return () => style.remove();
}

function sheet(css: string): CSSStyleSheet {
  const result = new CSSStyleSheet();
  result.replaceSync(css);
  return result;
}

interface Observed {
  errors: VeilError[];
  tampered: WatermarkSecurityEvent[];
  restored: WatermarkSecurityEvent[];
}

function observe(g: GrantedPlayer): Observed {
  const observed: Observed = { errors: [], tampered: [], restored: [] };
  g.player.addEventListener('veil-error', (event) => observed.errors.push((event as CustomEvent<VeilError>).detail));
  g.player.addEventListener('veil-watermark-tampered', (event) => observed.tampered.push((event as CustomEvent<WatermarkSecurityEvent>).detail));
  g.player.addEventListener('veil-watermark-restored', (event) => observed.restored.push((event as CustomEvent<WatermarkSecurityEvent>).detail));
  return observed;
}

const isTampered = (g: GrantedPlayer) => g.player.getAttribute('error-code') === 'WATERMARK_TAMPERED';

/** Resolves with the time of the media's next `pause` event (rejects after `ms`). */
function nextPause(video: HTMLVideoElement, ms = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no pause within ${ms} ms`)), ms);
    video.addEventListener(
      'pause',
      (event) => {
        clearTimeout(timer);
        resolve(event.timeStamp);
      },
      { once: true },
    );
  });
}

/** Asserts the guard's whole reaction while tampered: paused, error state, events, play refused. */
async function expectHeld(g: GrantedPlayer, observed: Observed, vector: TamperVector): Promise<void> {
  const { player, video, root } = g;
  await waitUntil(() => isTampered(g), `error-code WATERMARK_TAMPERED for ${vector}`, { timeout: 3000 });
  expect(player.getAttribute('state')).to.equal('error');
  expect(video.paused, 'media paused').to.equal(true);
  expect(player.paused).to.equal(true);
  expect(player.error?.code).to.equal('WATERMARK_TAMPERED');
  expect(player.error?.category).to.equal('watermark');
  expect(player.error?.severity).to.equal('recoverable');

  const error = observed.errors.find((e) => e.code === 'WATERMARK_TAMPERED');
  expect(error, 'veil-error WATERMARK_TAMPERED').to.not.equal(undefined);
  expect(error!.data.vectors as string[]).to.include(vector);
  expect(observed.tampered.length).to.equal(1);
  const [event] = observed.tampered;
  expect(event!.type).to.equal('watermark-tampered');
  expect(event!.vectors).to.include(vector);
  expect(event!.videoId).to.equal('v1');
  expect(event!.sessionId).to.match(/^story-/);
  expect(Math.abs(event!.at - Date.now())).to.be.lessThan(10_000);
  expect(player.securityEvents.at(-1)).to.deep.equal(event);

  expect(root.querySelector('[part="message"]')!.textContent).to.contain('watermark');

  let refused: unknown;
  await player.play().catch((e: unknown) => (refused = e));
  expect((refused as VeilError | undefined)?.code, 'play() is refused').to.equal('WATERMARK_TAMPERED');
  // Starting the media behind the player's back does not get far either.
  await video.play().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 120));
  expect(video.paused, 'a direct media play() is paused again').to.equal(true);
  expect(isTampered(g)).to.equal(true);
}

/** Once undone: released (state back to paused, no error-code), a restore event, and play works. */
async function expectRecovered(g: GrantedPlayer, observed: Observed, vector: TamperVector): Promise<void> {
  const { player } = g;
  await waitUntil(() => player.getAttribute('state') === 'paused' && !player.hasAttribute('error-code'), `recovers from ${vector}`, { timeout: 3000 });
  expect(observed.restored.length).to.equal(1);
  expect(observed.restored[0]!.vectors).to.include(vector);
  await player.play();
  await waitUntil(() => player.getAttribute('state') === 'playing', 'plays again', { timeout: 5000 });
}

/** Plays, tampers, checks the hold and the latency, undoes, checks recovery. */
async function tamperAndRecover(vector: TamperVector, tamper: (g: GrantedPlayer) => () => void): Promise<void> {
  const g = await grantedPlayer();
  try {
    expect(g.player.getAttribute('state')).to.equal('playing');
    const observed = observe(g);
    const paused = nextPause(g.video);
    // The guard pauses the media in the same task in which it dispatches this event.
    const detected = new Promise<number>((resolve) => g.player.addEventListener('veil-watermark-tampered', () => resolve(performance.now()), { once: true }));
    // A random phase against the guard's check interval (waitUntil polls at the same period, which
    // would otherwise line the tamper up just before a check and flatter the latency).
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 60));
    const start = performance.now();
    const undo = tamper(g);
    const [pausedAt, detectedAt] = await Promise.all([paused, detected]);
    latencies.push({ vector, ms: Math.max(pausedAt, detectedAt) - start });
    await expectHeld(g, observed, vector);
    undo();
    await expectRecovered(g, observed, vector);
  } finally {
    g.restore();
  }
}

/** The text node lit renders for the viewer line. */
function viewerText(g: GrantedPlayer): Text {
  const span = g.overlay().querySelector('span')!;
  return [...span.childNodes].find((node): node is Text => node.nodeType === Node.TEXT_NODE && !!(node as Text).data.trim())!;
}

describe('watermark overlay', () => {
  it('shows the server session identity, moves at the policy interval, and an untouched player plays on with no false alarm', async () => {
    const g = await grantedPlayer({ watermark: { intervalSeconds: 0.3 } });
    try {
      const observed = observe(g);
      const overlay = g.overlay();
      expect(overlay.textContent).to.match(/^viewer@acme\.teststory-[\w-]{2} · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      expect(overlay.getAttribute('part')).to.equal('watermark');
      expect(overlay.children.length).to.equal(2);
      const positions = new Set<string>();
      const startTime = g.video.currentTime;
      const until = performance.now() + 2000;
      while (performance.now() < until) {
        const box = overlay.getBoundingClientRect();
        const video = g.video.getBoundingClientRect();
        expect(box.left >= video.left - 1 && box.right <= video.right + 1 && box.top >= video.top - 1 && box.bottom <= video.bottom + 1, 'inside the video').to.equal(true);
        positions.add(`${Math.round(box.left)},${Math.round(box.top)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(positions.size, `positions seen: ${[...positions].join(' ')}`).to.be.greaterThanOrEqual(4);
      expect(g.overlay()).to.equal(overlay);
      expect(observed.tampered).to.deep.equal([]);
      expect(observed.errors).to.deep.equal([]);
      expect(g.player.getAttribute('state')).to.equal('playing');
      expect(g.player.hasAttribute('error-code')).to.equal(false);
      expect(g.video.currentTime).to.be.greaterThan(startTime + 1);
    } finally {
      g.restore();
    }
  });

  it("a replaced style attribute (DevTools) is repaired at once, recorded as an inline-style tamper and audited, and playback goes on", async () => {
    const g = await grantedPlayer();
    try {
      const observed = observe(g);
      const audited: Array<{ type: string; data: unknown }> = [];
      g.player.addEventListener('veil-audit', (event) => audited.push((event as CustomEvent<{ type: string; data: unknown }>).detail));
      const overlay = g.overlay();
      const own = overlay.getAttribute('style');
      const startTime = g.video.currentTime;
      // What a strict style-src leaves of DevTools' `style="display:none !important"`: the
      // overlay's own declarations gone, the replacement not applied.
      overlay.setAttribute('style', '');
      await waitUntil(() => observed.tampered.length === 1, 'recorded', { timeout: 3000 });
      expect(observed.tampered[0]!.vectors).to.deep.equal(['inline-style']);
      expect(overlay.getAttribute('style')).to.equal(own);
      expect(getComputedStyle(overlay).opacity).to.equal('0.5');
      await waitUntil(() => audited.some((event) => event.type === 'watermark-tampered'), 'audited', { timeout: 3000 });
      expect(audited.find((event) => event.type === 'watermark-tampered')!.data).to.deep.equal({ vector: 'inline-style' });
      await waitUntil(() => g.video.currentTime > startTime + 1, 'plays on', { timeout: 5000 });
      expect(g.video.paused).to.equal(false);
      expect(g.player.getAttribute('state')).to.equal('playing');
      expect(g.player.hasAttribute('error-code')).to.equal(false);
      expect(observed.errors).to.deep.equal([]);
      expect(observed.restored).to.deep.equal([]);
      expect(observed.tampered.length, 'one event per attempt').to.equal(1);
    } finally {
      g.restore();
    }
  });

  it('opacity is the host --veil-watermark-opacity, never below the policy minimum', async () => {
    const g = await grantedPlayer();
    try {
      const observed = observe(g);
      const opacity = () => Number(getComputedStyle(g.overlay()).opacity);
      expect(opacity()).to.equal(0.5);
      g.player.style.setProperty('--veil-watermark-opacity', '0');
      expect(opacity()).to.equal(0.3);
      g.player.style.setProperty('--veil-watermark-opacity', '0.9');
      expect(opacity()).to.equal(0.9);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(observed.tampered).to.deep.equal([]);
      expect(g.player.getAttribute('state')).to.equal('playing');
    } finally {
      g.restore();
    }
  });

  it('a host restyle within the policy (font, colour, shadow) is no tampering', async () => {
    const g = await grantedPlayer();
    const removeStyle = pageStyle(`${PART} { font: italic 600 18px serif; color: #ff0; text-shadow: 0 0 2px #00f; background: rgba(0, 0, 0, 0.3) }`);
    try {
      const observed = observe(g);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(getComputedStyle(g.overlay()).color).to.equal('rgb(255, 255, 0)');
      expect(observed.tampered).to.deep.equal([]);
      expect(g.player.getAttribute('state')).to.equal('playing');
    } finally {
      removeStyle();
      g.restore();
    }
  });

  it('host attributes and properties can neither change the text nor switch the guard off', async () => {
    const g = await grantedPlayer({ watermark: { intervalSeconds: 0.3 } });
    try {
      const { player } = g;
      const observed = observe(g);
      for (const [name, value] of [['watermark', 'off'], ['no-watermark', ''], ['watermark-text', 'nobody'], ['text', 'nobody'], ['guard', 'off'], ['data-watermark', 'false']]) {
        player.setAttribute(name!, value!);
      }
      const loose = player as unknown as Record<string, unknown>;
      loose.watermark = { required: false, text: 'nobody' };
      loose.watermarkText = 'nobody';
      loose.guard = null;
      loose.tampered = false;
      await new Promise((resolve) => setTimeout(resolve, 700)); // two re-positions with a fresh time
      expect(g.overlay().textContent).to.match(/^viewer@acme\.test/);
      expect(g.overlay().textContent).to.not.contain('nobody');
      expect(observed.tampered).to.deep.equal([]);
      expect(player.getAttribute('state')).to.equal('playing');

      const removeStyle = pageStyle(`${PART} { display: none }`);
      try {
        await expectHeld(g, observed, 'display');
      } finally {
        removeStyle();
      }
      await expectRecovered(g, observed, 'display');
    } finally {
      g.restore();
    }
  });

  it('the policy is applied from the playback session; required: false draws no overlay and guards nothing', async () => {
    const g = await grantedPlayer({ watermark: { required: false } });
    try {
      expect(g.root.querySelector('[part~="watermark"]')).to.equal(null);
      expect(g.player.getAttribute('state')).to.equal('playing');
    } finally {
      g.restore();
    }
  });
});

describe('Picture-in-Picture', () => {
  it('video PiP requests fail: the instance method, and the browser\'s own (disablepictureinpicture)', async () => {
    const g = await grantedPlayer();
    try {
      const observed = observe(g);
      expect(g.video.disablePictureInPicture).to.equal(true);
      // With a real user activation, so the refusal is the player's, not the missing gesture's.
      const button = document.createElement('button');
      button.textContent = 'PiP';
      document.body.prepend(button);
      const outcome = new Promise<string[]>((resolve) => {
        button.addEventListener('click', async () => {
          const results: string[] = [];
          for (const request of [() => g.video.requestPictureInPicture(), () => HTMLVideoElement.prototype.requestPictureInPicture.call(g.video)]) {
            results.push(await request().then(() => 'entered', (error: DOMException) => error.name));
          }
          resolve(results);
        });
      });
      const box = button.getBoundingClientRect();
      await sendMouse({ type: 'click', position: [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)] });
      expect(await outcome).to.deep.equal(['NotAllowedError', 'InvalidStateError']);
      button.remove();
      expect(document.pictureInPictureElement).to.equal(null);
      expect(observed.tampered).to.deep.equal([]);
    } finally {
      g.restore();
    }
  });

  it('a player moved into another document (as into a Document Picture-in-Picture window) refuses to play there', async () => {
    const g = await grantedPlayer();
    const frame = document.createElement('iframe');
    document.body.append(frame);
    try {
      const { player, video } = g;
      const observed = observe(g);
      const start = performance.now();
      frame.contentDocument!.body.append(player);
      // Leaving the document stops the engine (media reset: paused without a pause event).
      await waitUntil(() => video.paused, 'paused in the other document', { timeout: 3000 });
      latencies.push({ vector: 'document-pip', ms: performance.now() - start });
      await waitUntil(() => isTampered(g), 'held in the other document', { timeout: 3000 });
      expect(player.getAttribute('state')).to.equal('error');
      expect(video.paused).to.equal(true);
      expect(observed.tampered[0]!.vectors).to.deep.equal(['document-pip']);
      let refused: unknown;
      await player.play().catch((e: unknown) => (refused = e));
      expect((refused as VeilError).code).to.equal('WATERMARK_TAMPERED');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(video.paused).to.equal(true);

      // Back home, it starts over (a new playback session) and plays.
      g.host.append(player);
      await waitUntil(() => player.getAttribute('state') === 'paused' && !player.hasAttribute('error-code'), 'restarts at home', { timeout: 10_000 });
      expect(observed.restored[0]!.vectors).to.deep.equal(['document-pip']);
      await player.play();
      await waitUntil(() => player.getAttribute('state') === 'playing', 'plays at home', { timeout: 5000 });
    } finally {
      frame.remove();
      g.restore();
    }
  });
});

describe('tamper guard: one test per vector', () => {
  it('overlay node removed', () =>
    tamperAndRecover('removed', (g) => {
      const overlay = g.overlay();
      const next = overlay.nextSibling;
      overlay.remove();
      return () => g.root.insertBefore(overlay, next);
    }));

  it('overlay node replaced by a look-alike (same part, same text)', () =>
    tamperAndRecover('replaced', (g) => {
      const overlay = g.overlay();
      const fake = overlay.cloneNode(true) as HTMLElement;
      overlay.replaceWith(fake);
      return () => fake.replaceWith(overlay);
    }));

  it('overlay text edited', () =>
    tamperAndRecover('text', (g) => {
      const text = viewerText(g);
      const original = text.data;
      text.data = 'someone-else@example.test';
      return () => (text.data = original);
    }));

  it('hidden by display (inline style on the overlay)', () =>
    tamperAndRecover('display', (g) => {
      const overlay = g.overlay();
      overlay.style.setProperty('display', 'none', 'important');
      return () => overlay.style.removeProperty('display');
    }));

  it('hidden by visibility (::part rule)', () => tamperAndRecover('visibility', () => pageStyle(`${PART} { visibility: hidden }`)));

  it('hidden by opacity below the policy minimum (::part rule)', () => tamperAndRecover('opacity', () => pageStyle(`${PART} { opacity: 0.05 }`)));

  it('hidden by clip-path (::part rule)', () => tamperAndRecover('clip-path', () => pageStyle(`${PART} { clip-path: inset(50%) }`)));

  it('hidden by transform (::part rule)', () => tamperAndRecover('transform', () => pageStyle(`${PART} { transform: scale(0.01) }`)));

  it('hidden by zero size (::part rule)', () =>
    tamperAndRecover('size', () => pageStyle(`${PART} { width: 0; height: 0; padding: 0; overflow: hidden }`)));

  it('moved off the video (::part rule)', () => tamperAndRecover('off-video', () => pageStyle(`${PART} { left: -4000px; right: auto }`)));

  it('pinned in place so it stops moving (::part rule overriding its position)', () =>
    tamperAndRecover('position', () => pageStyle(`${PART} { left: 0; top: 0; right: auto; bottom: auto; margin: 0 }`)));

  it('put behind the video (::part(video) z-index)', () =>
    tamperAndRecover('behind-video', () => pageStyle('veil-player::part(video) { z-index: 5 }')));

  it('put behind the video (::part(watermark) z-index), even with the video click-through', () =>
    tamperAndRecover('behind-video', () => pageStyle(`${PART} { z-index: -1 } veil-player::part(video) { pointer-events: none }`)));

  it('styles injected through a document adopted style sheet (::part)', () =>
    tamperAndRecover('opacity', () => {
      const before = [...document.adoptedStyleSheets]; // a copy: the property is a live array
      document.adoptedStyleSheets = [...before, sheet(`${PART} { opacity: 0 }`)];
      return () => (document.adoptedStyleSheets = before);
    }));

  it("a sheet adopted into the player's shadow root (even a harmless one)", () =>
    tamperAndRecover('shadow-styles', (g) => {
      const before = [...g.root.adoptedStyleSheets];
      g.root.adoptedStyleSheets = [...before, sheet('.watermark { color: red }')];
      return () => (g.root.adoptedStyleSheets = before);
    }));

  it("a rule inserted into the player's own style sheet", () =>
    tamperAndRecover('shadow-styles', (g) => {
      const own = g.root.adoptedStyleSheets[0]!;
      const index = own.insertRule('.watermark { letter-spacing: 1px }', own.cssRules.length);
      return () => own.deleteRule(index);
    }));

  it("the player's shadow root content altered: a node added", () =>
    tamperAndRecover('shadow-root-altered', (g) => {
      const extra = document.createElement('div');
      g.root.append(extra);
      return () => extra.remove();
    }));

  it("the player's shadow root content altered: an attribute of the video changed", () =>
    tamperAndRecover('shadow-root-altered', (g) => {
      g.video.setAttribute('controls', '');
      return () => g.video.removeAttribute('controls');
    }));

  it('Picture-in-Picture allowed again (disablepictureinpicture removed)', () =>
    tamperAndRecover('picture-in-picture', (g) => {
      g.video.removeAttribute('disablepictureinpicture');
      return () => g.video.setAttribute('disablepictureinpicture', '');
    }));

  it('another element covering the overlay (elementsFromPoint)', () =>
    tamperAndRecover('covered', (g) => {
      const box = g.overlay().getBoundingClientRect();
      const cover = document.createElement('div');
      for (const [name, value] of Object.entries({
        position: 'fixed',
        left: `${box.left}px`,
        top: `${box.top}px`,
        width: `${box.width}px`,
        height: `${box.height}px`,
        background: '#000',
        'z-index': '10',
      })) {
        cover.style.setProperty(name, value);
      }
      document.body.append(cover);
      return () => cover.remove();
    }));

  it("covered by the host's own pseudo-element", () =>
    tamperAndRecover('covered', () => pageStyle("veil-player::after { content: ''; position: absolute; inset: 0; z-index: 5; background: #000 }")));

  // Further ways to make text unreadable without the listed properties.
  const more: Array<[TamperVector, string]> = [
    ['filter', 'filter: blur(20px)'],
    ['mask', 'mask-image: linear-gradient(transparent, transparent)'],
    ['color', 'color: transparent; text-shadow: none'],
    ['blend-mode', 'mix-blend-mode: multiply'],
    ['content-visibility', 'content-visibility: hidden'],
    ['text-indent', 'text-indent: -9999px'],
  ];
  for (const [vector, css] of more) {
    it(`hidden by ${css} (::part rule)`, () => tamperAndRecover(vector, () => pageStyle(`${PART} { ${css} }`)));
  }
});
