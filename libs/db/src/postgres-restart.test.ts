// A Postgres restart under a process that holds connections: the process must not die of pg's
// 'error' event on a checked-out client, and the same Database works again once the server is back.
// Runs against a throwaway cluster on a spare port, never the shared server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from './index.js';
import { startThrowawayCluster, type ThrowawayCluster } from './testing.js';

let cluster: ThrowawayCluster;
let db: Database<unknown>;
const background: Error[] = [];

before(async () => {
  cluster = await startThrowawayCluster();
  db = await openDatabase<unknown>({ kind: 'postgres', url: cluster.url, maxConnections: 3 }, { onBackgroundError: (err) => background.push(err) });
});

after(async () => {
  await db?.close().catch(() => undefined);
  await cluster?.drop();
});

test('an immediate stop with a connection checked out, an idle one pooled, then a start: no crash, queries work again', async () => {
  await sql`select 1`.execute(db.kysely); // leaves an idle client in the pool
  let inside: Error | null = null;
  // A session held across the outage, as a migration lock or a transaction holds one.
  await db.kysely.connection().execute(async (conn) => {
    await sql`select 1`.execute(conn);
    await cluster.stop();
    await new Promise((r) => setTimeout(r, 300)); // the 'error' events land while the client is checked out
    inside = await sql`select 1`.execute(conn).then(
      () => null,
      (err: Error) => err,
    );
  });
  assert.ok(inside !== null, 'a query on the dead session fails');
  assert.ok(background.length >= 1, `the dead connections were reported, not thrown (${background.map((e) => e.message).join('; ')})`);
  const down = await sql`select 1`.execute(db.kysely).then(
    () => null,
    (err: Error) => err,
  );
  assert.ok(down !== null, 'while the server is down a query fails with an error');

  await cluster.start();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await sql<{ one: number }>`select 1 as one`.execute(db.kysely).then(
      (r) => r.rows[0]?.one === 1,
      () => false,
    );
    if (ok) break;
    assert.ok(Date.now() < deadline, 'the pool reconnects once the server is back');
    await new Promise((r) => setTimeout(r, 250));
  }
});
