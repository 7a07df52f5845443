/**
 * The SQLite storage's statement cache (issue 16): one compiled statement per SQL text, a fresh
 * one while the cached one is being iterated (a streamed query), and correct results either way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { withStatementCache } from '../../src/server/storage/sqlite.js';

describe('SQLite statement cache', () => {
  it('prepares each SQL text once, and a second statement while the first is iterated', () => {
    const cached = withStatementCache(new Database(':memory:'));
    const first = cached.prepare('SELECT 1 AS one');
    assert.equal(cached.prepare('SELECT 1 AS one'), first);
    assert.notEqual(cached.prepare('SELECT 2 AS two'), first);
    const iterating = cached.prepare('SELECT value FROM json_each(?)');
    const rows = iterating.iterate(['[1,2,3]']);
    rows.next();
    const meanwhile = cached.prepare('SELECT value FROM json_each(?)');
    assert.notEqual(meanwhile, iterating);
    assert.deepEqual(meanwhile.all(['[4,5]']), [{ value: 4 }, { value: 5 }]);
    assert.deepEqual([...rows], [{ value: 2 }, { value: 3 }]);
    assert.equal(cached.prepare('SELECT value FROM json_each(?)'), iterating, 'the cached statement is reused once it is free again');
    cached.close();
  });

  it('keeps at most `size` statements; queries through Kysely stay correct, streamed ones too', async () => {
    const cached = withStatementCache(new Database(':memory:'), 2);
    const a = cached.prepare('SELECT 1');
    cached.prepare('SELECT 2');
    cached.prepare('SELECT 3');
    assert.notEqual(cached.prepare('SELECT 1'), a, 'the oldest was dropped');
    const db = new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(new Database(':memory:')) }) });
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    for (let id = 1; id <= 5; id++) await db.insertInto('t').values({ id, name: `n${id}` }).execute();
    // (Kysely holds SQLite's one connection for a stream: nothing else runs until it ends.)
    const streamed: number[] = [];
    for await (const row of db.selectFrom('t').select('id').orderBy('id').stream()) streamed.push(row.id);
    assert.deepEqual(streamed, [1, 2, 3, 4, 5]);
    assert.deepEqual((await db.selectFrom('t').select('id').orderBy('id').execute()).map((row) => row.id), [1, 2, 3, 4, 5]);
    assert.equal((await db.selectFrom('t').select('name').where('id', '=', 3).executeTakeFirst())?.name, 'n3');
    await db.destroy();
  });
});
