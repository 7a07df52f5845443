/**
 * Drives one player from identity to first frame: perimeter check → playback session →
 * lazily loaded engine. Nothing is fetched before the perimeter check passes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VeilError } from '../protocol/errors.js';
import { perimeterDenial } from '../identity/perimeter-check.js';
import type { VeilSessionState } from '../identity/types.js';
import type { PlaybackSession } from '../protocol/playback.js';
import { loadEngine, playableProtocols } from './engines/registry.js';
import type { Engine, EngineLoader } from './engines/types.js';
import type { PlayerState } from './state.js';
import { TokenRenewalController } from './token-renewal.js';
import { sleep } from '../internal/backoff.js';

/** How often a player on a video still being processed asks whether it is ready. */
export const PROCESSING_POLL_MS = 2000;

/** What the controller reads from its element, and the callbacks it reports through. */
export interface PlaybackOptions {
  /** The media element the host rendered (null before its first render). */
  media(): HTMLVideoElement | null;
  /** URL of hls.js's worker file, when the host has one. */
  hlsWorkerUrl(): string | undefined;
  /** Replaces engine selection (custom engines, stories); the built-in shaka/hls.js choice when undefined. */
  engineLoader(): EngineLoader | undefined;
  /** Called on every visible state change, with the error that caused `denied` or `error`. */
  onStateChange(state: PlayerState, error: VeilError | undefined): void;
  /** Called when a renewal replaced the playback token (same session id). */
  onTokenRenewed(session: PlaybackSession): void;
}

/** Errors that mean "not for you" rather than "something broke": they end in `denied`. */
const DENIAL_CODES = new Set(['PERIMETER_DENIED', 'PLAYBACK_NOT_GRANTED', 'VIDEO_NOT_FOUND', 'ACCOUNT_DEPROVISIONED', 'ENTRA_GUEST_NOT_ALLOWED', 'ENTRA_GROUPS_OVERAGE']);

/** States a hold does not mask: the player is already stopped, and its own error says more. */
const FINAL_STATES = new Set<PlayerState>(['denied', 'error']);

