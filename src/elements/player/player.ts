import { consume } from '@lit/context';
import { adoptStyles, html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { VeilError } from '../../errors.js';
import { sessionContext } from '../../identity/context.js';
import type { VeilSessionState } from '../../identity/types.js';
import type { Engine, EngineOptions } from '../../playback/engines/engine.js';
import { PlaybackController, type PlaybackHost, type PlayerState } from '../../playback/playback-controller.js';
import { capture } from '../../watermark/capture.js';
import { WatermarkGuard, type WatermarkSecurityEvent } from '../../watermark/guard-controller.js';
import { WatermarkOverlay } from '../../watermark/overlay-controller.js';
import { emitVeilError } from '../events.js';
import { formatTime } from './format-time.js';
import { playerStyles } from './player.styles.js';

/** Media events re-dispatched from the inner `<video>` on the player (same names, not bubbling). */
export const MEDIA_EVENTS = [
  'loadstart', 'loadedmetadata', 'loadeddata', 'canplay', 'canplaythrough', 'durationchange',
  'play', 'playing', 'pause', 'waiting', 'seeking', 'seeked', 'timeupdate', 'ended',
  'ratechange', 'volumechange', 'progress', 'stalled', 'suspend', 'emptied', 'resize',
] as const;

/**
 * @summary Plays one protected video for the signed-in viewer of the enclosing `<veil-session>`:
 * perimeter check, short-lived playback token, lazily loaded engine (shaka-player for DASH + EME,
 * hls.js for HLS), the token on every manifest, segment, key and license request.
 *
 * @fires veil-error - Playback was denied or failed, or the watermark was tampered with
 *   (`WATERMARK_TAMPERED`). `detail` is a `VeilError`.
 * @fires veil-watermark-tampered - The watermark was hidden, removed, covered or altered; playback is
 *   held until it is intact. `detail`: `{ type: 'watermark-tampered', vectors, at, videoId, sessionId }`.
 * @fires veil-watermark-restored - The watermark is intact again after tampering; the viewer may play.
 *   `detail`: `{ type: 'watermark-restored', vectors, at, videoId, sessionId }`.
 * @fires play - Re-dispatched media event (also: playing, pause, ended, timeupdate, seeking, seeked,
 *   waiting, volumechange, durationchange, loadedmetadata, canplay and the other media events).
 *
 * @csspart video - The `<video>` element.
 * @csspart watermark - The viewer watermark drawn over the video.
 * @csspart message - The message shown when signed out, denied or failed.
 * @csspart controls - The control bar.
 *
 * @cssproperty --veil-background - Letterbox colour behind the video.
 * @cssproperty --veil-color - Text and icon colour.
 * @cssproperty --veil-font - Font of messages and controls.
 * @cssproperty --veil-focus-color - Focus ring colour.
 * @cssproperty --veil-watermark-opacity - Watermark opacity (the server's policy sets the minimum).
 *
 * While the playback session requires a watermark (the server decides), the overlay shows the
 * viewer's identity from that session, moves every few seconds, and a tamper guard holds playback
 * (`state="error"`, `error-code="WATERMARK_TAMPERED"`) while it is hidden, covered or altered.
 * Picture-in-Picture is refused.
 */
export class VeilPlayer extends LitElement implements PlaybackHost {
  static override styles = playerStyles;

  /** Id of the video to play, as known to the Veil service. */
  @property({ reflect: true }) video = '';
  /** Start playing as soon as the stream is loaded. */
  @property({ type: Boolean }) autoplay = false;
  /** URL of hls.js's worker file; without it hls.js runs on the main thread (a strict CSP forbids `blob:` workers). */
  @property({ attribute: 'hls-worker-url' }) hlsWorkerUrl = '';

  /**
   * Advanced: replaces the built-in engine selection (shaka-player for DASH, hls.js for HLS), e.g.
   * for a custom engine or a story. It receives the media element, the playback session and the
   * token accessor; the token must still go in headers only.
   */
  @property({ attribute: false }) engineLoader?: (options: EngineOptions) => Promise<Engine>;

  @consume({ context: sessionContext, subscribe: true })
  @state()
  protected session: VeilSessionState | undefined;

  #video?: HTMLVideoElement;
  readonly #playback = new PlaybackController(this);
  readonly #overlay = new WatermarkOverlay(this);
  readonly #guard = new WatermarkGuard(this, this.#overlay);

  /** The `<video>` this player rendered (a reference kept from the render, never looked up again). */
  get media(): HTMLVideoElement | null {
    return this.#video ?? null;
  }

  /** One of `signed-out`, `authorizing`, `denied`, `loading`, `playing`, `paused`, `ended`, `error`; reflected as `state`. */
  get state(): PlayerState {
    return this.#playback.state;
  }

  /** The error behind `denied` or `error`; its code is reflected as `error-code`. */
  get error(): VeilError | undefined {
    return this.#playback.error;
  }

  get paused(): boolean {
    return this.media?.paused ?? true;
  }
  get currentTime(): number {
    return this.media?.currentTime ?? 0;
  }
  set currentTime(value: number) {
    if (this.media) this.media.currentTime = value;
  }
  get duration(): number {
    return this.media?.duration ?? Number.NaN;
  }
  get muted(): boolean {
    return this.media?.muted ?? false;
  }
  set muted(value: boolean) {
    if (this.media) this.media.muted = value;
  }
  get volume(): number {
    return this.media?.volume ?? 1;
  }
  set volume(value: number) {
    if (this.media) this.media.volume = value;
  }

  /** Starts playback; rejects with `WATERMARK_TAMPERED` while the watermark is tampered with. */
  async play(): Promise<void> {
    if (this.#guard.tampered) throw this.#guard.error ?? new VeilError('WATERMARK_TAMPERED');
    await this.media?.play();
  }

  /**
   * Security-relevant events of this player, oldest first (the audit trail's hook; the same
   * records are dispatched as `veil-watermark-tampered` / `veil-watermark-restored`).
   */
  get securityEvents(): readonly WatermarkSecurityEvent[] {
    return this.#guard.securityEvents;
  }

  pause(): void {
    this.media?.pause();
  }

  playbackStateChanged(state: PlayerState, error: VeilError | undefined): void {
    this.setAttribute('state', state);
    if (error) this.setAttribute('error-code', error.code);
    else this.removeAttribute('error-code');
    if (error) emitVeilError(this, error);
    if (state === 'paused' && this.autoplay && this.media?.paused && !this.media.ended && this.media.currentTime === 0) {
      this.media.play().catch(() => undefined);
    }
  }

  /** @internal The watermark guard holds playback while tampered. */
  watermarkTampered(error: VeilError): void {
    this.#playback.hold(error);
  }

  /** @internal */
  watermarkIntact(): void {
    this.#playback.release();
  }

  override connectedCallback(): void {
    // A shadow root moved to another document loses its adopted (constructed) sheets; back home, adopt them again.
    const root = this.shadowRoot;
    if (root && this.ownerDocument === document && !root.adoptedStyleSheets.length) adoptStyles(root, VeilPlayer.elementStyles);
    super.connectedCallback();
    this.setAttribute('state', this.state);
    // Disconnecting stops playback; a player put back (moved in the page) starts again.
    if (this.hasUpdated) this.requestUpdate('session', undefined);
  }

  protected override firstUpdated(): void {
    const media = this.media;
    if (!media) return;
    for (const type of MEDIA_EVENTS) {
      media.addEventListener(type, () => {
        this.#playback.mediaEvent(type);
        this.requestUpdate(); // controls mirror the media element's state
        this.dispatchEvent(new Event(type));
      });
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    // In willUpdate, so the state this sets is rendered in the same update.
    if (changed.has('session') || changed.has('video')) {
      // Outside its own document (a Document Picture-in-Picture window, another frame) the
      // watermark guard holds the player, and it does not even start.
      this.#playback.update(this.#guard.inForeignDocument ? undefined : this.session, this.video);
    }
    const session = this.#playback.playbackSession;
    this.#overlay.setPolicy(session?.watermark, session?.sessionId ?? '');
  }

  #togglePlay(): void {
    if (this.paused) this.play().catch(() => undefined);
    else this.pause();
  }

  #toggleFullscreen(): void {
    // The container, not the bare <video>, goes fullscreen so overlays stay on top.
    if (document.fullscreenElement === this) void document.exitFullscreen();
    else void this.requestFullscreen();
  }

  #seek(event: Event): void {
    this.currentTime = Number((event.target as HTMLInputElement).value);
  }

  #setVolume(event: Event): void {
    this.volume = Number((event.target as HTMLInputElement).value);
    this.muted = this.volume === 0;
  }

  protected override render() {
    const state = this.state;
    const ready = state === 'playing' || state === 'paused' || state === 'ended';
    const duration = Number.isFinite(this.duration) ? this.duration : 0;
    return html`
      <video
        ${capture((element) => (this.#video = element as HTMLVideoElement))}
        part="video"
        playsinline
        disablepictureinpicture
        disableremoteplayback
        controlslist="nodownload noremoteplayback"
        @contextmenu=${(event: Event) => event.preventDefault()}
        @click=${() => ready && this.#togglePlay()}
      ></video>
      ${this.#overlay.template()}
      <div part="message" class="message" role="status" ?hidden=${ready || state === 'loading'}>${this.#message(state)}</div>
      <div part="controls" class="controls" ?hidden=${!ready}>
        <button type="button" aria-label=${this.paused ? 'Play' : 'Pause'} @click=${this.#togglePlay}>${this.paused ? 'Play' : 'Pause'}</button>
        <input
          class="seek"
          type="range"
          aria-label="Seek"
          min="0"
          max=${duration}
          step="0.1"
          .value=${String(this.currentTime)}
          @input=${this.#seek}
        />
        <span class="time" aria-label="Time">${formatTime(this.currentTime)} / ${formatTime(this.duration)}</span>
        <button type="button" aria-label=${this.muted ? 'Unmute' : 'Mute'} @click=${() => (this.muted = !this.muted)}>${this.muted ? 'Unmute' : 'Mute'}</button>
        <input class="volume" type="range" aria-label="Volume" min="0" max="1" step="0.05" .value=${String(this.volume)} @input=${this.#setVolume} />
        <button type="button" aria-label="Fullscreen" @click=${this.#toggleFullscreen}>Fullscreen</button>
      </div>
    `;
  }

  #message(state: PlayerState) {
    switch (state) {
      case 'signed-out':
        return html`<span>Sign in with your organisation account to watch this video.</span>
          <button type="button" @click=${() => this.session?.signIn()} ?disabled=${!this.session}>Sign in</button>`;
      case 'authorizing':
        return html`<span>Checking your access…</span>`;
      case 'denied':
      case 'error':
        return html`<span>${this.error?.message ?? 'This video cannot be played.'}</span>`;
      default:
        return nothing;
    }
  }
}
