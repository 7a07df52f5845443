/**
 * `VeilClient`: the browser's one way to call the Veil service. It builds every URL (from
 * `apiUrls`), sends the viewer's access token as a bearer header (never in a URL), bounds each
 * request with a timeout, retries transient failures with the shared backoff, and turns failures
 * into `VeilError`s (the service's `{ error: { code, message, hint } }` body when there is one).
 * `<veil-session>` provides one per viewer through the session context.
 */
import { VeilError, type VeilErrorCode } from '../protocol/errors.js';
import { apiUrls, type ApiUrls } from '../protocol/paths.js';
import type { PlaybackSession, PlaybackSessionRequest, StreamProtocol } from '../protocol/playback.js';
import {
  TUS_VERSION,
  UPLOAD_TOKEN_EXPIRES_HEADER,
  UPLOAD_TOKEN_HEADER,
  VIDEO_ID_HEADER,
  type UploadTokenDocument,
  type VideoListDocument,
  type VideoStatusDocument,
} from '../protocol/recording.js';
import type { AccessChange, AccessDocument, AccessRequestResult, DirectoryEntry, DirectorySearchResult } from '../protocol/sharing.js';
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
  /** Extra request headers (e.g. `If-Match`); the bearer token is always set by the client. */
  headers?: Record<string, string>;
}

/** A JSON answer with the response headers it came with (e.g. an `ETag`). */
export interface WithHeaders<T> {
  body: T;
  headers: Headers;
}

/** A tus upload just created for the viewer. */
export interface CreatedUpload {
  /** Absolute URL of the upload (HEAD, PATCH, DELETE go here). */
  url: string;
  /** Bearer token for those requests. */
  token: string;
  videoId: string;
  /** When the token expires (epoch ms, the service's clock), if the service said. */
  expiresAt?: number;
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

  /**
   * A new playback session for `videoId`, in the first of `protocols` (the ones this client can
   * play, preferred first) the video has; transient failures are retried.
   */
  createPlaybackSession(videoId: string, signal?: AbortSignal, protocols?: StreamProtocol[]): Promise<PlaybackSession> {
    return this.#playbackSession({ videoId, ...(protocols ? { protocols } : {}) }, { signal, retry: true });
  }

  /**
   * Renews a playback session (same session id, perimeter and grants checked again). One try:
   * token renewal decides how long retrying makes sense (as long as the token could be renewed).
   */
  renewPlaybackSession(current: Pick<PlaybackSession, 'videoId' | 'token'> & Partial<Pick<PlaybackSession, 'protocol'>>, signal?: AbortSignal): Promise<PlaybackSession> {
    // The same presentation as the session being renewed: the engine keeps playing its manifest.
    const protocols = current.protocol ? { protocols: [current.protocol] } : {};
    return this.#playbackSession({ videoId: current.videoId, previousToken: current.token, ...protocols }, { signal });
  }

  #playbackSession(body: PlaybackSessionRequest, options: Pick<RequestOptions, 'signal' | 'retry'>): Promise<PlaybackSession> {
    return this.request<PlaybackSession>(this.#urls.playbackSessions(), { ...options, method: 'POST', body, fallback: 'PLAYBACK_SESSION_FAILED' });
  }

  /** One video's status and processing progress (the player polls it while a recording is processed). */
  videoStatus(videoId: string, signal?: AbortSignal): Promise<VideoStatusDocument> {
    return this.request<VideoStatusDocument>(this.#urls.video(videoId), { signal, retry: true });
  }

  /** The viewer's videos: owned, or visible to them. */
  videos(signal?: AbortSignal): Promise<VideoListDocument> {
    return this.request<VideoListDocument>(this.#urls.videos(), { signal, retry: true });
  }

  /**
   * Creates a tus upload with a deferred length (the recorder's): the upload's URL, its video id
   * and a first upload token. One try; the upload controller decides about retrying.
   */
  async createUpload(metadata: Record<string, string>, signal?: AbortSignal): Promise<CreatedUpload> {
    const encoded = Object.entries(metadata).map(([key, value]) => `${key} ${btoa(String.fromCharCode(...new TextEncoder().encode(value)))}`);
    const response = await this.#fetchWithToken(this.#urls.uploads(), {
      method: 'POST',
      headers: { 'tus-resumable': TUS_VERSION, 'upload-defer-length': '1', ...(encoded.length ? { 'upload-metadata': encoded.join(',') } : {}) },
      signal,
    });
    if (response.status !== 201) throw await errorFromResponse(response, 'UPLOAD_FAILED');
    const url = response.headers.get('location');
    const token = response.headers.get(UPLOAD_TOKEN_HEADER);
    const videoId = response.headers.get(VIDEO_ID_HEADER);
    if (!url || !token || !videoId) throw new VeilError('UPLOAD_FAILED', { message: 'The upload service answered without an upload URL, token or video id.' });
    const expiresAt = Number(response.headers.get(UPLOAD_TOKEN_EXPIRES_HEADER));
    return { url: new URL(url, this.api).href, token, videoId, ...(Number.isFinite(expiresAt) && expiresAt > 0 ? { expiresAt } : {}) };
  }

