/**
 * Draws the viewer watermark over the video and moves it: a ReactiveController that owns the
 * overlay's text and position. The text comes only from the playback session (set by the player
 * from the server's answer); nothing the host page sets reaches it.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { capture } from '../internal/capture.js';
import { applyPolicy, opacityValue, watermarkLines, type AppliedWatermarkPolicy } from './policy.js';
import type { WatermarkPolicy } from '../protocol/playback.js';
import type { Geometry } from './visibility-checks.js';

export interface WatermarkOverlayHost extends ReactiveControllerHost, HTMLElement {
  readonly media: HTMLVideoElement | null;
}

export class WatermarkOverlay implements ReactiveController {
  /** The element lit rendered for the overlay (captured from the render, so a look-alike put in its place is not it). */
  readonly element: { value?: HTMLElement } = {};
  #policy?: AppliedWatermarkPolicy;
  #sessionId = '';
  #lines: readonly [string, string] = ['', ''];
  /** What the last render put in the overlay: the guard compares the DOM with this. */
  #rendered = '';
  /** Where in the free space of the picture the overlay sits, as fractions (0..1). */
  #spot = { x: Math.random(), y: Math.random() };
  /** How the overlay was last placed: anchor edges and offsets as fractions of the host's size. */
  #placed?: { fromLeft: boolean; fromTop: boolean; x: number; y: number };
  /** The inline declarations the last placement wrote (the overlay's whole inline style). */
  #written?: Record<string, string>;
  /** What the last placement was computed from, besides box sizes (see `#placementInputs`). */
  #placedFrom: readonly unknown[] = [];
  #timer?: ReturnType<typeof setInterval>;
  /** Re-places on a size change of the host, the video or the overlay. */
  #resize?: ResizeObserver;
  /** The elements `#resize` observes (the host's media and overlay are taken on as lit renders them). */
  #sized = new WeakSet<Element>();
  readonly #host: WatermarkOverlayHost;

  constructor(host: WatermarkOverlayHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The policy in force (frozen), or undefined when no playback session asks for a watermark. */
  get policy(): AppliedWatermarkPolicy | undefined {
    return this.#policy?.required ? this.#policy : undefined;
  }

  get sessionId(): string {
    return this.#sessionId;
  }

  /** The overlay's text as it must read (`textContent`), as last rendered. */
  get text(): string {
    return this.#rendered;
  }

  /** Called by the host with each playback session's policy; `undefined` when there is none. */
  setPolicy(policy: WatermarkPolicy | undefined, sessionId: string): void {
    if (!policy) {
      if (!this.#policy) return;
      this.#policy = undefined;
      this.#stopTimer();
      this.#host.requestUpdate();
      return;
    }
    if (this.#policy && this.#sessionId === sessionId) return;
    this.#policy = applyPolicy(policy);
    this.#sessionId = sessionId;
    this.#move();
    this.#startTimer();
  }

  hostConnected(): void {
    this.#resize = new ResizeObserver(() => this.#place());
    this.#sized = new WeakSet();
    this.#observeSize(this.#host);
    if (this.#policy) this.#startTimer();
  }

  hostDisconnected(): void {
    this.#resize?.disconnect();
    this.#stopTimer();
  }

  hostUpdated(): void {
    this.#observeSize(this.element.value);
    this.#observeSize(this.#host.media);
    // The player renders several times a second while playing (time, seek bar); placing reads
    // layout, so only a render that brought something new is followed by a placement. Size
    // changes (a longer text, fullscreen, a restyle) arrive through the ResizeObserver.
    const inputs = this.#placementInputs();
    if (inputs.some((input, i) => input !== this.#placedFrom[i])) this.#place();
  }

  /** The overlay, for the player's template: text bindings only, so lit escapes it (never HTML). */
  template() {
    if (!this.policy) return nothing;
    const [viewer, session] = this.#lines;
    this.#rendered = viewer + session;
    return html`<div part="watermark" class="watermark" aria-hidden="true" ${capture((element) => (this.element.value = element as HTMLElement))}><span>${viewer}</span><span>${session}</span></div>`;
  }

  /**
   * Whether the overlay is somewhere other than where it was placed: a rule that overrides its
   * position (or margins) would pin it, so it would stop moving. Percentages scale with the host,
   * so a resize alone never makes it misplaced.
   */
  misplaced(geometry: Geometry): boolean {
    const placed = this.#placed;
    const { hostClient, overlay: box } = geometry;
    if (!this.element.value || !placed || !hostClient.width || !hostClient.height) return false;
    const x = box.left - hostClient.left;
    const y = box.top - hostClient.top;
    const { width, height } = hostClient;
    const expectedX = placed.fromLeft ? placed.x * width : width - placed.x * width - box.width;
    const expectedY = placed.fromTop ? placed.y * height : height - placed.y * height - box.height;
    return Math.abs(x - expectedX) > 2 || Math.abs(y - expectedY) > 2;
  }

  /**
   * Writes the overlay's own inline declarations back if anyone else changed or removed them
   * (DevTools replacing its `style` attribute; under a strict `style-src` the replacement is not
   * applied, and only the attribute text is foreign). Returns whether the inline style was not what it wrote —
   * a foreign declaration added beside its own counts too, and stays for the guard to judge.
   */
  repairStyle(): boolean {
    const overlay = this.element.value;
    const written = this.#written;
    if (!overlay || !written || !this.policy) return false;
    // A `style` attribute a strict `style-src` refused to apply: the declarations are unchanged,
    // the attribute text is not theirs. Written back from the declarations.
    let altered = overlay.getAttribute('style') !== overlay.style.cssText;
    // Through the CSSOM: a strict style-src refuses setAttribute('style') too.
    if (altered) overlay.style.cssText = overlay.style.cssText;
    for (const [name, value] of Object.entries(written)) {
      if (overlay.style.getPropertyValue(name) === value && !overlay.style.getPropertyPriority(name)) continue;
      overlay.style.setProperty(name, value);
      altered = true;
    }
    return altered || overlay.style.length !== Object.keys(written).length;
  }

  #startTimer(): void {
    this.#stopTimer();
    if (!this.#policy?.required) return;
    this.#timer = setInterval(() => this.#move(), this.#policy.intervalSeconds * 1000);
  }

  /**
   * What a placement depends on that no ResizeObserver reports: the overlay element, the media
   * element and its picture size (letterboxing), the spot and the text (a move), the policy.
   */
  #placementInputs(): readonly unknown[] {
    const media = this.#host.media;
    return [this.element.value, this.policy, this.#spot, this.#lines, media, media?.videoWidth, media?.videoHeight];
  }

  #observeSize(element: Element | null | undefined): void {
    if (!element || !this.#resize || this.#sized.has(element)) return;
    this.#sized.add(element);
    this.#resize.observe(element);
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A new random spot and a fresh time; placed once lit has rendered the text (hostUpdated). */
  #move(): void {
    if (!this.#policy) return;
    this.#spot = { x: Math.random(), y: Math.random() };
    this.#lines = watermarkLines(this.#policy, this.#sessionId);
    this.#host.requestUpdate();
  }

  /**
   * Positions the overlay at its spot within the picture (the video's content box under
   * `object-fit: contain`). Written through the CSSOM (allowed by a strict `style-src`), in
   * percentages anchored to the nearer edges, so that a resize (fullscreen) keeps it inside the
   * video even before the ResizeObserver re-places it.
   */
  #place(): void {
    const overlay = this.element.value;
    const policy = this.policy;
    const host = this.#host;
    if (!overlay || !policy || !host.isConnected) return;
    const width = host.clientWidth;
    const height = host.clientHeight;
    if (!width || !height) return;
    const picture = pictureBox(host, host.media, width, height);
    const left = picture.x + this.#spot.x * Math.max(0, picture.width - overlay.offsetWidth);
    const top = picture.y + this.#spot.y * Math.max(0, picture.height - overlay.offsetHeight);
    const fromLeft = left + overlay.offsetWidth / 2 <= width / 2;
    const fromTop = top + overlay.offsetHeight / 2 <= height / 2;
    const x = Math.max(0, fromLeft ? left : width - left - overlay.offsetWidth) / width;
    const y = Math.max(0, fromTop ? top : height - top - overlay.offsetHeight) / height;
    this.#placed = { fromLeft, fromTop, x: Number(x.toFixed(5)), y: Number(y.toFixed(5)) };
    const percent = (fraction: number) => `${(fraction * 100).toFixed(3)}%`;
    const style: Record<string, string> = {
      left: fromLeft ? percent(this.#placed.x) : 'auto',
      right: fromLeft ? 'auto' : percent(this.#placed.x),
      top: fromTop ? percent(this.#placed.y) : 'auto',
      bottom: fromTop ? 'auto' : percent(this.#placed.y),
      opacity: opacityValue(policy),
    };
    const written: Record<string, string> = {};
    for (const [name, value] of Object.entries(style)) {
      // Only real changes: every write is a style mutation the guard looks at.
      if (overlay.style.getPropertyValue(name) !== value) overlay.style.setProperty(name, value);
      // As the CSSOM serialises it (`0.000%` reads back as `0%`).
      written[name] = overlay.style.getPropertyValue(name);
    }
    this.#written = written;
    this.#placedFrom = this.#placementInputs();
  }
}

/** The picture's box inside the player (host padding box coordinates): letterboxing excluded. */
function pictureBox(host: HTMLElement, video: HTMLVideoElement | null, width: number, height: number) {
  const box = { x: 0, y: 0, width, height };
  if (!video) return box;
  const hostRect = host.getBoundingClientRect();
  const videoRect = video.getBoundingClientRect();
  const x = Math.max(0, videoRect.left - hostRect.left - host.clientLeft);
  const y = Math.max(0, videoRect.top - hostRect.top - host.clientTop);
  const w = Math.min(width - x, videoRect.width);
  const h = Math.min(height - y, videoRect.height);
  if (w <= 0 || h <= 0) return box;
  const scale = video.videoWidth && video.videoHeight ? Math.min(w / video.videoWidth, h / video.videoHeight) : 0;
  const cw = scale ? video.videoWidth * scale : w;
  const ch = scale ? video.videoHeight * scale : h;
  return { x: x + (w - cw) / 2, y: y + (h - ch) / 2, width: cw, height: ch };
}
