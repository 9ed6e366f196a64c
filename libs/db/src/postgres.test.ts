import assert from 'node:assert/strict';
import { it } from 'node:test';
import pg from 'pg';
import { dbContract } from './db.contract.js';
import { createTestDatabase, DEFAULT_TEST_DATABASE_URL, withTestDatabase } from './testing.js';

dbContract('postgres (fresh test database)', async () => {
  const testDb = await createTestDatabase();
  return { config: testDb.config, cleanup: () => testDb.drop() };
});

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [name]);
    return r.rowCount === 1;
  } finally {
    await client.end();
  }
}

it('createTestDatabase makes a uniquely named database and drop() removes it', async () => {
  const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  try {
    assert.match(a.name, /^gw_test_[0-9a-f]{12}$/);
    assert.notEqual(a.name, b.name);
    assert.ok(a.config.url.endsWith(`/${a.name}`));
    assert.ok(await databaseExists(a.name));
  } finally {
    await a.drop();
    await b.drop();
    await a.drop(); // idempotent
  }
  assert.equal(await databaseExists(a.name), false);
  assert.equal(await databaseExists(b.name), false);
});

it('withTestDatabase drops the database even when the body throws', async () => {
  let name = '';
  await assert.rejects(
    withTestDatabase(async (config) => {
      name = new URL(config.url).pathname.slice(1);
      throw new Error('body failed');
    }),
    /body failed/,
  );
  assert.equal(await databaseExists(name), false);
});
