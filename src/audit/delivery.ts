/**
 * Audit delivery for one page: batches queued events (≤ 60 KiB, ≤ 500 events per request), sends
 * them with the credential each needs, removes them once the server acknowledged them, and retries
 * everything else with backoff. Steady playback costs at most one request per `minIntervalMs`
 * (10 s). When the page is hidden or unloads, a batch goes out with `fetch(..., {keepalive: true})`
 * (or `sendBeacon` where keepalive is refused), credential in the body — never in the URL — and
 * stays queued until acknowledged: a lost beacon is resent by the next page; the server
 * deduplicates by event id.
 */
import { VeilError } from '../protocol/errors.js';
import { backoffDelay } from '../internal/backoff.js';
import { emitVeilEvent } from '../internal/emit.js';
import { AUDIT_MAX_BATCH_BYTES, AUDIT_MAX_BATCH_EVENTS } from '../protocol/audit-events.js';
import { IndexedDbAuditQueue, MemoryAuditQueue, type AuditQueue, type QueuedEvent } from './queue.js';

export type CredentialProvider = () => string | undefined | Promise<string | undefined>;

export interface AuditDeliveryOptions {
  queue?: AuditQueue;
  /** Minimum time between two requests outside page unload; default 10 000 ms. */
  minIntervalMs?: number;
  /** Longest retry backoff; default 60 000 ms. */
  maxBackoffMs?: number;
  fetch?: typeof fetch;
}

/** Statuses after which retrying cannot help: the batch is dropped and reported. */
const FINAL_STATUSES = new Set([400, 401, 403, 413]);
const encoder = new TextEncoder();

function bytes(text: string): number {
  return encoder.encode(text).length;
}

export class AuditDelivery {
  readonly queue: AuditQueue;
  readonly minIntervalMs: number;
  readonly maxBackoffMs: number;
  readonly #fetch: typeof fetch;
  /** Events queued by this page and not yet acknowledged: what an unloading page can still send synchronously. */
  readonly #pending = new Map<string, QueuedEvent>();
  readonly #providers = new Map<string, CredentialProvider>();
  /** Last token each provider gave, for the synchronous unload path. */
  readonly #lastToken = new Map<string, string>();
  #timer?: ReturnType<typeof setTimeout>;
  #timerAt = Number.POSITIVE_INFINITY;
  #lastSendAt = Number.NEGATIVE_INFINITY;
  #retryAt = 0;
  #failures = 0;
  #sending = false;
  #again = false;
  /** Requests sent, for measurement and tests. */
  readonly stats = { requests: 0, bytes: 0, unloadRequests: 0 };