export class PlaybackController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #options: PlaybackOptions;
  readonly #tokens: TokenRenewalController;
  #engine?: Engine;
  #run?: AbortController;
  #startedFor?: { session: VeilSessionState; videoId: string };
  /** Where playback itself is, whatever a hold shows. */
  #underlying: { state: PlayerState; error?: VeilError } = { state: 'signed-out' };
  /** Set while a guard (the watermark's) holds playback. */
  #hold?: VeilError;
  #published?: { state: PlayerState; error?: VeilError };
  #processingProgress = 0;

  /** Percent of the processing job while `processing`. */
  get processingProgress(): number {
    return this.#processingProgress;
  }

  /** The loaded engine while playing, paused or ended (controls use its quality and caption tracks). */
  get engine(): Engine | undefined {
    return this.#engine;
  }

  constructor(host: ReactiveControllerHost, options: PlaybackOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    this.#tokens = new TokenRenewalController(host, {
      renew: async (current) => {
        const session = this.#startedFor?.session;
        if (!session) throw new VeilError('SIGN_IN_REQUIRED');
        return session.client.renewPlaybackSession(current);
      },
      renewed: (session) => {
        this.#options.onTokenRenewed(session);
        this.#host.requestUpdate();
      },
      failed: (error) => this.fail(error),
    });
  }

  /** The current playback session (its token renewed in place). */
  get playbackSession(): PlaybackSession | undefined {
    return this.#tokens.session;
  }

  /** The state shown: playback's own, or `error` with the hold's error while held. */
  get state(): PlayerState {
    return this.#visible().state;
  }

  get error(): VeilError | undefined {
    return this.#visible().error;
  }

  hostConnected(): void {
    // Nothing: `update` is called by the host once it has rendered its media element.
  }

  hostDisconnected(): void {
    this.#stop();
    this.#startedFor = undefined;
  }

  /** Brings playback in line with the session and video; a no-op when neither changed. */
  update(session: VeilSessionState | undefined, videoId: string): void {
    const previous = this.#startedFor;
    const sameViewer = previous?.session.status === session?.status && previous?.session.claims?.sub === session?.claims?.sub;
    if (previous && sameViewer && previous.videoId === videoId) return;
    this.#stop();
    if (!session) return this.#set('signed-out');
    this.#startedFor = { session, videoId };
    switch (session.status) {
      case 'signed-in':
        void this.#start(session, videoId);
        return;
      case 'signed-out':
        return this.#set('signed-out');
      case 'error':
        return this.#set('error', session.error);
      default:
        return this.#set('authorizing');
    }
  }

  /** Media element events move the state once the engine is playing the stream. */
  mediaEvent(type: string): void {
    if (!this.#engine || FINAL_STATES.has(this.#underlying.state)) return;
    if (type === 'playing') this.#set('playing');
    else if (type === 'pause' && !this.#options.media()?.ended) this.#set('paused');
    else if (type === 'ended') this.#set('ended');
  }

  /** A fatal error after start-up (engine, renewal, or a guard such as the watermark's). The first one wins. */
  fail(error: VeilError): void {
    if (FINAL_STATES.has(this.#underlying.state)) return;
    this.#options.media()?.pause();
    this.#tokens.stop();
    this.#set(DENIAL_CODES.has(error.code) ? 'denied' : 'error', error);
  }

  /**
   * Holds playback (the watermark guard, while tampered): pauses, and shows `error` with `error`
   * until `release()`; playback's own state changes meanwhile are kept and shown on release.
   */
  hold(error: VeilError): void {
    this.#hold = error;
    this.#options.media()?.pause();
    this.#publish();
  }

  release(): void {
    if (!this.#hold) return;
    this.#hold = undefined;
    this.#publish();
  }

  async #start(session: VeilSessionState, videoId: string): Promise<void> {
    const run = (this.#run = new AbortController());
    this.#set('authorizing');
    try {
      if (!videoId) throw new VeilError('CONFIG_INVALID', { message: '<veil-player> needs a `video` attribute.' });
      const denial = perimeterDenial(session);
      if (denial) throw denial;
      const playbackSession = await session.client.createPlaybackSession(videoId, run.signal, playableProtocols());
      if (run.signal.aborted) return;
      this.#tokens.start(playbackSession);
      this.#set('loading');

      const media = this.#options.media();
      if (!media) throw new VeilError('CONFIG_INVALID', { message: 'The player has no media element yet.' });
      const engine = await (this.#options.engineLoader() ?? loadEngine)({
        media,
        session: playbackSession,
        token: () => this.#tokens.freshToken(),
        renewToken: () => this.#tokens.afterUnauthorized(),
        onError: (error) => this.fail(error),
        hlsWorkerUrl: this.#options.hlsWorkerUrl(),
      });
      if (run.signal.aborted) {
        await engine.destroy();
        return;
      }
      this.#engine = engine;
      this.#set(media.paused ? 'paused' : 'playing');
    } catch (error) {
      if (run.signal.aborted) return;
      const veilError = error instanceof VeilError ? error : new VeilError('MEDIA_LOAD_FAILED', { cause: error });
      if (veilError.code === 'VIDEO_NOT_READY') return this.#awaitProcessing(session, videoId, run.signal);
      this.#set(DENIAL_CODES.has(veilError.code) ? 'denied' : 'error', veilError);
    }
  }

  /** A recording still being processed: `processing` with its progress, then start again once ready. */
  async #awaitProcessing(session: VeilSessionState, videoId: string, signal: AbortSignal): Promise<void> {
    this.#set('processing');
    try {
      for (;;) {
        const status = await session.client.videoStatus(videoId, signal).catch((error: unknown) => {
          if (signal.aborted || (error instanceof VeilError && error.category === 'network')) return undefined;
          throw error;
        });
        if (signal.aborted) return;
        if (status?.status === 'ready') return void this.#start(session, videoId);
        if (status?.status === 'failed') throw new VeilError('VIDEO_PROCESSING_FAILED', { data: { videoId, code: status.processing?.code } });
        this.#processingProgress = status?.processing?.progress ?? this.#processingProgress;
        this.#host.requestUpdate();
        await sleep(PROCESSING_POLL_MS, signal);
      }
    } catch (error) {
      if (signal.aborted) return;
      this.#set('error', error instanceof VeilError ? error : new VeilError('MEDIA_LOAD_FAILED', { cause: error }));
    }
  }

  #stop(): void {
    this.#run?.abort();
    this.#run = undefined;
    void this.#engine?.destroy();
    this.#engine = undefined;
    this.#tokens.stop();
  }

  #set(state: PlayerState, error?: VeilError): void {
    this.#underlying = { state, error };
    this.#publish();
  }

  #visible(): { state: PlayerState; error?: VeilError } {
    if (this.#hold && !FINAL_STATES.has(this.#underlying.state)) return { state: 'error', error: this.#hold };
    return this.#underlying;
  }

  /** Tells the host when what it shows changes (once per change). */
  #publish(): void {
    const visible = this.#visible();
    const published = this.#published;
    if (published && published.state === visible.state && published.error === visible.error) return;
    this.#published = visible;
    this.#options.onStateChange(visible.state, visible.error);
    this.#host.requestUpdate();
  }
}
