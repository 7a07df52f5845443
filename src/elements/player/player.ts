import { consume } from '@lit/context';
import { adoptStyles, html, LitElement, nothing, type CSSResult, type CSSResultOrNative, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { AuditController } from '../../audit/audit-controller.js';
import { StringsController } from '../../i18n/strings-controller.js';
import { ENGLISH_STRINGS } from '../../i18n/player.js';
import { sessionContext } from '../../identity/context.js';
import { perimeterDenial } from '../../identity/perimeter-check.js';
import type { VeilSessionState } from '../../identity/types.js';
import { capture } from '../../internal/capture.js';
import { emitVeilError, emitVeilEvent } from '../../internal/emit.js';
import type { EngineLoader } from '../../playback/engines/types.js';
import { isReady, type PlayerState } from '../../playback/state.js';
import { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession, StreamProtocol } from '../../protocol/playback.js';
import type { WatermarkSecurityEvent } from '../../watermark/types.js';
import { AccessRequest } from './access-request.js';
import type { PlayerCore } from './player-core.js';
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
 * hls.js for HLS), the token on every manifest, segment, key and license request. Controls: play/pause,
 * seek, time, mute, volume, captions (toggle and language), quality, speed, fullscreen; keyboard
 * shortcuts while focus is in the player (Space/K, ←/→, J/L, ↑/↓, M, F, C). Strings follow the
 * `lang` attribute (or the nearest ancestor's); other languages come from `setVeilStrings()`.
 *
 * @attr {'signed-out' | 'authorizing' | 'denied' | 'processing' | 'loading' | 'playing' | 'paused' | 'ended' | 'error'} state -
 *   Reflected, read-only: where the player is (the `state` property). Set by the player; a value
 *   written by the page is overwritten.
 * @attr {string} error-code - Reflected, read-only: the `VeilError` code behind `denied` or `error`
 *   (e.g. `PERIMETER_DENIED`, `WATERMARK_TAMPERED`); absent otherwise.
 *
 * @fires veil-error - Playback was denied or failed, or the watermark was tampered with
 *   (`WATERMARK_TAMPERED`). `detail` is a `VeilError`.
 * @fires veil-request-access - A viewer denied with `PLAYBACK_NOT_GRANTED` pressed "Request access";
 *   cancelable (`preventDefault()` and the player sends nothing: the host asks its own way). `detail: { videoId }`.
 * @fires veil-access-requested - The access request was filed. `detail: { videoId, status }`, `status`
 *   `pending` (the owner decides) or `granted` (the viewer can already watch).
 * @fires veil-token-renewed - The playback token was renewed (same session). `detail: { sessionId, expiresAt }`.
 * @fires veil-audit - An audit event was recorded (queued for delivery). `detail` is the `AuditEvent`; not cancelable.
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
 * @csspart request-access - The "Request access" button of a `PLAYBACK_NOT_GRANTED` denial.
 * @csspart controls - The control bar.
 *
 * @slot title - A title shown over the top of the video (it fades with the controls during playback).
 *
 * @cssproperty --veil-background - Letterbox colour behind the video.
 * @cssproperty --veil-color - Text and icon colour.
 * @cssproperty --veil-font - Font of messages and controls.
 * @cssproperty --veil-accent - The played part of the seek bar, slider thumbs, the checked menu item.
 * @cssproperty --veil-focus-color - Focus ring colour.
 * @cssproperty --veil-surface - Background of menus, tooltips and the time preview.
 * @cssproperty --veil-scrim - Shade behind the control bar, the title and messages.
 * @cssproperty --veil-radius - Corner radius of menus, tooltips and buttons.
 * @cssproperty --veil-control-size - Size of the icon buttons.
 * @cssproperty --veil-button-background - Background of the control buttons.
 * @cssproperty --veil-button-hover-background - Background of a control button under the pointer.
 * @cssproperty --veil-button-pressed-background - Background of a toggle button that is on (captions, mute, fullscreen).
 * @cssproperty --veil-track-color - The seek bar's rail.
 * @cssproperty --veil-buffered-color - The seek bar's buffered ranges.
 * @cssproperty --veil-transition - Duration and easing of fades (controls, tooltips).
 * @cssproperty --veil-watermark-opacity - Watermark opacity (the server's policy sets the minimum).
 *
 * While the playback session requires a watermark (the server decides), the overlay shows the
 * viewer's identity from that session, moves every few seconds, and a tamper guard holds playback
 * (`state="error"`, `error-code="WATERMARK_TAMPERED"`) while it is hidden, covered or altered.
 * Picture-in-Picture is refused.
 */
export class VeilPlayer extends LitElement {
  static override styles = playerStyles;

  /** Id of the video to play, as known to the Veil service. */
  @property({ reflect: true }) video = '';
  /** Start playing as soon as the stream is loaded. */
  @property({ type: Boolean }) autoplay = false;
  /** URL of hls.js's worker file; without it hls.js runs on the main thread (a strict CSP forbids `blob:` workers). */
  @property({ attribute: 'hls-worker-url' }) hlsWorkerUrl = '';
  /**
   * The protocol the video is expected in (`dash` or `hls`), when the page knows it: the player
   * then starts downloading that engine as soon as the viewer passes the perimeter check, in
   * parallel with the playback-session request, instead of after the server's answer. Only a
   * hint: the playback session decides the engine, and a wrong hint costs one engine download.
   */
  @property({ attribute: 'protocol-hint' }) protocolHint: StreamProtocol | '' = '';

  /**
   * Advanced: replaces the built-in engine selection (shaka-player for DASH, hls.js for HLS), e.g.
   * for a custom engine or a story. It receives the media element, the playback session and the
   * token accessor; the token must still go in headers only.
   */
  @property({ attribute: false }) engineLoader?: EngineLoader;

  @consume({ context: sessionContext, subscribe: true })
  @state()
  protected session: VeilSessionState | undefined;

  #video?: HTMLVideoElement;
  /**
   * What plays (playback controller, watermark and its guard, controls: `player-core.ts`), loaded
   * once a signed-in viewer has passed the perimeter check; from then on it drives the state.
   */
  #core?: PlayerCore;
  #coreLoading?: Promise<void>;
  /** The core's sheet, adopted after the element's own once the core is loaded. */
  #coreStyles?: CSSResult;
  /** The state shown until the core is loaded: signed out, authorizing, or denied by the perimeter. */
  #gate: { state: PlayerState; error?: VeilError } = { state: 'signed-out' };

  /** The `<video>` this player rendered (a reference kept from the render, never looked up again). */
  get media(): HTMLVideoElement | null {
    return this.#video ?? null;
  }

  readonly #audit = new AuditController(this, {
    viewer: () => this.session,
    playbackSession: () => this.#core?.playbackSession,
    media: () => this.media,
    video: () => this.video,
  });

  /** The player's audit capture; other controllers record through it, e.g. `audit.record('token-renewed', { expiresAt })`. */
  get audit(): AuditController {
    return this.#audit;
  }

  readonly #strings = new StringsController(this, ENGLISH_STRINGS);
  readonly #accessRequest = new AccessRequest(this, (key) => this.#strings.t(key));
  /** What the polite live region says; state changes and control actions are announced. */
  @state() private announcement = '';
  /** Whether the page put anything in the `title` slot. */
  @state() private hasTitle = false;
  /** Whether the player set its own aria-label (and so keeps it in the viewer's language). */
  #ownLabel = false;

  /** One of `signed-out`, `authorizing`, `denied`, `processing` (a recording not ready yet), `loading`, `playing`, `paused`, `ended`, `error`; reflected as `state`. */
  get state(): PlayerState {
    return this.#core ? this.#core.state : this.#gate.state;
  }

  /** The error behind `denied` or `error`; its code is reflected as `error-code`. */
  get error(): VeilError | undefined {
    return this.#core ? this.#core.error : this.#gate.error;
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
    if (this.#core?.tampered) throw this.#core.tamperError ?? new VeilError('WATERMARK_TAMPERED');
    await this.media?.play();
  }

  /**
   * Security-relevant events of this player, oldest first (the audit trail's hook; the same
   * records are dispatched as `veil-watermark-tampered` / `veil-watermark-restored`).
   */
  get securityEvents(): readonly WatermarkSecurityEvent[] {
    return this.#core?.securityEvents ?? [];
  }

  pause(): void {
    this.media?.pause();
  }

  #stateChanged(state: PlayerState, error: VeilError | undefined): void {
    const previous = this.getAttribute('state');
    if (state !== previous) this.#announceState(state, previous);
    this.setAttribute('state', state);
    if (error) this.setAttribute('error-code', error.code);
    else this.removeAttribute('error-code');
    if (error) emitVeilError(this, error);
    this.#audit.stateChanged(state, error);
  }

  #tokenRenewed(session: PlaybackSession): void {
    void this.#audit.record('token-renewed', { expiresAt: session.expiresAt });
    emitVeilEvent(this, 'veil-token-renewed', { sessionId: session.sessionId, expiresAt: session.expiresAt });
  }

  override connectedCallback(): void {
    // A shadow root moved to another document loses its adopted (constructed) sheets; back home, adopt them again.
    const root = this.shadowRoot;
    if (root && this.ownerDocument === document && !root.adoptedStyleSheets.length) adoptStyles(root, this.#styles());
    super.connectedCallback();
    this.setAttribute('state', this.state);
    // Focusable and named, so the keyboard shortcuts have somewhere to start; the host's own
    // attributes win.
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    if (!this.hasAttribute('role')) this.setAttribute('role', 'group');
    this.#ownLabel ||= !this.hasAttribute('aria-label') && !this.hasAttribute('aria-labelledby');
    document.addEventListener('fullscreenchange', this.#fullscreenChanged);
    // Disconnecting stops playback; a player put back (moved in the page) starts again.
    if (this.hasUpdated) this.requestUpdate('session', undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('fullscreenchange', this.#fullscreenChanged);
  }

  #fullscreenChanged = () => this.requestUpdate();

  protected override updated(): void {
    if (this.#ownLabel) this.setAttribute('aria-label', this.#strings.t('player'));
  }

  protected override firstUpdated(): void {
    const media = this.media;
    if (!media) return;
    for (const type of MEDIA_EVENTS) {
      media.addEventListener(type, () => {
        this.#core?.mediaEvent(type);
        this.requestUpdate(); // controls mirror the media element's state
        redispatch(this, type);
      });
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    // In willUpdate, so the state this sets is rendered in the same update.
    if (changed.has('session') || changed.has('video')) this.#follow();
    this.#core?.willUpdate();
  }

  /** Hands the session and video to the core, or (before it is loaded) decides whether to load it. */
  #follow(): void {
    if (this.#core) return this.#core.update(this.session, this.video);
    // Outside its own document (a Document Picture-in-Picture window, another frame) the player
    // does not even start (the core's watermark guard holds it there).
    const gate = gateOf(this.ownerDocument === document ? this.session : undefined, this.video);
    this.#setGate(gate ?? { state: 'authorizing' });
    if (gate) return;
    this.#preloadHintedEngine();
    void this.#loadCore();
  }

  /**
   * Past the gate, the `protocol-hint` engine downloads beside the core, not after it: its import
   * starts one module level sooner than the core could start it, and shaka's evaluation overlaps
   * the core's and the playback-session request. A viewer outside the perimeter never gets here.
   */
  #preloadHintedEngine(): void {
    const hint = this.protocolHint;
    if (!hint || this.engineLoader || this.#coreLoading) return;
    import('../../playback/engines/registry.js').then(({ preloadEngine }) => preloadEngine(hint), () => undefined);
  }

  #setGate(gate: { state: PlayerState; error?: VeilError }): void {
    const shown = this.#gate;
    if (shown.state === gate.state && shown.error?.code === gate.error?.code) return;
    this.#gate = gate;
    this.#stateChanged(gate.state, gate.error);
  }

  #loadCore(): Promise<void> {
    this.#coreLoading ??= import('./player-core.js').then(
      ({ PlayerCore, playerCoreStyles }) => {
        // Before the core's guard snapshots the shadow root's sheets.
        this.#coreStyles = playerCoreStyles;
        adoptStyles(this.renderRoot as ShadowRoot, this.#styles());
        this.#core = new PlayerCore(this, {
          strings: this.#strings,
          announce: (text) => this.#announce(text),
          onStateChange: (state, error) => this.#stateChanged(state, error),
          onTokenRenewed: (session) => this.#tokenRenewed(session),
        });
        this.#core.update(this.session, this.video);
        this.requestUpdate();
      },
      (cause: unknown) => {
        this.#coreLoading = undefined; // the next session or video change tries again
        this.#setGate({ state: 'error', error: new VeilError('MEDIA_LOAD_FAILED', { cause }) });
      },
    );
    return this.#coreLoading;
  }

  #styles(): CSSResultOrNative[] {
    return this.#coreStyles ? [...VeilPlayer.elementStyles, this.#coreStyles] : VeilPlayer.elementStyles;
  }

  #announceState(state: PlayerState, previous: string | null): void {
    const text =
      state === 'playing' ? this.#strings.t('announcePlaying')
      : state === 'paused' && previous === 'playing' ? this.#strings.t('announcePaused')
      : state === 'ended' ? this.#strings.t('announceEnded')
      : state === 'loading' ? this.#strings.t('loading')
      : '';
    if (text) this.#announce(text);
  }

  /** Says `text` in the live region (again, if it is what it said last). */
  #announce(text: string): void {
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }

  protected override render() {
    const state = this.state;
    const ready = isReady(state);
    const core = this.#core;
    return html`
      <video
        ${capture((element) => (this.#video = element as HTMLVideoElement))}
        part="video"
        class=${core?.autoHidden() ? 'auto-hidden' : ''}
        playsinline
        disablepictureinpicture
        disableremoteplayback
        controlslist="nodownload noremoteplayback"
        @contextmenu=${(event: Event) => event.preventDefault()}
        @click=${() => ready && core?.togglePlay()}
      ></video>
      ${core?.overlay()}
      <div part="message" class="message" role="status" ?hidden=${ready || state === 'loading'}>${this.#message(state)}</div>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      ${core?.chrome(this.hasTitle, (event) => (this.hasTitle = (event.target as HTMLSlotElement).assignedNodes().length > 0))}
    `;
  }

  #message(state: PlayerState) {
    const t = this.#strings.t.bind(this.#strings);
    switch (state) {
      case 'signed-out':
        return html`<span>${t('signInMessage')}</span>
          <button type="button" @click=${() => this.session?.signIn()} ?disabled=${!this.session}>${t('signIn')}</button>`;
      case 'authorizing':
        return html`<span>${t('authorizing')}</span>`;
      case 'processing':
        return html`<span>${t('processing', { percent: this.#core?.processingProgress ?? 0 })}</span>`;
      case 'denied':
      case 'error': {
        const text = html`<span>${this.error ? this.#strings.errorMessage(this.error) : t('cannotPlay')}</span>`;
        // A member without a grant may ask for one (never told anything about the video).
        if (this.error?.code !== 'PLAYBACK_NOT_GRANTED') return text;
        return html`${text}${this.#accessRequest.template(this.session?.status === 'signed-in' ? this.session.client : undefined)}`;
      }
      default:
        return nothing;
    }
  }
}

/**
 * Where a player stands before its core is loaded, or undefined when it should be loaded: a
 * signed-in viewer inside the perimeter (or a page without `video`, which the core reports). The
 * same states and the same perimeter rule as the playback controller, which checks again once
 * loaded; a viewer it would turn away downloads none of it (design: "a non-member downloads nothing").
 */
function gateOf(session: VeilSessionState | undefined, videoId: string): { state: PlayerState; error?: VeilError } | undefined {
  switch (session?.status) {
    case undefined:
    case 'signed-out':
      return { state: 'signed-out' };
    case 'error':
      return { state: 'error', error: session.error };
    case 'signed-in': {
      // Without a video the core reports CONFIG_INVALID.
      const denial = videoId ? perimeterDenial(session) : undefined;
      return denial && { state: 'denied', error: denial };
    }
    default:
      return { state: 'authorizing' };
  }
}

/** Re-dispatches a media event on the player (same name, not bubbling, like the media element's). */
function redispatch(player: VeilPlayer, type: string): void {
  player.dispatchEvent(new Event(type));
}
