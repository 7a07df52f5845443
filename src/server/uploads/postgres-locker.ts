/**
 * A tus `Locker` shared by every replica through PostgreSQL, for uploads resumed on another
 * replica than the one that started them (tus's `MemoryLocker` only knows its own process).
 *
 * A lock is a session-level advisory lock on a connection held for the request: if the replica
 * dies, PostgreSQL drops the connection and with it the lock, so a killed replica never strands an
 * upload. Another request wanting the lock asks the holder to let go, as tus expects (a client
 * resuming after a network cut must not wait for the old, half-open PATCH): the request is a
 * `NOTIFY` that each replica's listener turns into the holder's `requestRelease`. The listener's
 * connection is re-opened when it is lost (PostgreSQL restarted, the backend terminated), with a
 * growing pause between attempts; while it is down, locks still work, but another replica asking
 * this one to let go waits for its lock timeout.
 */
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type pg from 'pg';

const CHANNEL = 'veil_tus_release';
const RETRY_MS = 50;
/** Pauses between attempts to re-open a lost listener: 100 ms, doubling, at most 5 s. */
const RELISTEN_FIRST_MS = 100;
const RELISTEN_MAX_MS = 5000;
const ignore = () => {};

export interface PostgresLockerOptions {
  /** How long a request waits for a lock before tus answers with a lock timeout; default 30 s. */
  acquireLockTimeoutMs?: number;
}

export class PostgresLocker implements Locker {
  /** Locks this process holds, by upload id: whom to ask when another request wants one. */
  readonly held = new Map<string, { client: pg.PoolClient; requestRelease: RequestRelease }>();
  readonly timeoutMs: number;

  #listener: pg.PoolClient | undefined;
  #closed = false;
  #relistening: Promise<void> | undefined;
  /** Re-opened listeners so far (for tests and logs). */
  relistened = 0;

  private constructor(
    readonly pool: pg.Pool,
    options: PostgresLockerOptions,
  ) {
    this.timeoutMs = options.acquireLockTimeoutMs ?? 30_000;
  }

  /** Starts listening for release requests from other replicas. */
  static async open(pool: pg.Pool, options: PostgresLockerOptions = {}): Promise<PostgresLocker> {
    const locker = new PostgresLocker(pool, options);
    await locker.#listen();
    return locker;
  }

  /** The backend pid of the listening connection (undefined while it is re-opened). */
  get listenerPid(): number | undefined {
    return (this.#listener as unknown as { processID?: number } | undefined)?.processID;
  }

  async #listen(): Promise<void> {
    const listener = await this.pool.connect();
    const lost = (error?: Error) => {
      if (this.#listener !== listener) return;
      this.#listener = undefined;
      listener.release(error ?? new Error('listener connection ended'));
      if (!this.#closed) this.#relistening ??= this.#relisten(error?.message ?? 'connection ended');
    };
    listener.on('error', lost);
    listener.on('end', () => lost());
    listener.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) void this.held.get(message.payload)?.requestRelease();
    });
    try {
      await listener.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      listener.release(error as Error);
      throw error;
    }
    this.#listener = listener;
  }

  async #relisten(reason: string): Promise<void> {
    console.error(`[uploads] lock release listener lost (${reason}); re-opening it`);
    for (let pause = RELISTEN_FIRST_MS; !this.#closed; pause = Math.min(pause * 2, RELISTEN_MAX_MS)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      if (this.#closed) break;
      try {
        await this.#listen();
        this.relistened += 1;
        break;
      } catch {
        // The database is still away: try again after a longer pause.
      }
    }
    this.#relistening = undefined;
  }

  newLock(id: string): Lock {
    return new PostgresLock(id, this);
  }

  /** Releases every lock this process holds (graceful shutdown), then stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of [...this.held.keys()]) await this.newLock(id).unlock();
    await this.#relistening;
    const listener = this.#listener;
    this.#listener = undefined;
    if (!listener) return;
    await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => {});
    listener.release();
  }
}

class PostgresLock implements Lock {
  constructor(
    private readonly id: string,
    private readonly locker: PostgresLocker,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const client = await this.locker.pool.connect();
    // A connection cut while held (a database restart) takes the lock with it; `unlock` cleans up.
    client.on('error', ignore);
    const deadline = Date.now() + this.locker.timeoutMs;
    try {
      for (let asked = false; ; ) {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [this.id]);
        if (rows[0]!.locked) {
          this.locker.held.set(this.id, { client, requestRelease });
          return;
        }
        if (signal.aborted || Date.now() > deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
        // Ask the holder (in whichever replica) to finish; once is enough, it is listening.
        if (!asked) await client.query('SELECT pg_notify($1, $2)', [CHANNEL, this.id]);
        asked = true;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    } catch (error) {
      client.off('error', ignore);
      client.release();
      throw error;
    }
  }

  async unlock(): Promise<void> {
    const holder = this.locker.held.get(this.id);
    if (!holder) throw new Error(`Releasing an unlocked lock: ${this.id}`);
    this.locker.held.delete(this.id);
    holder.client.off('error', ignore);
    try {
      await holder.client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.id]);
      holder.client.release();
    } catch (error) {
      // A broken connection holds no lock any more: drop it from the pool.
      holder.client.release(error as Error);
    }
  }
}
