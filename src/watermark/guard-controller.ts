/**
 * The tamper guard: a ReactiveController that keeps checking that the watermark is there and
 * visible over the video, and holds playback while it is not.
 *
 * When it looks, driven by what can change: at once on any DOM change in the player's shadow root
 * or on the host's attributes; in the next animation frame (before it is painted) after the page's
 * DOM changes (elements added or removed, `style`/`class`/`hidden` edited: covers, `<style>`
 * elements); when the host, video or overlay is resized or the overlay enters or leaves the
 * viewport; on media events (play, seek, new picture size) and on fullscreen and
 * Picture-in-Picture changes. Those are full checks (`check()`).
 * What no observer reports (CSSOM edits, adopted sheets, animations) is looked for by a cheap
 * check every `WATCH_INTERVAL_MS` — computed style and geometry, which cost little on a page whose
 * style and layout are clean — and, in idle time at most every `DEEP_CHECK_INTERVAL_MS`, by the
 * costly ones: hit-testing for covers (`elementFromPoint`) and the text of the shadow root's
 * sheets. A fixed 50 ms timer doing all of it cost a playing page ×3.7 its main-thread time.
 * What it checks: see `TamperVector`.
 *
 * A foreign edit of the overlay's inline style (DevTools replacing its `style` attribute) is
 * repaired at once — the overlay controller writes its own style back — and recorded as a
 * `veil-watermark-tampered` event (`repaired: true`) without holding playback: the viewer never saw
 * a frame without the watermark.
 *
 * On tampering: pauses the media at once, has the player show `WATERMARK_TAMPERED` (state
 * `error`, `error-code`, `veil-error`), pauses again on any `play`, and records a security event
 * (`veil-watermark-tampered`). Once everything is intact again, it releases the player (the
 * viewer presses play again) and records `veil-watermark-restored`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VeilError } from '../protocol/errors.js';
import { emitVeilEvent } from '../internal/emit.js';
import type { WatermarkOverlay } from './overlay-controller.js';
import { leavePictureInPicture, pictureInPictureOpen, refusePictureInPicture } from './picture-in-picture.js';
import { ShadowIntegrity } from './shadow-integrity.js';
import type { TamperVector, WatermarkSecurityEvent } from './types.js';
import { measure, videoShown, visibilityProblems } from './visibility-checks.js';

/** How often the cheap checks look for what no observer reports (the pause latency bound for CSSOM edits). */
export const WATCH_INTERVAL_MS = 60;
/** How often, at most, the costly checks (hit-testing, sheet text) run without a change to trigger them. */
export const DEEP_CHECK_INTERVAL_MS = 500;
/** How long those wait for idle time before they run anyway. */
const DEEP_CHECK_TIMEOUT_MS = 100;
/** Media events after which the picture may sit elsewhere or be shown again. */
const MEDIA_EVENTS = ['playing', 'seeked', 'resize', 'loadedmetadata'] as const;

export interface WatermarkGuardHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** The media element lit rendered (not looked up again, so a substitute is not it). */
  readonly media: HTMLVideoElement | null;
  readonly video: string;
}

export interface WatermarkGuardOptions {
  /** Hold playback with this error (the media is already paused). */
  onTampered(error: VeilError): void;
  /** Release the hold. */
  onIntact(): void;
}

/**
 * Media attributes the engines set outside lit's render (MSE object URL, CORS, preload), and
 * `disableremoteplayback`, which shaka-player switches off when it tears down its MediaSource:
 * the guard switches it back on instead of counting it (remote playback cannot carry the overlay).
 */
const ENGINE_ATTRIBUTES = new Set(['src', 'crossorigin', 'preload', 'autoplay', 'loop', 'disableremoteplayback']);
/** Host attributes the player sets itself. */
const OWN_HOST_ATTRIBUTES = new Set(['state', 'error-code']);
const MAX_EVENTS = 100;