  constructor(options: AuditDeliveryOptions = {}) {
    this.queue = options.queue ?? (typeof indexedDB === 'undefined' ? new MemoryAuditQueue() : new IndexedDbAuditQueue());
    this.minIntervalMs = options.minIntervalMs ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    if (typeof addEventListener === 'function') {
      addEventListener('pagehide', () => this.flushOnUnload());
      addEventListener('online', () => this.#reschedule(0, true));
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') this.flushOnUnload();
      });
    }
    // Events left by earlier pages (closed offline, say) go out soon after this page starts.
    this.#reschedule(1000);
  }

  /** Makes `key` sendable; `persist` keeps the token in the queue (playback tokens only). */
  registerCredential(key: string, provider: CredentialProvider, persist?: string): void {
    const known = this.#providers.has(key);
    this.#providers.set(key, provider);
    if (!known) this.#reschedule(1000); // events that waited for this credential may go now
    if (persist) {
      this.#lastToken.set(key, persist);
      void this.queue.setCredential(key, persist).catch(() => undefined);
    }
  }

  /** Queues an event durably (resolves once it is in IndexedDB) and schedules delivery. */
  async enqueue(entry: QueuedEvent, urgent: boolean): Promise<void> {
    this.#pending.set(entry.id, entry);
    try {
      await this.queue.put(entry);
    } finally {
      this.#reschedule(urgent ? 0 : this.minIntervalMs);
    }
  }

  /** Sends now, ignoring the steady-state interval (but not a running backoff). */
  flushSoon(): void {
    this.#reschedule(0, true);
  }

  #reschedule(delayMs: number, ignoreInterval = false): void {
    const now = Date.now();
    let at = now + delayMs;
    if (!ignoreInterval) at = Math.max(at, this.#lastSendAt + this.minIntervalMs);
    at = Math.max(at, this.#retryAt);
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      void this.flush();
    }, Math.max(0, at - now));
  }

  async #token(key: string): Promise<string | undefined> {
    const provider = this.#providers.get(key);
    let token: string | undefined;
    try {
      token = await provider?.();
    } catch {
      token = undefined;
    }
    token ??= this.#lastToken.get(key) ?? (key.startsWith('playback:') ? await this.queue.credential(key) : undefined);
    if (token) this.#lastToken.set(key, token);
    return token;
  }

  /** Splits `entries` (one credential, one endpoint) into bodies of at most 60 KiB and 500 events. */
  static batches(entries: readonly QueuedEvent[], credentialInBody?: string): Array<{ ids: string[]; body: string }> {
    const overhead = bytes(JSON.stringify({ credential: credentialInBody, events: [] }));
    const result: Array<{ ids: string[]; body: string }> = [];
    let events: string[] = [];
    let ids: string[] = [];
    let size = overhead;
    const close = () => {
      if (!events.length) return;
      const prefix = credentialInBody === undefined ? '{"events":[' : `{"credential":${JSON.stringify(credentialInBody)},"events":[`;
      result.push({ ids, body: `${prefix}${events.join(',')}]}` });
      events = [];
      ids = [];
      size = overhead;
    };
    for (const entry of entries) {
      const json = JSON.stringify(entry.event);
      const add = bytes(json) + 1;
      if (overhead + add > AUDIT_MAX_BATCH_BYTES) continue; // cannot happen with the event schema's limits
      if (size + add > AUDIT_MAX_BATCH_BYTES || events.length >= AUDIT_MAX_BATCH_EVENTS) close();
      events.push(json);
      ids.push(entry.id);
      size += add;
    }
    close();
    return result;
  }

  static #groups(entries: readonly QueuedEvent[]): QueuedEvent[][] {
    const groups = new Map<string, QueuedEvent[]>();
    for (const entry of entries) {
      const key = `${entry.endpoint} ${entry.credentialKey}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(entry);
    }
    return [...groups.values()];
  }

  /** Delivers everything queued that has a credential; one request per batch. */
  async flush(): Promise<void> {
    if (this.#sending) {
      this.#again = true;
      return;
    }
    this.#sending = true;
    let failed = false;
    try {
      const entries = await this.queue.all();
      for (const group of AuditDelivery.#groups(entries)) {
        const { endpoint, credentialKey } = group[0]!;
        const token = await this.#token(credentialKey);
        if (!token) continue; // waits for its viewer to be signed in again
        for (const batch of AuditDelivery.batches(group)) {
          this.#lastSendAt = Date.now();
          this.stats.requests += 1;
          this.stats.bytes += bytes(batch.body);
          let response: Response;
          try {
            response = await this.#fetch(endpoint, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: batch.body,
              credentials: 'omit',
            });
          } catch {
            failed = true;
            break;
          }
          if (response.ok || FINAL_STATUSES.has(response.status)) {
            if (!response.ok) this.#dropped(batch.ids, response.status);
            await this.queue.remove(batch.ids);
            for (const id of batch.ids) this.#pending.delete(id);
          } else {
            failed = true;
            break;
          }
        }
      }
      await this.queue.pruneCredentials().catch(() => undefined);
    } catch {
      failed = true;
    } finally {
      this.#sending = false;
    }
    if (failed) {
      this.#failures += 1;
      this.#retryAt = Date.now() + backoffDelay({ baseDelayMs: this.minIntervalMs, maxDelayMs: this.maxBackoffMs }, this.#failures - 1);
      this.#reschedule(0);
    } else {
      this.#failures = 0;
      this.#retryAt = 0;
      if (this.#again || this.#pending.size) this.#reschedule(this.#again ? 0 : this.minIntervalMs);
    }
    this.#again = false;
  }

  /**
   * The page is being hidden or unloaded: send what this page still holds, synchronously, as one
   * keepalive request per credential within the 64 KiB keepalive quota. Events stay queued until
   * a later flush sees them acknowledged.
   */
  flushOnUnload(): void {
    let budget = 64 * 1024;
    for (const group of AuditDelivery.#groups([...this.#pending.values()])) {
      const { endpoint, credentialKey } = group[0]!;
      const token = this.#lastToken.get(credentialKey);
      if (!token) continue;
      const [batch] = AuditDelivery.batches(group, token);
      if (!batch || bytes(batch.body) > budget) continue;
      budget -= bytes(batch.body);
      this.stats.unloadRequests += 1;
      this.#lastSendAt = Date.now();
      const acknowledged = (response: Response) => {
        if (!response.ok) return;
        for (const id of batch.ids) this.#pending.delete(id);
        void this.queue.remove(batch.ids).catch(() => undefined);
      };
      try {
        // text/plain: a CORS-safelisted type, so a cross-origin API needs no preflight at unload.
        this.#fetch(endpoint, { method: 'POST', keepalive: true, headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: batch.body, credentials: 'omit' })
          .then(acknowledged, () => undefined);
      } catch {
        navigator.sendBeacon?.(endpoint, batch.body);
      }
    }
  }

  #dropped(ids: string[], status: number): void {
    const error = new VeilError('AUDIT_DELIVERY_FAILED', { data: { ids, status } });
    console.warn(`[veil] ${error.code}: ${error.hint}`, { ids, status });
    if (typeof document !== 'undefined') emitVeilEvent(document, 'veil-error', error);
  }
}

let shared: AuditDelivery | undefined;

/** The page's one delivery (one queue, one rate limit), created on first use. */
export function auditDelivery(): AuditDelivery {
  shared ??= new AuditDelivery();
  return shared;
}
