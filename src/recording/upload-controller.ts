/**
 * Uploads a recording while it is recorded, over tus 1.0, from the chunk store (our own client:
 * tus-js-client restarts from zero when a resume HEAD fails, stalls on deferred lengths that are
 * a multiple of its chunk size, and cannot resume a stream after a reload). Rules:
 * - `Upload-Defer-Length` while recording; the final length on the last PATCH (an empty PATCH if
 *   the last bytes went before recording stopped); one chunk per PATCH with its sha256
 *   `Upload-Checksum`;
 * - on any error: HEAD, realign to the server's offset, resend from IndexedDB — never from zero
 *   silently: an upload the server no longer has (expired, terminated) or whose bytes do not hash
 *   to the recording's is restarted from the local chunks as a new upload, through `onRestarted`;
 * - offline: wait for the network (`onWaiting`) and resume at once when it is back;
 * - the upload token is renewed before it expires, and on a 401;
 * - the whole recording's SHA-256 (kept in the chunk store as it grows) goes with the final PATCH
 *   and every later HEAD: the server accepts only bytes that hash to it;
 * - success only when the server acknowledged the last byte and accepted the upload; only then
 *   are the local chunks deleted.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VeilClient } from '../api/client.js';
import { errorFromResponse } from '../api/errors.js';
import { backoffDelay, sleep, whenOnline } from '../internal/backoff.js';
import { VeilError } from '../protocol/errors.js';
import { RECORDING_CHECKSUM_HEADER, TUS_VERSION, UPLOAD_CHECKSUM_ALGORITHM } from '../protocol/recording.js';
import type { ChunkStore, StoredRecording, StoredUpload } from './chunk-store.js';
import { sha256Digest } from './sha256.js';

export interface UploadCallbacks {
  /** The session's API client (the access token for creation and upload-token renewal). */
  client(): VeilClient | undefined;
  /** The server registered the recording as this video (once per upload). */
  onVideoId(videoId: string): void;
  /** The server lost upload `previousVideoId` (or holds other bytes): it starts again from the local chunks, as a new video. */
  onRestarted(previousVideoId: string, reason: VeilError): void;
  /** Bytes the server holds, and the final length once known. */
  onProgress(sent: number, total: number | undefined): void;
  /** True while the upload waits for the network (or the service) to come back. */
  onWaiting(waiting: boolean): void;
  /** The server accepted the whole recording for processing; the local copy is gone. */
  onAccepted(videoId: string): void;
  /** The upload cannot go on by itself; the recording stays in the chunk store. */
  onError(error: VeilError): void;
}

/** Delays between retries: short, because the network's return must be noticed within 2 s. */
const RETRY = { baseDelayMs: 250, maxDelayMs: 2000 };
const REQUEST_TIMEOUT_MS = 30_000;
/** Codes that end the upload (it stays local); everything else is retried. */
const FATAL = new Set(['UPLOAD_NOT_FOUND', 'UPLOAD_QUOTA_EXCEEDED', 'PERIMETER_DENIED', 'SIGN_IN_REQUIRED', 'BAD_REQUEST']);
/** A recording whose upload keeps vanishing or mismatching stops restarting after this many. */
const MAX_RESTARTS = 2;
/** The upload token is renewed once this share of its lifetime has gone. */
const RENEW_AT_SHARE = 0.8;

function checksumHeader(digest: Uint8Array): string {
  return `${UPLOAD_CHECKSUM_ALGORITHM} ${btoa(String.fromCharCode(...digest))}`;
}

async function checksum(body: ArrayBuffer): Promise<string> {
  return checksumHeader(new Uint8Array(await crypto.subtle.digest('SHA-256', body)));
}

/** When to renew a token that expires at `expiresAt` (undefined: only on a 401). */
export function renewalTime(expiresAt: number | undefined, now = Date.now()): number | undefined {
  return expiresAt === undefined ? undefined : now + Math.max(0, expiresAt - now) * RENEW_AT_SHARE;
}

/** The server no longer has this upload, or holds bytes that are not this recording's. */
function serverLostUpload(error: VeilError): boolean {
  return (error.code === 'UPLOAD_NOT_FOUND' && error.data.local !== true) || error.code === 'RECORDING_CHECKSUM_MISMATCH';
}

function asVeilError(error: unknown): VeilError {
  return error instanceof VeilError ? error : new VeilError('UPLOAD_FAILED', { cause: error });
}