export class WatermarkGuard implements ReactiveController {
  readonly #host: WatermarkGuardHost;
  readonly #overlay: WatermarkOverlay;
  readonly #options: WatermarkGuardOptions;
  #integrity?: ShadowIntegrity;
  #hostObserver?: MutationObserver;
  #pageObserver?: MutationObserver;
  #resizeObserver?: ResizeObserver;
  #viewportObserver?: IntersectionObserver;
  #observedOverlay?: HTMLElement;
  #frame = 0;
  #timer?: ReturnType<typeof setInterval>;
  /** The pending idle callback of the costly checks (0: none). */
  #idle = 0;
  /** When the costly checks last ran (performance.now()). */
  #deepAt = 0;
  #video?: HTMLVideoElement;
  #sheets?: SheetsSnapshot;
  #vectors: TamperVector[] = [];
  /** An `inline-style` attempt was recorded and its foreign declarations are still there. */
  #inlineStyleRecorded = false;
  #error?: VeilError;
  readonly #events: WatermarkSecurityEvent[] = [];

  constructor(host: WatermarkGuardHost, overlay: WatermarkOverlay, options: WatermarkGuardOptions) {
    this.#host = host;
    this.#overlay = overlay;
    this.#options = options;
    host.addController(this);
  }

  get tampered(): boolean {
    return this.#vectors.length > 0;
  }

  /** The `WATERMARK_TAMPERED` error while tampered. */
  get error(): VeilError | undefined {
    return this.#error;
  }

  get securityEvents(): readonly WatermarkSecurityEvent[] {
    return this.#events.slice();
  }

  /** In a document other than the one the player was defined in (Document PiP, another frame). */
  get inForeignDocument(): boolean {
    return this.#host.ownerDocument !== document;
  }