  /** A fresh upload token for one of the viewer's uploads; `recovered` when resuming after a reload (audited). */
  uploadToken(uploadId: string, options: { recovered?: boolean; signal?: AbortSignal } = {}): Promise<UploadTokenDocument> {
    return this.request<UploadTokenDocument>(this.#urls.uploadToken(uploadId), {
      method: 'POST',
      body: options.recovered ? { recovered: true } : undefined,
      signal: options.signal,
      fallback: 'UPLOAD_TOKEN_INVALID',
      retry: true,
    });
  }

  /** One request with the access token (never in a URL), bounded by the timeout; the caller reads the answer. */
  async #fetchWithToken(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response> {
    const token = await this.#accessToken();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    try {
      return await this.#fetch(url, {
        method: init.method,
        headers: { ...init.headers, authorization: `Bearer ${token}` },
        body: init.body,
        credentials: 'omit',
        cache: 'no-store',
        signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
      });
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      throw new VeilError('NETWORK_ERROR', { cause, data: { timedOut: timeout.aborted } });
    }
  }

  /** A video's access document and its ETag (only for viewers who may share it). */
  async videoAccess(videoId: string): Promise<VersionedAccess> {
    return versioned(await this.requestWithHeaders<AccessDocument>(this.#urls.videoAccess(videoId)));
  }

  /** Saves one batch of access changes over `etag` (`If-Match`); the service answers the new document. */
  async saveVideoAccess(videoId: string, changes: readonly AccessChange[], etag: string | undefined): Promise<VersionedAccess> {
    const headers: Record<string, string> = etag ? { 'if-match': etag } : {};
    return versioned(await this.requestWithHeaders<AccessDocument>(this.#urls.videoAccess(videoId), { method: 'POST', body: { changes }, headers }));
  }

  /** People and groups to share `videoId` with (POST: names stay out of URLs). */
  async searchDirectory(videoId: string, query: string): Promise<DirectoryEntry[]> {
    return (await this.request<DirectorySearchResult>(this.#urls.directorySearch(), { method: 'POST', body: { videoId, query } })).results;
  }

  /** Asks the owner of `videoId` for access (a member who cannot watch it); `pending` or `granted`. */
  requestAccess(videoId: string): Promise<AccessRequestResult> {
    return this.request<AccessRequestResult>(this.#urls.accessRequests(videoId), { method: 'POST', fallback: 'PLAYBACK_NOT_GRANTED' });
  }

  /** One authenticated JSON request to `url` (a URL this client built). */
  async request<T>(url: string, options: RequestOptions = {}): Promise<T> {
    return (await this.requestWithHeaders<T>(url, options)).body;
  }

  /** `request`, keeping the response headers. */
  requestWithHeaders<T>(url: string, options: RequestOptions = {}): Promise<WithHeaders<T>> {
    const once = () => this.#send<T>(url, options);
    if (!options.retry) return once();
    return withRetry(once, { shouldRetry: isTransient, policy: this.#retry, signal: options.signal });
  }

  async #send<T>(url: string, { method = 'GET', body, signal, fallback = 'BAD_REQUEST', headers: extra }: RequestOptions): Promise<WithHeaders<T>> {
    const headers: Record<string, string> = { ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.#fetchWithToken(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (!response.ok) throw await errorFromResponse(response, fallback);
    return { body: (await response.json()) as T, headers: response.headers };
  }

}

export interface VersionedAccess {
  document: AccessDocument;
  /** The document's ETag, to send back as `If-Match`. */
  etag: string;
}

function versioned({ body, headers }: WithHeaders<AccessDocument>): VersionedAccess {
  return { document: body, etag: headers.get('etag') ?? '' };
}
