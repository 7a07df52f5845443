/**
 * The durable audit queue: every captured event is written to IndexedDB before anything tries to
 * send it, and removed only when the server has acknowledged it. A closed tab, a crash or an
 * offline laptop leaves the events here for the next page of the same origin to deliver.
 *
 * Playback tokens are kept beside the events that need them (they are the proof of which video
 * the events belong to, and live minutes); access tokens are never written here — events that
 * need one wait until that viewer is signed in on a page again.
 */
import type { AuditEvent } from '../protocol/audit-events.js';

export interface QueuedEvent {
  id: string;
  /** Ingest URL. */
  endpoint: string;
  /** `playback:<sid>` or `access:<sub>`: which credential the event is sent with. */
  credentialKey: string;
  event: AuditEvent;
}

export interface AuditQueue {
  put(entry: QueuedEvent): Promise<void>;
  /** Every queued event, oldest first. */
  all(): Promise<QueuedEvent[]>;
  remove(ids: readonly string[]): Promise<void>;
  /** A persisted credential (playback tokens only). */
  credential(key: string): Promise<string | undefined>;
  setCredential(key: string, token: string): Promise<void>;
  /** Drops persisted credentials no queued event refers to. */
  pruneCredentials(): Promise<void>;
}

const EVENTS = 'events';
const CREDENTIALS = 'credentials';

function order(a: QueuedEvent, b: QueuedEvent): number {
  return a.event.clientTime - b.event.clientTime || a.event.session.localeCompare(b.event.session) || a.event.seq - b.event.seq;
}

function done(request: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IndexedDbAuditQueue implements AuditQueue {
  readonly #db: Promise<IDBDatabase>;

  constructor(readonly name = 'veil-audit') {
    this.#db = new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(EVENTS, { keyPath: 'id' });
        request.result.createObjectStore(CREDENTIALS);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('IndexedDB open blocked'));
    });
  }

  async #write(stores: string[], work: (transaction: IDBTransaction) => void): Promise<void> {
    const transaction = (await this.#db).transaction(stores, 'readwrite', { durability: 'strict' });
    const finished = committed(transaction);
    work(transaction);
    await finished;
  }

  put(entry: QueuedEvent): Promise<void> {
    return this.#write([EVENTS], (t) => t.objectStore(EVENTS).put(entry));
  }

  async all(): Promise<QueuedEvent[]> {
    const entries = (await done((await this.#db).transaction(EVENTS).objectStore(EVENTS).getAll())) as QueuedEvent[];
    return entries.sort(order);
  }

  remove(ids: readonly string[]): Promise<void> {
    return this.#write([EVENTS], (t) => {
      for (const id of ids) t.objectStore(EVENTS).delete(id);
    });
  }

  async credential(key: string): Promise<string | undefined> {
    return (await done((await this.#db).transaction(CREDENTIALS).objectStore(CREDENTIALS).get(key))) as string | undefined;
  }

  setCredential(key: string, token: string): Promise<void> {
    return this.#write([CREDENTIALS], (t) => t.objectStore(CREDENTIALS).put(token, key));
  }

  async pruneCredentials(): Promise<void> {
    const used = new Set((await this.all()).map((entry) => entry.credentialKey));
    const keys = (await done((await this.#db).transaction(CREDENTIALS).objectStore(CREDENTIALS).getAllKeys())) as string[];
    const unused = keys.filter((key) => !used.has(key));
    if (unused.length) {
      await this.#write([CREDENTIALS], (t) => {
        for (const key of unused) t.objectStore(CREDENTIALS).delete(key);
      });
    }
  }
}

/** Where IndexedDB is unavailable (some private modes): the same queue, in memory only. */
export class MemoryAuditQueue implements AuditQueue {
  readonly #events = new Map<string, QueuedEvent>();
  readonly #credentials = new Map<string, string>();

  async put(entry: QueuedEvent): Promise<void> {
    this.#events.set(entry.id, entry);
  }
  async all(): Promise<QueuedEvent[]> {
    return [...this.#events.values()].sort(order);
  }
  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#events.delete(id);
  }
  async credential(key: string): Promise<string | undefined> {
    return this.#credentials.get(key);
  }
  async setCredential(key: string, token: string): Promise<void> {
    this.#credentials.set(key, token);
  }
  async pruneCredentials(): Promise<void> {
    const used = new Set([...this.#events.values()].map((entry) => entry.credentialKey));
    for (const key of this.#credentials.keys()) if (!used.has(key)) this.#credentials.delete(key);
  }
}