export class UploadController implements ReactiveController {
  readonly #store: ChunkStore;
  readonly #callbacks: UploadCallbacks;
  #run?: AbortController;
  #dataArrived?: () => void;
  /** Set by `notify()`; a notification between reading the store and waiting is not lost. */
  #notified = false;

  constructor(host: ReactiveControllerHost, store: ChunkStore, callbacks: UploadCallbacks) {
    this.#store = store;
    this.#callbacks = callbacks;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /**
   * Starts (or resumes) uploading recording `id` from wherever the server is; `recovered` when
   * resuming a recording a reload or crash interrupted (a fresh upload token first, audited).
   */
  start(id: string, options: { recovered?: boolean } = {}): void {
    this.stop();
    const run = (this.#run = new AbortController());
    void this.#pump(id, run.signal, options.recovered ?? false);
  }

  /** A chunk was persisted, or the final length was set. */
  notify(): void {
    this.#notified = true;
    this.#dataArrived?.();
  }

  stop(): void {
    this.#run?.abort();
    this.#run = undefined;
    this.notify();
  }

  async #pump(id: string, signal: AbortSignal, recovered: boolean): Promise<void> {
    /** The server's offset; undefined until a creation or HEAD told it. */
    let offset: number | undefined;
    let lengthDeclared = false;
    let attempt = 0;
    let restarts = 0;
    let waiting = false;
    const setWaiting = (value: boolean) => {
      if (value !== waiting) this.#callbacks.onWaiting((waiting = value));
    };
    while (!signal.aborted) {
      try {
        this.#notified = false;
        let recording = await this.#recording(id);
        if (!recording.upload) {
          const client = this.#client();
          const { expiresAt, ...created } = await client.createUpload({ title: recording.title, filetype: recording.mimeType }, signal);
          recording = await this.#store.update(id, { upload: { ...created, renewAt: renewalTime(expiresAt) } });
          offset = 0;
          lengthDeclared = false;
          this.#callbacks.onVideoId(created.videoId);
        } else if (!recovered && (recording.upload.renewAt ?? Infinity) <= Date.now()) {
          await this.#renewToken(id, signal);
          continue;
        } else if (offset === undefined) {
          this.#callbacks.onVideoId(recording.upload.videoId);
          if (recovered) {
            // The stored upload token has most likely expired with the tab that held it.
            await this.#renewToken(id, signal, true);
            recovered = false;
            recording = await this.#recording(id);
          }
          ({ offset, lengthDeclared } = await this.#head(recording, signal));
        }
        const upload = recording.upload!;
        const final = recording.finalLength;
        setWaiting(false);
        this.#callbacks.onProgress(offset, final);
        if (final !== undefined && offset === final && lengthDeclared) return await this.#accepted(id, upload.videoId);

        const chunk = await this.#store.chunkAt(id, offset);
        if (chunk) {
          const body = chunk.data.slice(offset - chunk.offset);
          const last = final !== undefined && offset + body.byteLength === final;
          offset = await this.#patch(recording, offset, body, last ? final : undefined, signal);
          if (last) lengthDeclared = true;
          attempt = 0;
          continue;
        }
        if (final !== undefined && offset === final) {
          // Every byte went before recording stopped: declare the length with an empty PATCH.
          offset = await this.#patch(recording, offset, new ArrayBuffer(0), final, signal);
          lengthDeclared = true;
          continue;
        }
        await this.#nextData(signal);
      } catch (error) {
        if (signal.aborted) return;
        let veilError = asVeilError(error);
        const status = veilError.data.status;
        if (status === 401 || veilError.code === 'UPLOAD_TOKEN_INVALID') {
          const renewal = await this.#renewToken(id, signal).then(() => undefined, asVeilError);
          if (!renewal) continue;
          veilError = renewal;
        }
        if (serverLostUpload(veilError) && restarts < MAX_RESTARTS) {
          restarts += 1;
          offset = undefined;
          await this.#restart(id, veilError).catch(() => undefined);
          continue;
        }
        if (FATAL.has(veilError.code)) return this.#callbacks.onError(veilError);
        // Anything else (network, 5xx, an offset conflict, a damaged chunk): wait, HEAD, realign.
        if (veilError.code !== 'UPLOAD_CHECKSUM_MISMATCH') offset = undefined;
        setWaiting(true);
        if (!navigator.onLine) await whenOnline(signal).catch(() => undefined);
        else await sleep(backoffDelay(RETRY, attempt++), signal).catch(() => undefined);
      }
    }
  }

  #client(): VeilClient {
    const client = this.#callbacks.client();
    if (!client) throw new VeilError('SIGN_IN_REQUIRED');
    return client;
  }

  async #recording(id: string): Promise<StoredRecording> {
    const recording = await this.#store.get(id);
    if (!recording) throw new VeilError('UPLOAD_NOT_FOUND', { message: 'The local recording is gone.', data: { local: true } });
    return recording;
  }

