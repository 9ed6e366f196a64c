import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { appMigrations, dbContract, type TestTables } from './db.contract.js';
import { migrateSchema, openDatabase, PGLITE_MEMORY, type Database } from './index.js';

dbContract('pglite memory://', async () => ({
  config: { kind: 'pglite', dataDir: PGLITE_MEMORY },
  cleanup: async () => undefined,
}));

describe('pglite in a directory', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps data and migration state across close and reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-pglite-'));
    dirs.push(dir);
    const dataDir = join(dir, 'nested', 'db'); // created on open
    const first = await openDatabase<TestTables>({ kind: 'pglite', dataDir });
    await migrateSchema(first.kysely, { schema: 'app', migrations: appMigrations() });
    await first.kysely.insertInto('app.items').values({ name: 'persisted', big: 42 }).execute();
    await first.close();

    const second = await openDatabase<TestTables>({ kind: 'pglite', dataDir });
    try {
      await migrateSchema(second.kysely, { schema: 'app', migrations: appMigrations() });
      const runs = await second.kysely.selectFrom('app.migration_runs').select('name').execute();
      assert.deepEqual(runs, [{ name: '0001_items' }], 'migration not re-run after reopen');
      const row = await second.kysely.selectFrom('app.items').select(['name', 'big']).executeTakeFirstOrThrow();
      assert.deepEqual(row, { name: 'persisted', big: 42 });
    } finally {
      await second.close();
    }
  });
});

describe('pglite single connection', () => {
  let db: Database<TestTables>;
  before(async () => {
    db = await openDatabase<TestTables>({ kind: 'pglite', dataDir: PGLITE_MEMORY });
    await migrateSchema(db.kysely, { schema: 'app', migrations: appMigrations() });
  });
  after(() => db.close());

  it('a query from outside waits for an open transaction to end, so it never sees half of it', async () => {
    const k = db.kysely;
    const order: string[] = [];
    const tx = k.transaction().execute(async (trx) => {
      await trx.insertInto('app.items').values({ name: 'w1' }).execute();
      order.push('tx: first insert');
      await sleep(100);
      await trx.insertInto('app.items').values({ name: 'w2' }).execute();
      order.push('tx: second insert');
    });
    await sleep(20);
    const outside = k
      .selectFrom('app.items')
      .select('name')
      .where('name', 'in', ['w1', 'w2'])
      .execute()
      .then((rows) => {
        order.push('outside read');
        return rows.map((r) => r.name).sort();
      });
    await tx;
    assert.deepEqual(await outside, ['w1', 'w2']);
    assert.deepEqual(order, ['tx: first insert', 'tx: second insert', 'outside read']);
  });

  it('savepoints roll back part of a transaction', async () => {
    const trx = await db.kysely.startTransaction().execute();
    await trx.insertInto('app.items').values({ name: 'sp-keep' }).execute();
    const sp = await trx.savepoint('before_drop').execute();
    await sp.insertInto('app.items').values({ name: 'sp-drop' }).execute();
    const back = await sp.rollbackToSavepoint('before_drop').execute();
    await back.commit().execute();
    const rows = await db.kysely.selectFrom('app.items').select('name').where('name', 'like', 'sp-%').execute();
    assert.deepEqual(rows, [{ name: 'sp-keep' }]);
  });

  it('streaming is refused with an explanation', async () => {
    await assert.rejects(async () => {
      for await (const row of db.kysely.selectFrom('app.items').select('id').stream()) void row;
    }, /not supported by the PGlite dialect/);
  });

  it('close() waits for a running transaction', async () => {
    const other = await openDatabase<TestTables>({ kind: 'pglite', dataDir: PGLITE_MEMORY });
    let committed = false;
    const tx = other.kysely.transaction().execute(async (trx) => {
      await sleep(100);
      await sql`select 1`.execute(trx);
      committed = true;
    });
    await sleep(10);
    await other.close();
    await tx;
    assert.ok(committed);
  });
});
