/**
 * Keeps a player's playback token fresh: renews it before expiry (at 70 % of its lifetime), one
 * renewal in flight at a time, and once more when a request comes back 401. Engines read the
 * token per request, so a renewal applies to the very next request without touching the media.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VeilError } from '../protocol/errors.js';
import { RENEWAL_GRACE_SECONDS } from '../protocol/defaults.js';
import type { PlaybackSession } from '../protocol/playback.js';
import { isTransient } from '../api/errors.js';
import { DEFAULT_RETRY, withRetry } from '../internal/backoff.js';

/** Fraction of the token's lifetime after which it is renewed. */
export const RENEW_AT = 0.7;
/** A token this close to expiry is renewed before it is used. */
const MIN_REMAINING_MS = 1000;
/** A 401 within this long after a renewal is retried with the new token, not renewed again. */
const RENEWAL_COOLDOWN_MS = 2000;

export interface TokenRenewalCallbacks {
  /** Asks the token service for a renewal of `current` (perimeter and grants are re-checked there). */
  renew(current: PlaybackSession): Promise<PlaybackSession>;
  renewed(session: PlaybackSession): void;
  /** Renewal failed for good: the player must stop with this error. */
  failed(error: VeilError): void;
}

/** Lifetime from the token's own `iat`/`exp`, so a skewed client clock does not matter. */
function lifetimeMs(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { iat?: unknown; exp?: unknown };
    return typeof payload.iat === 'number' && typeof payload.exp === 'number' ? (payload.exp - payload.iat) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class TokenRenewalController implements ReactiveController {
  #session?: PlaybackSession;
  /** Local clock time when the current token stops being usable. */
  #expiresLocal = 0;
  #renewedAt = 0;
  #inFlight?: Promise<PlaybackSession>;
  #timer?: ReturnType<typeof setTimeout>;
  #stopped?: AbortController;
  readonly #callbacks: TokenRenewalCallbacks;

  constructor(host: ReactiveControllerHost, callbacks: TokenRenewalCallbacks) {
    this.#callbacks = callbacks;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  get session(): PlaybackSession | undefined {
    return this.#session;
  }

  /** The current token, synchronously (may be about to expire). */
  token(): string {
    return this.#session?.token ?? '';
  }

  /** A token good for at least a moment: waits for an in-flight or overdue renewal. */
  async freshToken(): Promise<string> {
    if (this.#inFlight) return (await this.#inFlight).token;
    if (this.#session && Date.now() > this.#expiresLocal - MIN_REMAINING_MS) return (await this.renew()).token;
    return this.token();
  }

  /** A request was refused with 401: renew once (unless a renewal just happened) and hand back the token to retry with. */
  async afterUnauthorized(): Promise<string> {
    if (this.#inFlight) return (await this.#inFlight).token;
    if (Date.now() - this.#renewedAt < RENEWAL_COOLDOWN_MS) return this.token();
    return (await this.renew()).token;
  }

  start(session: PlaybackSession): void {
    this.stop();
    this.#stopped = new AbortController();
    this.#adopt(session);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#stopped?.abort();
    this.#stopped = undefined;
    this.#inFlight = undefined;
    this.#session = undefined;
  }

  /** Single-flight renewal with bounded retries for transient failures (offline waits for the network). */
  renew(): Promise<PlaybackSession> {
    if (this.#inFlight) return this.#inFlight;
    const current = this.#session;
    const stopped = this.#stopped?.signal;
    if (!current || !stopped) return Promise.reject(new VeilError('PLAYBACK_SESSION_FAILED', { message: 'No playback session to renew.' }));
    const flight = this.#renewWithRetry(current, stopped).then(
      (session) => {
        if (stopped.aborted) return session;
        this.#inFlight = undefined;
        this.#renewedAt = Date.now();
        this.#adopt(session);
        this.#callbacks.renewed(session);
        return session;
      },
      (error: unknown) => {
        if (!stopped.aborted) {
          this.#inFlight = undefined;
          this.#callbacks.failed(error instanceof VeilError ? error : new VeilError('PLAYBACK_SESSION_FAILED', { cause: error }));
        }
        throw error;
      },
    );
    this.#inFlight = flight;
    return flight;
  }

  /**
   * Transient trouble is retried for as long as the current token (plus the server's renewal
   * grace) could still be renewed; anything else is final. Offline waits for the network.
   */
  #renewWithRetry(current: PlaybackSession, stopped: AbortSignal): Promise<PlaybackSession> {
    const hopeLeft = () => Date.now() < this.#expiresLocal + RENEWAL_GRACE_SECONDS * 1000;
    return withRetry(() => this.#callbacks.renew(current), {
      shouldRetry: (error) => isTransient(error) && hopeLeft(),
      policy: { ...DEFAULT_RETRY, attempts: Infinity },
      signal: stopped,
    });
  }

  #adopt(session: PlaybackSession): void {
    this.#session = session;
    const lifetime = lifetimeMs(session.token) ?? Math.max(0, session.expiresAt - Date.now());
    this.#expiresLocal = Date.now() + lifetime;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.renew().catch(() => undefined), lifetime * RENEW_AT);
  }
}