  #nextData(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (this.#notified) return resolve();
      this.#dataArrived = () => {
        this.#dataArrived = undefined;
        resolve();
      };
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  async #accepted(id: string, videoId: string): Promise<void> {
    await this.#store.delete(id);
    this.#callbacks.onAccepted(videoId);
  }

  async #renewToken(id: string, signal: AbortSignal, recovered = false): Promise<StoredUpload | undefined> {
    const recording = await this.#recording(id);
    if (!recording.upload) return undefined;
    const { token, expiresAt } = await this.#client().uploadToken(recording.upload.videoId, { recovered, signal });
    return (await this.#store.update(id, { upload: { ...recording.upload, token, renewAt: renewalTime(expiresAt) } })).upload;
  }

  /** Forgets the server's upload: the next round creates a new one and sends every local chunk again. */
  async #restart(id: string, reason: VeilError): Promise<void> {
    const recording = await this.#recording(id);
    const previous: StoredUpload | undefined = recording.upload;
    await this.#store.update(id, { upload: undefined });
    if (previous) this.#callbacks.onRestarted(previous.videoId, reason);
  }

  /** The whole recording's checksum, once recording has ended (every byte is persisted). */
  #recordingChecksum(recording: StoredRecording): Record<string, string> {
    if (recording.finalLength === undefined || recording.hash.length !== recording.finalLength) return {};
    return { [RECORDING_CHECKSUM_HEADER.toLowerCase()]: checksumHeader(sha256Digest(recording.hash)) };
  }

  async #send(recording: StoredRecording, init: { method: string; headers?: Record<string, string>; body?: ArrayBuffer }, signal: AbortSignal): Promise<Response> {
    let upload = recording.upload!;
    // Checked again right before sending: a HEAD, a checksum or a busy machine between the pump's
    // check and this request must not let the token expire on the way (a 401 would follow).
    if ((upload.renewAt ?? Infinity) <= Date.now()) upload = (await this.#renewToken(recording.id, signal)) ?? upload;
    let response: Response;
    try {
      response = await fetch(upload.url, {
        method: init.method,
        headers: { authorization: `Bearer ${upload.token}`, 'tus-resumable': TUS_VERSION, ...init.headers },
        body: init.body,
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (cause) {
      throw new VeilError('NETWORK_ERROR', { cause });
    }
    if (!response.ok) throw await errorFromResponse(response, 'UPLOAD_FAILED');
    return response;
  }

  async #head(recording: StoredRecording, signal: AbortSignal): Promise<{ offset: number; lengthDeclared: boolean }> {
    const response = await this.#send(recording, { method: 'HEAD', headers: this.#recordingChecksum(recording) }, signal);
    const offset = Number(response.headers.get('upload-offset'));
    if (!Number.isInteger(offset) || offset < 0 || offset > recording.bytes) {
      throw new VeilError('UPLOAD_NOT_FOUND', { message: `The server holds ${offset} bytes of a ${recording.bytes}-byte recording.` });
    }
    return { offset, lengthDeclared: response.headers.has('upload-length') };
  }

  async #patch(recording: StoredRecording, offset: number, body: ArrayBuffer, length: number | undefined, signal: AbortSignal): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) };
    if (body.byteLength) headers['upload-checksum'] = await checksum(body);
    if (length !== undefined) Object.assign(headers, { 'upload-length': String(length) }, this.#recordingChecksum(recording));
    const response = await this.#send(recording, { method: 'PATCH', headers, body }, signal);
    const next = Number(response.headers.get('upload-offset'));
    if (next !== offset + body.byteLength) throw new VeilError('UPLOAD_OFFSET_MISMATCH', { data: { expected: offset + body.byteLength, got: next } });
    return next;
  }
}
