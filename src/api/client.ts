/**
 * `VeilClient`: the browser's one way to call the Veil service. It builds every URL (from
 * `apiUrls`), sends the viewer's access token as a bearer header (never in a URL), bounds each
 * request with a timeout, retries transient failures with the shared backoff, and turns failures
 * into `VeilError`s (the service's `{ error: { code, message, hint } }` body when there is one).
 * `<veil-session>` provides one per viewer through the session context.
 */
import { VeilError, type VeilErrorCode } from '../protocol/errors.js';
import { apiUrls, type ApiUrls } from '../protocol/paths.js';
import type { PlaybackSession, PlaybackSessionRequest } from '../protocol/playback.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../internal/backoff.js';
import { errorFromResponse, isTransient } from './errors.js';

/** Per-request timeout: a hung service must not hang the element waiting for it. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface VeilClientOptions {
  /** Base URL of the Veil API (origin plus optional base path). */
  api: string;
  /** A current access token of the viewer; rejects with `SIGN_IN_REQUIRED` when signed out. */
  accessToken(): Promise<string>;
  timeoutMs?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** The code when the service's answer names none. */
  fallback?: VeilErrorCode;
  /** Retry transient failures (network, 5xx, 408, 429) with backoff; default false. */
  retry?: boolean;
}

export class VeilClient {
  readonly api: string;
  readonly #urls: ApiUrls;
  readonly #accessToken: () => Promise<string>;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #fetch: typeof fetch;

  constructor(options: VeilClientOptions) {
    this.api = options.api.replace(/\/+$/, '');
    this.#urls = apiUrls(this.api);
    this.#accessToken = options.accessToken;
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Where audit events sent with the viewer's access token go (the audit queue posts them). */
  get auditEventsUrl(): string {
    return this.#urls.auditEvents();
  }

  /** A new playback session for `videoId`; transient failures are retried. */
  createPlaybackSession(videoId: string, signal?: AbortSignal): Promise<PlaybackSession> {
    return this.#playbackSession({ videoId }, { signal, retry: true });
  }

  /**
   * Renews a playback session (same session id, perimeter and grants checked again). One try:
   * token renewal decides how long retrying makes sense (as long as the token could be renewed).
   */
  renewPlaybackSession(current: Pick<PlaybackSession, 'videoId' | 'token'>, signal?: AbortSignal): Promise<PlaybackSession> {
    return this.#playbackSession({ videoId: current.videoId, previousToken: current.token }, { signal });
  }

  #playbackSession(body: PlaybackSessionRequest, options: Pick<RequestOptions, 'signal' | 'retry'>): Promise<PlaybackSession> {
    return this.request<PlaybackSession>(this.#urls.playbackSessions(), { ...options, method: 'POST', body, fallback: 'PLAYBACK_SESSION_FAILED' });
  }

  /** One authenticated JSON request to `url` (a URL this client built). */
  request<T>(url: string, options: RequestOptions = {}): Promise<T> {
    const once = () => this.#send<T>(url, options);
    if (!options.retry) return once();
    return withRetry(once, { shouldRetry: isTransient, policy: this.#retry, signal: options.signal });
  }

  async #send<T>(url: string, { method = 'GET', body, signal, fallback = 'BAD_REQUEST' }: RequestOptions): Promise<T> {
    const token = await this.#accessToken();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new VeilError('NETWORK_ERROR', { cause, data: { timedOut: timeout.aborted } });
    }
    if (!response.ok) throw await errorFromResponse(response, fallback);
    return (await response.json()) as T;
  }
}
