/**
 * Audit capture as a lit `ReactiveController`: attached to `<veil-player>` (playback events) and
 * to `<veil-session>` (sign-in). Every event gets a UUID, the element run's session id, the next
 * sequence number of that session, the client time and the media position; it is written to the
 * durable queue and then announced as a `veil-audit` event (bubbling, composed, not cancelable:
 * a host can watch the trail but cannot stop any of it).
 *
 * Events of a playback session are sent with its playback token (the server takes actor, org and
 * video from it); events before one exists (sign-in, denials) with the viewer's access token.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VeilError } from '../protocol/errors.js';
import type { VeilSessionState } from '../identity/types.js';
import type { PlaybackSession } from '../protocol/playback.js';
import { emitVeilEvent } from '../internal/emit.js';
import type { PlayerState } from '../playback/state.js';
import type { WatermarkSecurityEvent } from '../watermark/types.js';
import { auditDelivery, type AuditDelivery } from './delivery.js';
import { isSecurityEvent, type AuditEvent, type AuditEventData, type AuditEventType } from '../protocol/audit-events.js';

/** What the controller reads from its element. */
export interface AuditSource {
  viewer(): VeilSessionState | undefined;
  playbackSession?(): PlaybackSession | undefined;
  media?(): HTMLVideoElement | null;
  /** The video the element was asked to play (recorded as `requestedVideo` on denials). */
  video?(): string;
}

/** Sent with the viewer's access token: they happen before (or without) a playback session. */
const ACCESS_TYPES = new Set<AuditEventType>(['sign-in', 'perimeter-denied', 'playback-session-denied']);
const HEARTBEAT_SECONDS = 30;
const MIN_SEEK_SECONDS = 0.25;

function uuid(): string {
  return crypto.randomUUID();
}

export class AuditController implements ReactiveController {
  /** The element run's session id; a new one for every playback attempt. */
  session = uuid();
  #seq = 0;
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #source: AuditSource;
  readonly #delivery: () => AuditDelivery;
  readonly #cleanup: Array<() => void> = [];
  #lastPosition = 0;
  #seekFrom?: number;
  #watched = 0;
  #lastTick?: number;
  #height = 0;
  #grantedFor?: string;
  #lastState?: PlayerState;

  constructor(host: ReactiveControllerHost & HTMLElement, source: AuditSource, options: { delivery?: AuditDelivery } = {}) {
    this.#host = host;
    this.#source = source;
    this.#delivery = () => options.delivery ?? auditDelivery();
    host.addController(this);
  }

  /**
   * Records one event: resolves with it once it is durably queued, or with undefined when no
   * credential can vouch for it (no viewer, or a playback event outside a playback session).
   * Public so that other controllers (token renewal, watermark guard) can record their own, e.g.
   * `audit.record('token-renewed', { expiresAt })`.
   */
  async record<T extends AuditEventType>(type: T, data: AuditEventData<T> = {} as AuditEventData<T>): Promise<AuditEvent | undefined> {
    const viewer = this.#source.viewer();
    const playback = this.#source.playbackSession?.();
    let endpoint: string;
    let credentialKey: string;
    const delivery = this.#delivery();
    if (ACCESS_TYPES.has(type) || (!playback && type === 'error')) {
      const sub = viewer?.claims?.sub;
      if (!viewer || viewer.status !== 'signed-in' || !sub) return undefined;
      credentialKey = `access:${sub}`;
      endpoint = viewer.client.auditEventsUrl;
      delivery.registerCredential(credentialKey, () => viewer.getAccessToken());
    } else {
      if (!playback) return undefined;
      credentialKey = `playback:${playback.sessionId}`;
      endpoint = playback.audit.url;
      delivery.registerCredential(credentialKey, () => this.#source.playbackSession?.()?.token ?? undefined, playback.token);
    }
    const media = this.#source.media?.();
    const event: AuditEvent = Object.freeze({
      id: uuid(),
      type,
      session: this.session,
      seq: ++this.#seq,
      clientTime: Date.now(),
      position: media ? Math.round(media.currentTime * 1000) / 1000 : null,
      data: Object.freeze({ ...data }) as AuditEvent['data'],
    });
    const queued = delivery.enqueue({ id: event.id, endpoint, credentialKey, event }, isSecurityEvent(type));
    emitVeilEvent(this.#host, 'veil-audit', event);
    await queued;
    return event;
  }

  /**
   * Whenever the element updates with a signed-in viewer, that viewer's access token becomes
   * available to the queue: events an earlier page recorded for them (and could not send) go out.
   */
  hostUpdate(): void {
    const viewer = this.#source.viewer();
    const sub = viewer?.status === 'signed-in' ? viewer.claims?.sub : undefined;
    if (viewer && sub) this.#delivery().registerCredential(`access:${sub}`, () => viewer.getAccessToken());
  }

  /** The player reports every state change here (from its playback controller's callback). */
  stateChanged(state: PlayerState, error: VeilError | undefined): void {
    const previous = this.#lastState;
    this.#lastState = state;
    if (state === 'authorizing' && previous !== 'authorizing') this.#newSession();
    const playback = this.#source.playbackSession?.();
    if (state === 'loading' && playback && this.#grantedFor !== playback.sessionId) {
      this.#grantedFor = playback.sessionId;
      void this.record('playback-session-granted', { protocol: playback.protocol });
    }
    if (!error || state === previous) return;
    const requestedVideo = this.#source.video?.() ?? '';
    if (state === 'denied' && error.code === 'PERIMETER_DENIED') {
      void this.record('perimeter-denied', { reason: String(error.data.reason ?? ''), requestedVideo });
    } else if (state === 'denied') {
      void this.record('playback-session-denied', { code: error.code, requestedVideo });
    } else if (state === 'error' && error.category !== 'config') {
      // Integrator mistakes (a missing attribute) are console matters, not viewer actions.
      void this.record('error', { code: error.code });
    }
  }

  #newSession(): void {
    this.session = uuid();
    this.#seq = 0;
    this.#watched = 0;
    this.#height = 0;
    this.#lastPosition = 0;
    this.#seekFrom = undefined;
    this.#lastTick = undefined;
  }

  #listen(target: EventTarget, type: string, listener: (event: Event) => void): void {
    target.addEventListener(type, listener);
    this.#cleanup.push(() => target.removeEventListener(type, listener));
  }

