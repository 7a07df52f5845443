/**
 * The tamper guard: a ReactiveController that keeps checking that the watermark is there and
 * visible over the video, and holds playback while it is not.
 *
 * When it looks: at once on any DOM change in the player's shadow root or on the host's
 * attributes, in the next animation frame (before it is painted) after the page's DOM changes
 * (elements added or removed, `style`/`class`/`hidden` edited: covers, `<style>` elements), when
 * the media starts playing, and every `CHECK_INTERVAL_MS` for what changes without a mutation to
 * observe (CSSOM edits, adopted sheets, layout). What it checks: see `TamperVector`.
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
import { videoShown, visibilityProblems } from './visibility-checks.js';

/** How often the guard looks without being told of a change (the pause latency bound). */
export const CHECK_INTERVAL_MS = 50;

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
  #frame = 0;
  #timer?: ReturnType<typeof setInterval>;
  #video?: HTMLVideoElement;
  #sheets?: { sheets: CSSStyleSheet[]; text: string };
  #vectors: TamperVector[] = [];
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
      if (records.some((record) => !OWN_HOST_ATTRIBUTES.has(record.attributeName ?? ''))) this.check();
    });
    this.#hostObserver.observe(this.#host, { attributes: true });
    this.#pageObserver = new MutationObserver(() => this.#checkNextFrame());
    this.#pageObserver.observe(this.#host.ownerDocument, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['style', 'class', 'hidden'],
    });
    this.#syncTimer();
    this.check();
  }

  hostDisconnected(): void {
    this.#hostObserver?.disconnect();
    this.#pageObserver?.disconnect();
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    clearInterval(this.#timer);
    this.#timer = undefined;
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
    this.#syncTimer();
  }

  /** Looks now; holds or releases the player accordingly. */
  check(): void {
    if (!this.#host.isConnected) return;
    const vectors = this.#findVectors();
    if (vectors.length) this.#tamper(vectors);
    else if (this.tampered) this.#restore();
  }

  /** One check per frame however much the page changes, before the frame is painted. */
  #checkNextFrame(): void {
    if (this.#frame || !this.#overlay.policy) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.check();
    });
  }

  #findVectors(): TamperVector[] {
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
    if (this.#sheetsAltered(root)) vectors.add('shadow-styles');
    if (pictureInPictureOpen(root, video)) {
      leavePictureInPicture(root, video);
      vectors.add('picture-in-picture');
    }
    const fullscreen = root.fullscreenElement;
    if (fullscreen && fullscreen !== overlay) {
      void this.#host.ownerDocument.exitFullscreen().catch(() => undefined);
      vectors.add('fullscreen');
    }
    if (overlayInPlace && video.getRootNode() === root && videoShown(video)) {
      for (const vector of visibilityProblems({ host: this.#host, root, overlay, video, minOpacity: policy.minOpacity })) vectors.add(vector);
      if (!vectors.size && this.#overlay.misplaced()) vectors.add('position');
      // Hit-testing toggled the overlay's inline style: those records are the guard's own.
      this.#integrity?.flushForeign();
    }
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
    video.addEventListener('enterpictureinpicture', () => this.check());
  }

  /** Attribute changes made outside lit's render that are the player's or its engine's own. */
  #ownAttribute(element: Element, name: string): boolean {
    if (element instanceof HTMLMediaElement) return ENGINE_ATTRIBUTES.has(name);
    // The overlay controller positions the overlay through its inline style; the visibility checks judge the result.
    return name === 'style' && element === this.#overlay.element.value;
  }

  #sheetsAltered(root: ShadowRoot): boolean {
    const expected = this.#sheets;
    if (!expected) return false;
    const now = root.adoptedStyleSheets;
    if (now.length !== expected.sheets.length || now.some((sheet, i) => sheet !== expected.sheets[i])) return true;
    return sheetsText(now) !== expected.text;
  }

  #syncTimer(): void {
    const wanted = this.#host.isConnected && (!!this.#overlay.policy || this.inForeignDocument || this.tampered);
    if (wanted && !this.#timer) this.#timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
    else if (!wanted && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #root(): ShadowRoot | undefined {
    const root = this.#host.renderRoot;
    return root instanceof ShadowRoot ? root : undefined;
  }
}

function snapshotSheets(root: ShadowRoot): { sheets: CSSStyleSheet[]; text: string } {
  const sheets = [...root.adoptedStyleSheets];
  return { sheets, text: sheetsText(sheets) };
}

function sheetsText(sheets: readonly CSSStyleSheet[]): string {
  let text = '';
  for (const sheet of sheets) for (const rule of sheet.cssRules) text += rule.cssText;
  return text;
}
