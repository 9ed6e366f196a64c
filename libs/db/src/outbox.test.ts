import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PGLITE_MEMORY, type DatabaseConfig } from './config.js';
import { migrateSchema, type AnyKysely } from './migrate.js';
import { openDatabase, type Database } from './open-database.js';
import { enqueueEvent, outboxMigration, startOutboxRelay, type OutboxEvent } from './outbox.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const SCHEMA = 'outbox_test';

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`outbox (${kind})`, () => {
    let testDb: TestDatabase | null = null;
    let db: Database<unknown>;
    let k: AnyKysely;

    before(async () => {
      let config: DatabaseConfig = { kind: 'pglite', dataDir: PGLITE_MEMORY };
      if (kind === 'postgres') {
        testDb = await createTestDatabase();
        config = testDb.config;
      }
      db = await openDatabase<unknown>(config);
      k = db.kysely as AnyKysely;
      await migrateSchema(k, { schema: SCHEMA, migrations: { '0001-outbox': outboxMigration(SCHEMA) } });
    });
    after(async () => {
      await db?.close();
      await testDb?.drop();
    });

    const pending = async () => Number((await sql<{ n: string }>`select count(*) as n from outbox_test.outbox`.execute(k)).rows[0].n);

    test('an event rolled back with its transaction is never published; a committed one is, in order', async () => {
      await assert.rejects(
        k.transaction().execute(async (tx) => {
          await enqueueEvent(tx, SCHEMA, { name: 'run.created', payload: { runId: 'rolled-back' } });
          throw new Error('the state write failed');
        }),
      );
      for (let i = 0; i < 5; i++) await enqueueEvent(k, SCHEMA, { name: 'run.created', payload: { runId: `r${i}` } });
      const published: OutboxEvent[] = [];
      const relay = startOutboxRelay({ db: k, schema: SCHEMA, publish: async (e) => void published.push(e), pollMs: 50 });
      await relay.drained();
      await relay.stop();
      assert.deepEqual(
        published.map((e) => e.payload.runId),
        ['r0', 'r1', 'r2', 'r3', 'r4'],
      );
      assert.equal(await pending(), 0);
    });

    test('while the bus refuses, events wait; once it takes them again each is published, none twice', async () => {
      let busUp = false;
      let attempts = 0;
      const published: string[] = [];
      const errors: unknown[] = [];
      const relay = startOutboxRelay({
        db: k,
        schema: SCHEMA,
        pollMs: 20,
        batch: 2,
        publish: async (e) => {
          attempts += 1;
          if (!busUp) throw new Error('bus down');
          published.push(String(e.payload.runId));
        },
        onError: (err) => errors.push(err),
      });
      try {
        for (let i = 0; i < 5; i++) await enqueueEvent(k, SCHEMA, { name: 'run.created', payload: { runId: `b${i}` } });
        relay.wake();
        await new Promise((r) => setTimeout(r, 700));
        assert.equal(published.length, 0);
        assert.equal(await pending(), 5, 'nothing lost while the bus is down');
        assert.ok(errors.length >= 2, `retried with backoff (${errors.length} failed attempts)`);
        busUp = true;
        await relay.drained();
      } finally {
        await relay.stop();
      }
      assert.deepEqual(published, ['b0', 'b1', 'b2', 'b3', 'b4']);
      assert.equal(await pending(), 0);
    });

    test('a failure mid-batch keeps what was published published and retries only the rest', async () => {
      for (let i = 0; i < 4; i++) await enqueueEvent(k, SCHEMA, { name: 'run.created', payload: { runId: `m${i}` } });
      const published: string[] = [];
      let failedOnce = false;
      const relay = startOutboxRelay({
        db: k,
        schema: SCHEMA,
        pollMs: 20,
        publish: async (e) => {
          if (e.payload.runId === 'm2' && !failedOnce) {
            failedOnce = true;
            throw new Error('bus hiccup');
          }
          published.push(String(e.payload.runId));
        },
      });
      await new Promise((r) => setTimeout(r, 100));
      await relay.drained();
      await relay.stop();
      assert.deepEqual(published, ['m0', 'm1', 'm2', 'm3']);
    });
  });
}
