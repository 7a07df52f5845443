/**
 * A tus `Locker` shared by every replica through PostgreSQL, for uploads resumed on another
 * replica than the one that started them (tus's `MemoryLocker` only knows its own process).
 *
 * A lock is a session-level advisory lock on a connection held for the request: if the replica
 * dies, PostgreSQL drops the connection and with it the lock, so a killed replica never strands an
 * upload. Another request wanting the lock asks the holder to let go, as tus expects (a client
 * resuming after a network cut must not wait for the old, half-open PATCH): the request is a
 * `NOTIFY` that each replica's listener turns into the holder's `requestRelease`.
 */
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type pg from 'pg';

const CHANNEL = 'veil_tus_release';
const RETRY_MS = 50;
const ignore = () => {};

export interface PostgresLockerOptions {
  /** How long a request waits for a lock before tus answers with a lock timeout; default 30 s. */
  acquireLockTimeoutMs?: number;
}

export class PostgresLocker implements Locker {
  /** Locks this process holds, by upload id: whom to ask when another request wants one. */
  readonly held = new Map<string, { client: pg.PoolClient; requestRelease: RequestRelease }>();
  readonly timeoutMs: number;

  private constructor(
    readonly pool: pg.Pool,
    private readonly listener: pg.PoolClient,
    options: PostgresLockerOptions,
  ) {
    this.timeoutMs = options.acquireLockTimeoutMs ?? 30_000;
  }

  /** Starts listening for release requests from other replicas. */
  static async open(pool: pg.Pool, options: PostgresLockerOptions = {}): Promise<PostgresLocker> {
    const listener = await pool.connect();
    const locker = new PostgresLocker(pool, listener, options);
    // Without its listener a replica still locks correctly; others' requests then wait for the timeout.
    listener.on('error', (error) => console.error(`[uploads] lock release listener lost: ${error.message}`));
    listener.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) void locker.held.get(message.payload)?.requestRelease();
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    return locker;
  }

  newLock(id: string): Lock {
    return new PostgresLock(id, this);
  }

  /** Releases every lock this process holds (graceful shutdown), then stops listening. */
  async close(): Promise<void> {
    for (const id of [...this.held.keys()]) await this.newLock(id).unlock();
    await this.listener.query(`UNLISTEN ${CHANNEL}`).catch(() => {});
    this.listener.release();
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