  hostConnected(): void {
    const host = this.#host;
    const media = () => this.#source.media?.() ?? null;
    if (!this.#source.media) return; // the session element records sign-in only
    this.#listen(host, 'play', () => void this.record('play'));
    this.#listen(host, 'pause', () => {
      if (!media()?.ended) void this.record('pause');
    });
    this.#listen(host, 'ended', () => void this.record('ended'));
    this.#listen(host, 'seeking', () => {
      this.#seekFrom ??= this.#lastPosition;
    });
    this.#listen(host, 'seeked', () => {
      const to = media()?.currentTime ?? 0;
      const from = this.#seekFrom ?? to;
      this.#seekFrom = undefined;
      this.#lastPosition = to;
      this.#lastTick = undefined;
      if (Math.abs(to - from) >= MIN_SEEK_SECONDS) void this.record('seek', { from: Math.round(from * 1000) / 1000, to: Math.round(to * 1000) / 1000 });
    });
    this.#listen(host, 'timeupdate', () => this.#tick());
    // Engine-agnostic rendition changes: the decoded picture's size as the viewer sees it.
    this.#listen(host, 'resize', () => {
      const video = media();
      if (video && video.videoHeight > 0 && video.videoHeight !== this.#height) {
        this.#height = video.videoHeight;
        void this.record('rendition-change', { width: video.videoWidth, height: video.videoHeight });
      }
    });
    this.#listen(document, 'fullscreenchange', () => {
      const active = document.fullscreenElement === host;
      if (active || this.#wasFullscreen) void this.record('fullscreen', { active });
      this.#wasFullscreen = active;
    });
    this.#listen(host, 'contextmenu', () => void this.record('context-menu'));
    this.#listen(host, 'dragstart', () => void this.record('download-attempt', { via: 'drag' }));
    this.#listen(host, 'keydown', (event) => {
      const key = event as KeyboardEvent;
      if ((key.ctrlKey || key.metaKey) && key.key.toLowerCase() === 's') void this.record('download-attempt', { via: 'save-shortcut' });
    });
    // Dispatched by the watermark guard once per tamper episode, naming what it found.
    this.#listen(host, 'veil-watermark-tampered', (event) => {
      const vectors = (event as CustomEvent<Partial<WatermarkSecurityEvent> | undefined>).detail?.vectors;
      const vector = Array.isArray(vectors) && vectors.length > 0 ? vectors.join(',') : 'unknown';
      void this.record('watermark-tampered', { vector: vector.slice(0, 256) });
    });
  }

  #wasFullscreen = false;

  #tick(): void {
    const video = this.#source.media?.();
    if (!video || video.seeking) return;
    const now = video.currentTime;
    if (this.#lastTick !== undefined && !video.paused) {
      const delta = now - this.#lastTick;
      if (delta > 0 && delta < 2) this.#watched += delta;
      if (this.#watched >= HEARTBEAT_SECONDS) {
        this.#watched -= HEARTBEAT_SECONDS;
        void this.record('heartbeat', { watchedSeconds: HEARTBEAT_SECONDS });
      }
    }
    this.#lastTick = now;
    this.#lastPosition = now;
  }

  hostDisconnected(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    this.#delivery().flushSoon();
  }
}
