/**
 * Prepared queries (issue 16): compiled once per shape, each run with its own arguments bound as
 * parameters — list arguments of any length, `undefined` branches, constants of the builder kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { prepared } from '../../src/server/storage/kysely/prepared.js';

interface Tables {
  t: { id: number; name: string; kind: string };
}

async function table(): Promise<Kysely<Tables>> {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').addColumn('kind', 'text').execute();
  await db
    .insertInto('t')
    .values([
      { id: 1, name: "o'brien", kind: 'a' },
      { id: 2, name: 'n2', kind: 'b' },
      { id: 3, name: 'n3', kind: 'a' },
    ])
    .execute();
  return db;
}

describe('prepared queries', () => {
  it('binds each run its own arguments; builds once per shape', async () => {
    const db = await table();
    let builds = 0;
    const named = prepared(db, (name: string, ids: readonly number[] | undefined) => {
      builds++;
      let query = db.selectFrom('t').select('id').where('kind', '=', 'a').where('name', '!=', name);
      if (ids) query = query.where('id', 'in', [...ids]);
      return query.orderBy('id');
    });
    assert.deepEqual((await named('n3', undefined)).map((row) => row.id), [1]);
    assert.deepEqual((await named("o'brien", undefined)).map((row) => row.id), [3], 'a quote is a bound value, not SQL');
    assert.deepEqual((await named('x', [3])).map((row) => row.id), [3]);
    assert.deepEqual((await named('x', [1, 2, 3])).map((row) => row.id), [1, 3], 'the builder constant (kind a) is kept');
    assert.deepEqual((await named('x', [2, 1])).map((row) => row.id), [1]);
    assert.equal(builds, 4, 'one build per shape: no list, lists of 1, 3 and 2');
    await named('x', [1]);
    assert.equal(builds, 4);
    await db.destroy();
  });
});
