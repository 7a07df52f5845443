/**
 * The tus locker shared through PostgreSQL: two replicas (two lockers, two pools) on one database.
 * A lock held by one is released on the other's request, a holder that will not let go makes the
 * other time out, a holder whose replica dies (its connection gone) strands nothing, and a lost
 * listening connection is re-opened, so release requests reach the holder again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERRORS } from '@tus/server';
import { createPostgresPool } from '../../src/server/storage/postgres.js';
import { PostgresLocker } from '../../src/server/uploads/postgres-locker.js';
import { closeBeforeStop, freshPostgresDatabase } from '../support/postgres.js';

async function replicas(timeoutMs = 5000): Promise<[PostgresLocker, PostgresLocker]> {
  const url = await freshPostgresDatabase();
  const open = async () => {
    const pool = createPostgresPool(url, 4);
    const locker = await PostgresLocker.open(pool, { acquireLockTimeoutMs: timeoutMs });
    closeBeforeStop(async () => {
      await locker.close();
      await pool.end();
    });
    return locker;
  };
  return [await open(), await open()];
}

const never = new AbortController().signal;

describe('tus locker on PostgreSQL', () => {
  it('a lock held on replica A is released at replica B’s request, and B gets it', async () => {
    const [a, b] = await replicas();
    const held = a.newLock('rec-1');
    let asked = 0;
    await held.lock(never, async () => {
      asked += 1;
      await held.unlock(); // as tus does: the old request stops and lets go
    });
    const started = Date.now();
    const wanted = b.newLock('rec-1');
    await wanted.lock(never, () => {});
    assert.equal(asked, 1);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    // Another id is independent.
    const other = a.newLock('rec-2');
    await other.lock(never, () => {});
    await other.unlock();
    await wanted.unlock();
  });

  it('a holder that does not let go makes the other request time out', async () => {
    const [a, b] = await replicas(600);
    const held = a.newLock('rec-1');
    await held.lock(never, () => {});
    await assert.rejects(b.newLock('rec-1').lock(never, () => {}), (error) => error === ERRORS.ERR_LOCK_TIMEOUT);
    await held.unlock();
    const again = b.newLock('rec-1');
    await again.lock(never, () => {});
    await again.unlock();
  });

  it('a replica that dies holding a lock strands nothing: its connection goes, and so does the lock', async () => {
    const [a, b] = await replicas();
    const held = a.newLock('rec-1');
    await held.lock(never, () => {});
    // The holder's connection is cut, as when the replica is SIGKILLed.
    const { client } = a.held.get('rec-1')!;
    await b.pool.query('SELECT pg_terminate_backend($1)', [(client as unknown as { processID: number }).processID]);
    const wanted = b.newLock('rec-1');
    await wanted.lock(never, () => {});
    await wanted.unlock();
    await held.unlock(); // the dead holder's clean-up does not throw
  });

  it('a listener whose connection is killed (pg_terminate_backend) listens again: release requests reach the holder', async () => {
    const [a, b] = await replicas();
    const lost = a.listenerPid!;
    await b.pool.query('SELECT pg_terminate_backend($1)', [lost]);
    const deadline = Date.now() + 10_000;
    while (a.relistened === 0) {
      assert.ok(Date.now() < deadline, 'the listener was not re-opened within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.notEqual(a.listenerPid, lost);
    const held = a.newLock('rec-1');
    let asked = 0;
    await held.lock(never, async () => {
      asked += 1;
      await held.unlock();
    });
    const started = Date.now();
    const wanted = b.newLock('rec-1');
    await wanted.lock(never, () => {});
    assert.equal(asked, 1, 'the holder was asked to let go');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms (the lock timeout is 5 s)`);
    await wanted.unlock();
  });
});
