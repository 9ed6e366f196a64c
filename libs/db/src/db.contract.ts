// The behaviour both drivers must share, run against a fresh Postgres database and PGlite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type ColumnType, type Generated, type Kysely, type Migration } from 'kysely';
import { decodeFloat32, encodeFloat32, migrateSchema, openDatabase, UnsafeInt8Error, type Database, type DatabaseConfig } from './index.js';

export interface ItemsTable {
  id: Generated<number>;
  name: string;
  score: number | null;
  big: number | null;
  blob: Uint8Array | null;
  meta: ColumnType<unknown, string | undefined, string>;
  created_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TestTables {
  'app.items': ItemsTable;
  'app.migration_runs': { name: string };
}

/** Each up() records that it ran, so a test can tell a no-op rerun from a repeated migration. */
export function appMigrations(extra: Record<string, Migration> = {}): Record<string, Migration> {
  return {
    '0001_items': {
      async up(db) {
        await db.schema
          .withSchema('app')
          .createTable('migration_runs')
          .addColumn('name', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .withSchema('app')
          .createTable('items')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('score', 'double precision')
          .addColumn('big', 'int8')
          .addColumn('blob', 'bytea')
          .addColumn('meta', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.insertInto('app.migration_runs').values({ name: '0001_items' }).execute();
      },
    },
    ...extra,
  };
}

export interface DbFixture {
  config: DatabaseConfig;
  cleanup(): Promise<void>;
}

export function dbContract(label: string, make: () => Promise<DbFixture>): void {
  describe(`Database contract: ${label}`, () => {
    let fixture: DbFixture;
    let db: Database<TestTables>;
    let k: Kysely<TestTables>;
    // Migrations are cumulative: every later call must still list the ones applied before.
    const applied: Record<string, Migration> = {};
    const withApplied = (extra: Record<string, Migration>) => appMigrations(Object.assign(applied, extra));

    before(async () => {
      fixture = await make();
      db = await openDatabase<TestTables>(fixture.config);
      k = db.kysely;
      await migrateSchema(k, { schema: 'app', migrations: appMigrations() });
    });
    after(async () => {
      await db?.close();
      await fixture?.cleanup();
    });

    it('reports its kind', () => assert.equal(db.kind, fixture.config.kind));

    it('migrations created the schema, the tables and the tracking table inside the schema', async () => {
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'app' order by table_name`.execute(k);
      assert.deepEqual(
        tables.rows.map((r) => r.table_name),
        ['items', 'kysely_migration', 'kysely_migration_lock', 'migration_runs'],
      );
    });

    it('rerunning migrations is a no-op and a new migration runs alone', async () => {
      await migrateSchema(k, { schema: 'app', migrations: appMigrations() });
      const runs = () => k.selectFrom('app.migration_runs').select('name').orderBy('name').execute();
      assert.deepEqual(await runs(), [{ name: '0001_items' }]);
      const second: Migration = {
        async up(d) {
          await d.insertInto('app.migration_runs').values({ name: '0002_more' }).execute();
        },
      };
      await migrateSchema(k, { schema: 'app', migrations: withApplied({ '0002_more': second }) });
      await migrateSchema(k, { schema: 'app', migrations: withApplied({}) });
      assert.deepEqual(await runs(), [{ name: '0001_items' }, { name: '0002_more' }]);
    });

    // Postgres: a second pool, like a second process. PGlite: one instance per data directory, so
    // concurrent calls share it (and its mutex); opening the directory twice is not supported.
    const secondConnection = async (): Promise<{ kysely: Kysely<TestTables>; close(): Promise<void> }> =>
      fixture.config.kind === 'postgres' ? openDatabase<TestTables>(fixture.config) : { kysely: k, close: async () => undefined };

    it('concurrent migrations of one schema from two connections apply each migration once', async () => {
      const other = await secondConnection();
      try {
        const slow: Migration = {
          async up(d) {
            await sql`select pg_sleep(0.2)`.execute(d);
            await d.insertInto('app.migration_runs').values({ name: '0003_slow' }).execute();
          },
        };
        const m = { schema: 'app', migrations: withApplied({ '0003_slow': slow }) };
        await Promise.all([migrateSchema(k, m), migrateSchema(other.kysely, m), migrateSchema(k, m)]);
        const rows = await k.selectFrom('app.migration_runs').selectAll().where('name', '=', '0003_slow').execute();
        assert.equal(rows.length, 1);
      } finally {
        await other.close();
      }
    });

    it('concurrently migrating a fresh schema from two connections does not fail', async () => {
      const other = await secondConnection();
      try {
        const m = {
          schema: 'fresh_race',
          migrations: { '0001': { up: async (d: Kysely<unknown>) => void (await d.schema.withSchema('fresh_race').createTable('t').addColumn('x', 'integer').execute()) } },
        };
        await Promise.all([migrateSchema(k, m), migrateSchema(other.kysely, m)]);
        const n = await sql<{ n: number }>`select count(*) as n from fresh_race.kysely_migration`.execute(k);
        assert.equal(n.rows[0].n, 1);
      } finally {
        await other.close();
      }
    });

    it('a failing migration names schema and migration, and leaves nothing half-applied', async () => {
      const broken: Migration = {
        async up(d) {
          await d.insertInto('app.migration_runs').values({ name: '0009_broken' }).execute();
          await sql`select * from no_such_table`.execute(d);
        },
      };
      await assert.rejects(
        migrateSchema(k, { schema: 'app', migrations: { ...withApplied({}), '0009_broken': broken } }),
        (err: Error) => err.name === 'MigrationError' && /"app"/.test(err.message) && /0009_broken/.test(err.message) && /no_such_table/.test(err.message),
      );
      const rows = await k.selectFrom('app.migration_runs').selectAll().where('name', '=', '0009_broken').execute();
      assert.equal(rows.length, 0, 'migration ran in a transaction that was rolled back');
    });

    it('rejects an invalid schema name before touching the database', async () => {
      await assert.rejects(migrateSchema(k, { schema: 'Bad-Name', migrations: {} }), /schema name must match/);
    });

    it('CRUD with numbers, nulls and defaults', async () => {
      const inserted = await k
        .insertInto('app.items')
        .values({ name: 'crud', score: 0.25, big: null, blob: null })
        .returning(['id', 'name', 'score', 'big', 'meta', 'created_at'])
        .executeTakeFirstOrThrow();
      assert.equal(typeof inserted.id, 'number');
      assert.equal(inserted.score, 0.25);
      assert.equal(inserted.big, null);
      assert.deepEqual(inserted.meta, {});
      assert.ok(inserted.created_at instanceof Date);
      const updated = await k.updateTable('app.items').set({ score: 0.5 }).where('id', '=', inserted.id).executeTakeFirst();
      assert.equal(updated.numUpdatedRows, 1n);
      const row = await k.selectFrom('app.items').select(['score']).where('id', '=', inserted.id).executeTakeFirstOrThrow();
      assert.equal(row.score, 0.5);
      const deleted = await k.deleteFrom('app.items').where('id', '=', inserted.id).executeTakeFirst();
      assert.equal(deleted.numDeletedRows, 1n);
      assert.equal(await k.selectFrom('app.items').select('id').where('id', '=', inserted.id).executeTakeFirst(), undefined);
    });

    it('a transaction commits all its writes, or none when it throws', async () => {
      await k.transaction().execute(async (trx) => {
        await trx.insertInto('app.items').values({ name: 'tx-a' }).execute();
        await trx.insertInto('app.items').values({ name: 'tx-b' }).execute();
      });
      await assert.rejects(
        k.transaction().execute(async (trx) => {
          await trx.insertInto('app.items').values({ name: 'tx-c' }).execute();
          throw new Error('abort the transaction');
        }),
        /abort the transaction/,
      );
      // A constraint violation inside a transaction rolls back the earlier insert too.
      await assert.rejects(
        k.transaction().execute(async (trx) => {
          await trx.insertInto('app.items').values({ name: 'tx-d' }).execute();
          await trx.insertInto('app.items').values({ name: 'tx-a' }).execute();
        }),
        /duplicate key|unique/,
      );
      const names = await k.selectFrom('app.items').select('name').where('name', 'like', 'tx-%').orderBy('name').execute();
      assert.deepEqual(
        names.map((r) => r.name),
        ['tx-a', 'tx-b'],
      );
    });

    it('INSERT ... ON CONFLICT DO NOTHING is idempotent', async () => {
      const insert = () =>
        k
          .insertInto('app.items')
          .values({ name: 'once', score: 1 })
          .onConflict((oc) => oc.column('name').doNothing())
          .executeTakeFirst();
      assert.equal((await insert()).numInsertedOrUpdatedRows, 1n);
      assert.equal((await insert()).numInsertedOrUpdatedRows, 0n);
      const rows = await k.selectFrom('app.items').select('score').where('name', '=', 'once').execute();
      assert.deepEqual(rows, [{ score: 1 }]);
    });

    it('round-trips a Float32Array through bytea bit-exactly', async () => {
      const values = new Float32Array([0, -0, 1.5, -2, Math.PI, 1e-45, 3.4028234663852886e38, Infinity, -Infinity, NaN]);
      await k
        .insertInto('app.items')
        .values({ name: 'f32', blob: encodeFloat32(values) })
        .execute();
      const row = await k.selectFrom('app.items').select('blob').where('name', '=', 'f32').executeTakeFirstOrThrow();
      assert.ok(row.blob instanceof Uint8Array);
      const back = decodeFloat32(row.blob, 'app.items.blob');
      assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(values.buffer), 'same bits, NaN and -0 included');
    });

    it('returns int8 as a number, throws for unsafe int8, and timestamptz as Date', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      const at = new Date('2026-01-02T03:04:05.678Z');
      await k.insertInto('app.items').values({ name: 'types', big: max, created_at: at }).execute();
      const row = await k.selectFrom('app.items').select(['big', 'created_at']).where('name', '=', 'types').executeTakeFirstOrThrow();
      assert.equal(row.big, max);
      assert.ok(row.created_at instanceof Date);
      assert.equal(row.created_at.getTime(), at.getTime());
      const counted = await k
        .selectFrom('app.items')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(typeof counted.n, 'number');
      const arr = await sql<{ a: (number | null)[] }>`select array[1, null, -9007199254740991]::int8[] as a`.execute(k);
      assert.deepEqual(arr.rows[0].a, [1, null, -9007199254740991]);
      await assert.rejects(sql`select 9007199254740993::int8 as x`.execute(k), UnsafeInt8Error);
    });

    it('a SQL error rejects (no hang) and the database stays usable, also inside a transaction', async () => {
      await assert.rejects(sql`selec 1`.execute(k), /syntax error/);
      await assert.rejects(sql`select * from app.no_such_table`.execute(k), /does not exist/);
      await assert.rejects(
        k.transaction().execute(async (trx) => void (await sql`select 1/0`.execute(trx))),
        /division by zero/,
      );
      const ok = await sql<{ one: number }>`select 1::int4 as one`.execute(k);
      assert.deepEqual(ok.rows, [{ one: 1 }]);
    });
  });
}