  hostConnected(): void {
    const root = this.#root();
    if (root && !this.#integrity) {
      this.#integrity = new ShadowIntegrity(root, () => this.check(), (element, name) => this.#ownAttribute(element, name));
      this.#sheets = snapshotSheets(root);
    }
    this.#hostObserver = new MutationObserver((records) => {
      if (records.some((record) => this.#hostAttributeChanged(record))) this.check();
    });
    this.#hostObserver.observe(this.#host, { attributes: true, attributeOldValue: true });
    this.#pageObserver = new MutationObserver(() => this.#checkNextFrame());
    this.#pageObserver.observe(this.#host.ownerDocument, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['style', 'class', 'hidden'],
    });
    // Boxes that change size (fullscreen, a restyle, a new picture) or scroll into view.
    this.#resizeObserver = new ResizeObserver(() => this.check());
    this.#resizeObserver.observe(this.#host);
    if (this.#video) this.#resizeObserver.observe(this.#video);
    this.#viewportObserver = new IntersectionObserver(() => this.check(), { threshold: [0, 0.5, 1] });
    this.#observedOverlay = undefined;
    this.#observeOverlay();
    this.#host.ownerDocument.addEventListener('fullscreenchange', this.#onChange);
    this.#syncTimer();
    this.check();
  }

  hostDisconnected(): void {
    this.#hostObserver?.disconnect();
    this.#pageObserver?.disconnect();
    this.#resizeObserver?.disconnect();
    this.#viewportObserver?.disconnect();
    this.#host.ownerDocument.removeEventListener('fullscreenchange', this.#onChange);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#cancelIdle();
  }

  hostUpdate(): void {
    // Anything recorded before lit renders was not lit's doing.
    if (this.#integrity?.flushForeign()) queueMicrotask(() => this.check());
  }

  hostUpdated(): void {
    // Everything recorded during the render is lit's.
    this.#integrity?.flushTrusted();
    const video = this.#host.media;
    if (video && video !== this.#video) this.#adoptVideo(video);
    this.#observeOverlay();
    this.#syncTimer();
  }

  /**
   * Looks now; holds or releases the player accordingly. `deep: false` leaves out the costly
   * checks (hit-testing, sheet text): the periodic watch for what no observer reports.
   */
  check(deep = true): void {
    if (!this.#host.isConnected) return;
    // Only a full check may release a hold (a cheap one does not see a cover).
    if (this.tampered) deep = true;
    if (deep) this.#deepAt = performance.now();
    const vectors = this.#findVectors(deep);
    if (vectors.length) this.#tamper(vectors);
    else if (this.tampered) this.#restore();
  }

  readonly #onChange = () => this.check();

  /** The periodic watch: the cheap checks now, the costly ones in idle time when they are due. */
  #watch(): void {
    this.check(false);
    if (this.#idle || performance.now() - this.#deepAt < DEEP_CHECK_INTERVAL_MS) return;
    this.#idle = whenIdle(() => {
      this.#idle = 0;
      this.check();
    });
  }

  #cancelIdle(): void {
    if (this.#idle) cancelIdle(this.#idle);
    this.#idle = 0;
  }

  /** The overlay lit rendered last: watched for size changes and for entering or leaving the viewport. */
  #observeOverlay(): void {
    const overlay = this.#overlay.element.value;
    if (overlay === this.#observedOverlay) return;
    if (this.#observedOverlay) {
      this.#resizeObserver?.unobserve(this.#observedOverlay);
      this.#viewportObserver?.unobserve(this.#observedOverlay);
    }
    this.#observedOverlay = overlay;
    if (!overlay) return;
    this.#resizeObserver?.observe(overlay);
    this.#viewportObserver?.observe(overlay);
  }

  /** One check per frame however much the page changes, before the frame is painted. */
  #checkNextFrame(): void {
    if (this.#frame || !this.#overlay.policy) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.check();
    });
  }

  #findVectors(deep: boolean): TamperVector[] {
    if (this.inForeignDocument) return ['document-pip'];
    const policy = this.#overlay.policy;
    const root = this.#root();
    const overlay = this.#overlay.element.value;
    const video = this.#video;
    // Nothing to guard until lit has drawn the overlay for a session that requires one.
    if (video && !video.disableRemotePlayback) video.disableRemotePlayback = true;
    if (!policy || !root || !overlay || !video) return [];
    this.#integrity?.flushForeign();
    const vectors = new Set<TamperVector>();
    const overlayInPlace = overlay.parentNode === root;
    if (!overlayInPlace) vectors.add(root.querySelector('[part~="watermark"]') ? 'replaced' : 'removed');
    else if (overlay.textContent !== this.#overlay.text) vectors.add('text');
    if (video.getRootNode() !== root || this.#integrity?.altered()) vectors.add('shadow-root-altered');
    if (this.#sheetsAltered(root, deep)) vectors.add('shadow-styles');
    if (pictureInPictureOpen(root, video)) {
      leavePictureInPicture(root, video);
      vectors.add('picture-in-picture');
    }
    const fullscreen = root.fullscreenElement;
    if (fullscreen && fullscreen !== overlay) {
      void this.#host.ownerDocument.exitFullscreen().catch(() => undefined);
      vectors.add('fullscreen');
    }
    // A foreign edit of the overlay's inline style is repaired before the overlay is judged.
    const inlineStyle = overlayInPlace && this.#overlay.repairStyle();
    const geometry = overlayInPlace && video.getRootNode() === root ? measure(this.#host, video, overlay) : undefined;
    if (geometry && videoShown(video, geometry.video)) {
      for (const vector of visibilityProblems({ host: this.#host, root, overlay, video, minOpacity: policy.minOpacity, geometry }, deep)) vectors.add(vector);
      if (!vectors.size && this.#overlay.misplaced(geometry)) vectors.add('position');
      // Hit-testing toggled the overlay's inline style: those records are the guard's own.
      this.#integrity?.flushForeign();
    }
    // Repaired and visible: nothing to hold, but the attempt is a security event.
    if (inlineStyle && !vectors.size && !this.#inlineStyleRecorded) this.#record('watermark-tampered', ['inline-style']);
    // Once per attempt: a foreign declaration left beside the overlay's own is not recorded again.
    this.#inlineStyleRecorded = inlineStyle;
    return [...vectors];
  }

  #tamper(vectors: TamperVector[]): void {
    const video = this.#video ?? this.#host.media;
    if (video && !video.paused) video.pause();
    const first = !this.tampered;
    this.#vectors = vectors;
    if (!first) return;
    this.#error = new VeilError('WATERMARK_TAMPERED', { data: { vectors } });
    this.#options.onTampered(this.#error);
    this.#record('watermark-tampered', vectors);
  }

  #restore(): void {
    const vectors = this.#vectors;
    this.#vectors = [];
    this.#error = undefined;
    this.#options.onIntact();
    this.#record('watermark-restored', vectors);
  }

  #record(type: WatermarkSecurityEvent['type'], vectors: TamperVector[]): void {
    const event: WatermarkSecurityEvent = {
      type,
      vectors: [...vectors],
      at: Date.now(),
      videoId: this.#host.video,
      sessionId: this.#overlay.sessionId,
    };
    this.#events.push(Object.freeze(event));
    if (this.#events.length > MAX_EVENTS) this.#events.shift();
    emitVeilEvent(this.#host, type === 'watermark-tampered' ? 'veil-watermark-tampered' : 'veil-watermark-restored', event);
  }

  #adoptVideo(video: HTMLVideoElement): void {
    this.#video = video;
    refusePictureInPicture(video);
    // Whoever starts the media (a script on the shadow root, media keys), it stops again.
    video.addEventListener('play', () => {
      this.check();
      if (this.tampered) video.pause();
    });
    video.addEventListener('enterpictureinpicture', this.#onChange);
    for (const type of MEDIA_EVENTS) video.addEventListener(type, this.#onChange);
    this.#resizeObserver?.observe(video);
  }

  /**
   * A host attribute someone else changed. A write of the value it already had changes nothing
   * (the player writes its `aria-label` after every render: a full check each time was most of
   * the guard's cost during playback).
   */
  #hostAttributeChanged(record: MutationRecord): boolean {
    const name = record.attributeName ?? '';
    return !OWN_HOST_ATTRIBUTES.has(name) && record.oldValue !== this.#host.getAttribute(name);
  }

  /** Attribute changes made outside lit's render that are the player's or its engine's own. */
  #ownAttribute(element: Element, name: string): boolean {
    if (element instanceof HTMLMediaElement) return ENGINE_ATTRIBUTES.has(name);
    // The overlay controller positions the overlay through its inline style; the visibility checks judge the result.
    return name === 'style' && element === this.#overlay.element.value;
  }

  /**
   * Whether the shadow root's sheets were swapped or edited. Cheap: the same sheets with as many
   * rules (catches adopting, replacing, inserting, deleting); `deep`: also the same text (catches
   * a rule edited in place — whose effect on the overlay the cheap style checks see anyway).
   */
  #sheetsAltered(root: ShadowRoot, deep: boolean): boolean {
    const expected = this.#sheets;
    if (!expected) return false;
    const now = root.adoptedStyleSheets;
    if (now.length !== expected.sheets.length || now.some((sheet, i) => sheet !== expected.sheets[i] || sheet.cssRules.length !== expected.rules[i])) return true;
    return deep && sheetsText(now) !== expected.text;
  }

  #syncTimer(): void {
    const wanted = this.#host.isConnected && (!!this.#overlay.policy || this.inForeignDocument || this.tampered);
    if (wanted && !this.#timer) this.#timer = setInterval(() => this.#watch(), WATCH_INTERVAL_MS);
    else if (!wanted && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#cancelIdle();
    }
  }

  #root(): ShadowRoot | undefined {
    const root = this.#host.renderRoot;
    return root instanceof ShadowRoot ? root : undefined;
  }
}

interface SheetsSnapshot {
  sheets: CSSStyleSheet[];
  /** Rules per sheet. */
  rules: number[];
  text: string;
}

function snapshotSheets(root: ShadowRoot): SheetsSnapshot {
  const sheets = [...root.adoptedStyleSheets];
  return { sheets, rules: sheets.map((sheet) => sheet.cssRules.length), text: sheetsText(sheets) };
}

/** Runs `callback` in idle time, or after `DEEP_CHECK_TIMEOUT_MS` at the latest (Safari has no requestIdleCallback). */
function whenIdle(callback: () => void): number {
  if (typeof requestIdleCallback === 'function') return requestIdleCallback(callback, { timeout: DEEP_CHECK_TIMEOUT_MS });
  return setTimeout(callback, DEEP_CHECK_TIMEOUT_MS) as unknown as number;
}

function cancelIdle(handle: number): void {
  if (typeof cancelIdleCallback === 'function') cancelIdleCallback(handle);
  else clearTimeout(handle);
}

function sheetsText(sheets: readonly CSSStyleSheet[]): string {
  let text = '';
  for (const sheet of sheets) for (const rule of sheet.cssRules) text += rule.cssText;
  return text;
}
