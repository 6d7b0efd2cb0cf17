import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../test-support/test-db.js';
import type { Db } from './db.js';
import { DirectSql } from './direct-sql.js';

/** The engine's statement path, on the backend the suite runs on (SQLite, or MySQL with OPSLOOM_TEST_DB). */
describe('direct SQL', () => {
  let db: Db;
  let close: () => Promise<void>;
  let sql: DirectSql;
  const value = async (id: string) => (await sql.first<{ v: number }>(db, 'select `v` from `ds_probe` where `id` = ?', [id]))?.v;

  before(async () => {
    ({ db, close } = await openTestDb('direct-sql'));
    await db.schema.createTable('ds_probe', (t) => { t.string('id', 8).primary(); t.integer('v').notNullable(); t.boolean('flag').notNullable().defaultTo(false); });
    sql = new DirectSql(db);
  });
  after(() => close());

  test('statements report changed rows and bind booleans on every dialect', async () => {
    await db('ds_probe').insert({ id: 'a', v: 1 });
    assert.equal(await sql.run(db, 'update `ds_probe` set `v` = ?, `flag` = ? where `id` = ? and `v` = ?', [2, true, 'a', 1]), 1);
    assert.equal(await sql.run(db, 'update `ds_probe` set `v` = ? where `id` = ? and `v` = ?', [3, 'a', 1]), 0, 'a lost compare-and-set changes nothing');
    const row = await sql.first<{ v: number; flag: number | boolean }>(db, 'select `v`, `flag` from `ds_probe` where `id` = ?', ['a']);
    assert.equal(row?.v, 2);
    assert.equal(Boolean(row?.flag), true);
    assert.equal(await sql.first(db, 'select `v` from `ds_probe` where `id` = ?', ['missing']), undefined);
  });

  test('a transaction commits its direct statements and the knex queries made through it together', async () => {
    await sql.transaction(db, async (tx) => {
      await tx('ds_probe').insert({ id: 'b', v: 10 });
      assert.equal(await sql.run(tx, 'update `ds_probe` set `v` = ? where `id` = ?', [11, 'b']), 1);
    });
    assert.equal(await value('b'), 11);
  });

  test('a transaction whose work throws is rolled back entirely, and the connection serves the next one', async () => {
    await assert.rejects(sql.transaction(db, async (tx) => {
      await tx('ds_probe').insert({ id: 'c', v: 20 });
      await sql.run(tx, 'update `ds_probe` set `v` = ? where `id` = ?', [21, 'b']);
      throw new Error('changed my mind');
    }), /changed my mind/);
    assert.equal(await value('c'), undefined);
    assert.equal(await value('b'), 11);
    await sql.transaction(db, (tx) => sql.run(tx, 'update `ds_probe` set `v` = ? where `id` = ?', [12, 'b']));
    assert.equal(await value('b'), 12);
  });

  test('concurrent transactions each see their own reads and writes and all land', async () => {
    await db('ds_probe').insert({ id: 'n', v: 0 });
    await Promise.all(Array.from({ length: 20 }, () => sql.transaction(db, async (tx) => {
      // A locking read, then a write of what it read: interleaving would lose increments.
      const row = await tx('ds_probe').where({ id: 'n' }).forUpdate().first('v');
      await sql.run(tx, 'update `ds_probe` set `v` = ? where `id` = ?', [Number(row.v) + 1, 'n']);
    })));
    assert.equal(await value('n'), 20);
  });

  test('transactions running at once each land or roll back alone, whichever of them throws', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `g${i}`);
    const failing = new Set(['g0', 'g5', 'g11']);
    const results = await Promise.allSettled(ids.map((id) => sql.transaction(db, async (tx) => {
      await tx('ds_probe').insert({ id, v: 1 });
      await sql.run(tx, 'update `ds_probe` set `v` = ? where `id` = ?', [2, id]);
      if (failing.has(id)) throw new Error(`${id} failed`);
      return id;
    })));
    results.forEach((r, i) => {
      if (failing.has(ids[i]!)) assert.equal(r.status === 'rejected' && (r.reason as Error).message, `${ids[i]} failed`);
      else assert.deepEqual(r, { status: 'fulfilled', value: ids[i] });
    });
    for (const id of ids) assert.equal(await value(id), failing.has(id) ? undefined : 2, id);
  });

  test('two transactions taking the same rows in opposite orders both land: on MySQL the deadlock\'s victim runs again', async () => {
    await db('ds_probe').insert([{ id: 'x', v: 0 }, { id: 'y', v: 0 }]);
    let runs = 0;
    const firstWrites: (() => void)[] = [];
    const bothWrote = new Promise<void>((resolve) => { let n = 0; firstWrites.push(() => { if (++n === 2) resolve(); }, () => { if (++n === 2) resolve(); }); });
    // Each waits for the other's first write (at most briefly: SQLite runs them one after the other).
    const crossing = (first: string, second: string, arrived: () => void) => sql.transaction(db, async (tx) => {
      runs++;
      await sql.run(tx, 'update `ds_probe` set `v` = `v` + 1 where `id` = ?', [first]);
      arrived();
      await Promise.race([bothWrote, new Promise((r) => setTimeout(r, 300))]);
      await sql.run(tx, 'update `ds_probe` set `v` = `v` + 10 where `id` = ?', [second]);
    });
    await Promise.all([crossing('x', 'y', firstWrites[0]!), crossing('y', 'x', firstWrites[1]!)]);
    assert.deepEqual([await value('x'), await value('y')], [11, 11], 'each transaction\'s work landed once');
    assert.equal(runs, sql.dialect === 'mysql' ? 3 : 2, 'on MySQL one of them deadlocked and ran again');
  });

  test('a transaction settles once its work is committed; on SQLite one queued behind it shares that commit', async () => {
    let seenInside: number | undefined;
    const first = sql.transaction(db, async (tx) => {
      await tx('ds_probe').insert({ id: 'late', v: 1 });
      await new Promise((r) => setTimeout(r, 20));
    });
    const second = sql.transaction(db, async (tx) => {
      seenInside = (await sql.first<{ v: number }>(tx, 'select `v` from `ds_probe` where `id` = ?', ['late']))?.v;
      await tx('ds_probe').insert({ id: 'late2', v: 1 });
    });
    await first;
    assert.equal(await value('late'), 1, 'settled before its write was visible');
    await second;
    assert.equal(await value('late2'), 1);
    // SQLite runs the queued transaction inside the open one, after it: it sees the first's write.
    if (sql.dialect === 'sqlite') assert.equal(seenInside, 1);
  });
});
