/**
 * The part of `<veil-player>` that plays: playback controller (playback session → engine), the
 * watermark overlay and its tamper guard, the control bar, menus, seek bar, keyboard shortcuts.
 * Moved here unchanged from `player.ts` so it is its own lazy chunk: the element imports it only
 * once a signed-in viewer has passed the perimeter check, and a viewer who is told no (a
 * non-member, or anyone before sign-in) downloads none of it.
 */
import { html, type ReactiveControllerHost } from 'lit';
import type { StringsController } from '../../i18n/strings-controller.js';
import type { VeilSessionState } from '../../identity/types.js';
import type { Engine, EngineLoader, EngineTextTrack } from '../../playback/engines/types.js';
import { PlaybackController } from '../../playback/playback-controller.js';
import { isReady, type PlayerState } from '../../playback/state.js';
import type { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession } from '../../protocol/playback.js';
import { WatermarkGuard } from '../../watermark/guard-controller.js';
import { WatermarkOverlay } from '../../watermark/overlay-controller.js';
import type { WatermarkSecurityEvent } from '../../watermark/types.js';
import { ActivityController } from './activity-controller.js';
import { renderChrome } from './chrome.js';
import { captionLabel, currentQualityLabel, rateLabel, renderControls, type ControlsActions } from './controls.js';
import { formatTime } from './format-time.js';
import { KeyboardController, type KeyboardActions } from './keyboard-controller.js';
import { MenuController } from './menu.js';
import { bufferedRanges, SeekBar } from './seek-bar.js';

export { playerCoreStyles } from './player-core.styles.js';

/** What the core reads from (and does to) its `<veil-player>`. */
export interface PlayerCoreHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly video: string;
  readonly media: HTMLVideoElement | null;
  readonly autoplay: boolean;
  readonly hlsWorkerUrl: string;
  readonly engineLoader?: EngineLoader;
  readonly paused: boolean;
  currentTime: number;
  readonly duration: number;
  muted: boolean;
  volume: number;
  play(): Promise<void>;
  pause(): void;
}

/** What the element hands the core: its strings, its live region, where state changes go. */
export interface PlayerCoreOptions {
  strings: StringsController;
  announce(text: string): void;
  onStateChange(state: PlayerState, error: VeilError | undefined): void;
  onTokenRenewed(session: PlaybackSession): void;
}

export class PlayerCore {
  readonly #host: PlayerCoreHost;
  readonly #options: PlayerCoreOptions;
  readonly #playback: PlaybackController;
  readonly #overlay: WatermarkOverlay;
  readonly #guard: WatermarkGuard;
  readonly #menus: MenuController;
  readonly #seekBar: SeekBar;
  readonly #activity: ActivityController;
  readonly #actions: ControlsActions & KeyboardActions = {
    ready: () => isReady(this.state),
    togglePlay: () => this.togglePlay(),
    seekTo: (seconds) => this.#seekTo(seconds),
    seekBy: (seconds) => this.#seekTo(this.#host.currentTime + seconds, true),
    setVolume: (volume) => this.#setVolume(volume),
    volumeBy: (delta) => this.#setVolume(Math.round((this.#host.volume + delta) * 100) / 100, true),
    toggleMute: () => this.#toggleMute(),
    toggleFullscreen: () => this.#toggleFullscreen(),
    toggleCaptions: () => this.#toggleCaptions(),
    setCaptions: (id) => this.#setCaptions(id),
    setQuality: (id) => this.#setQuality(id),
    setRate: (rate) => this.#setRate(rate),
  };
  /** The engine whose track changes re-render the controls. */
  #trackedEngine?: Engine;
  /** Whether the current stream has started playing once (the big play button is for before). */
  #played = false;
  /** The caption track C turns back on. */
  #lastCaptions?: string;

  constructor(host: PlayerCoreHost, options: PlayerCoreOptions) {
    this.#host = host;
    this.#options = options;
    this.#playback = new PlaybackController(host, {
      media: () => host.media,
      hlsWorkerUrl: () => host.hlsWorkerUrl || undefined,
      engineLoader: () => host.engineLoader,
      onStateChange: (state, error) => this.#stateChanged(state, error),
      onTokenRenewed: (session) => options.onTokenRenewed(session),
    });
    this.#overlay = new WatermarkOverlay(host);
    // The guard holds playback while the watermark is tampered with.
    this.#guard = new WatermarkGuard(host, this.#overlay, {
      onTampered: (error) => this.#playback.hold(error),
      onIntact: () => this.#playback.release(),
    });
    this.#menus = new MenuController(host);
    this.#seekBar = new SeekBar(host);
    this.#activity = new ActivityController(host);
    new KeyboardController(host, this.#actions); // registers itself with the element
  }

  get state(): PlayerState {
    return this.#playback.state;
  }

  get error(): VeilError | undefined {
    return this.#playback.error;
  }

  get playbackSession(): PlaybackSession | undefined {
    return this.#playback.playbackSession;
  }

  get processingProgress(): number {
    return this.#playback.processingProgress;
  }

  /** Set while the watermark is tampered with: `play()` rejects with it. */
  get tamperError(): VeilError | undefined {
    return this.#guard.tampered ? (this.#guard.error ?? undefined) : undefined;
  }

  get tampered(): boolean {
    return this.#guard.tampered;
  }

  get securityEvents(): readonly WatermarkSecurityEvent[] {
    return this.#guard.securityEvents;
  }

  /** Brings playback in line with the session and video (the element calls it on every change of either). */
  update(session: VeilSessionState | undefined, videoId: string): void {
    // Outside its own document (a Document Picture-in-Picture window, another frame) the
    // watermark guard holds the player, and it does not even start.
    this.#playback.update(this.#guard.inForeignDocument ? undefined : session, videoId);
  }

  /** Called in the element's `willUpdate`, after `update`. */
  willUpdate(): void {
    const session = this.#playback.playbackSession;
    this.#overlay.setPolicy(session?.watermark, session?.sessionId ?? '');
  }

  mediaEvent(type: string): void {
    if (type === 'play') this.#played = true;
    this.#playback.mediaEvent(type);
  }

  #stateChanged(state: PlayerState, error: VeilError | undefined): void {
    const previous = this.#host.getAttribute('state');
    this.#trackEngine();
    // Starting to play is activity: the controls stay up a moment before they fade.
    if (state === 'playing' && state !== previous) this.#activity.wake();
    this.#options.onStateChange(state, error);
    const media = this.#host.media;
    if (state === 'paused' && this.#host.autoplay && media?.paused && !media.ended && media.currentTime === 0) {
      media.play().catch(() => undefined);
    }
  }

  togglePlay(): void {
    if (this.#host.paused) this.#host.play().catch(() => undefined);
    else this.#host.pause();
  }

  #toggleFullscreen(): void {
    // The container, not the bare <video>, goes fullscreen so overlays stay on top.
    if (document.fullscreenElement === this.#host) void document.exitFullscreen();
    else void this.#host.requestFullscreen().catch(() => undefined);
  }

  #seekTo(seconds: number, announce = false): void {
    const host = this.#host;
    const end = Number.isFinite(host.duration) ? host.duration : Infinity;
    host.currentTime = Math.min(Math.max(seconds, 0), end);
    if (announce) this.#options.announce(this.#options.strings.t('seekValue', { current: formatTime(host.currentTime), duration: formatTime(host.duration) }));
  }

  #setVolume(volume: number, announce = false): void {
    const host = this.#host;
    host.volume = Math.min(Math.max(volume, 0), 1);
    host.muted = host.volume === 0;
    if (announce) this.#options.announce(this.#options.strings.t('announceVolume', { percent: Math.round(host.volume * 100) }));
  }

  #toggleMute(): void {
    this.#host.muted = !this.#host.muted;
    this.#options.announce(this.#options.strings.t(this.#host.muted ? 'announceMuted' : 'announceUnmuted'));
  }

  #captions() {
    return this.#playback.engine?.textTracks?.();
  }

  #toggleCaptions(): void {
    const captions = this.#captions();
    if (!captions?.options.length) return;
    if (captions.selected !== null) return this.#setCaptions(null);
    const lang = this.#options.strings.lang.toLowerCase().split('-')[0];
    const preferred = captions.options.find((track) => track.language.toLowerCase().split('-')[0] === lang);
    this.#setCaptions(this.#lastCaptions ?? preferred?.id ?? captions.options[0]!.id);
  }

  #setCaptions(id: string | null): void {
    const engine = this.#playback.engine;
    const options = this.#captions()?.options ?? [];
    engine?.setTextTrack?.(id);
    const index = options.findIndex((track: EngineTextTrack) => track.id === id);
    if (index >= 0) this.#lastCaptions = id!;
    const strings = this.#options.strings;
    this.#options.announce(
      index >= 0 ? strings.t('announceCaptionsOn', { track: captionLabel(strings, options[index]!, index) }) : strings.t('announceCaptionsOff'),
    );
    this.#host.requestUpdate();
  }

  #setQuality(id: string): void {
    const engine = this.#playback.engine;
    engine?.setQuality?.(id);
    const qualities = engine?.qualities?.();
    if (qualities) this.#options.announce(this.#options.strings.t('announceQuality', { quality: currentQualityLabel(this.#options.strings, qualities) }));
    this.#host.requestUpdate();
  }

  #setRate(rate: number): void {
    const media = this.#host.media;
    if (!media) return;
    media.playbackRate = rate;
    media.defaultPlaybackRate = rate;
    this.#options.announce(this.#options.strings.t('announceSpeed', { speed: rateLabel(this.#options.strings, rate) }));
  }

  /** Re-render on the engine's quality and caption changes. */
  #trackEngine(): void {
    const engine = this.#playback.engine;
    if (engine === this.#trackedEngine) return;
    this.#trackedEngine = engine;
    this.#lastCaptions = undefined;
    this.#played = false;
    engine?.onTracksChanged?.(() => {
      if (this.#playback.engine === engine) this.#host.requestUpdate();
    });
  }

  /** Whether idle viewers lose the controls: only while the video plays and nothing in them has focus. */
  autoHidden(): boolean {
    return this.state === 'playing' && this.#activity.idle && this.#menus.open === null && !this.#host.shadowRoot?.activeElement;
  }

  /** The watermark overlay, drawn right over the `<video>`. */
  overlay() {
    return this.#overlay.template();
  }

  /** What the player draws after its message: title, big play button, spinner and control bar. */
  chrome(hasTitle: boolean, titleChanged: (event: Event) => void) {
    const host = this.#host;
    const state = this.state;
    const ready = isReady(state);
    const engine = this.#playback.engine;
    const media = host.media;
    const autoHidden = this.autoHidden();
    const waiting = state === 'playing' && !!media && (media.readyState < HTMLMediaElement.HAVE_FUTURE_DATA || media.seeking);
    return html`${renderChrome(
      {
        bigPlay: state === 'paused' && !this.#played,
        loading: state === 'loading' || waiting,
        hasTitle,
        autoHidden,
      },
      () => this.togglePlay(),
      titleChanged,
    )}
      ${renderControls(
        {
          hidden: !ready,
          autoHidden,
          paused: host.paused,
          currentTime: host.currentTime,
          duration: host.duration,
          buffered: ready ? bufferedRanges(media) : [],
          muted: host.muted,
          volume: host.volume,
          rate: media?.playbackRate ?? 1,
          fullscreen: document.fullscreenElement === host,
          qualities: ready ? engine?.qualities?.() : undefined,
          captions: ready ? engine?.textTracks?.() : undefined,
        },
        this.#actions,
        this.#options.strings,
        this.#menus,
        this.#seekBar,
      )}`;
  }
}
