// The read contract as the database has it: exactly the views and columns read-views.ts declares
// (readers rely on them; a change is a new version, never an edit of this one).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrateSchema, openDatabase, type Database } from '@grokwatch/db';
import { createTestDatabase, type TestDatabase } from '@grokwatch/db/testing';
import { sql } from 'kysely';
import { inferenceMigrations } from './migrations.js';
import { INFERENCE_READ_VIEWS, READ_SCHEMA } from './read-views.js';

let testDb: TestDatabase;
let db: Database<unknown>;

before(async () => {
  testDb = await createTestDatabase();
  db = await openDatabase<unknown>(testDb.config);
  await migrateSchema(db.kysely, inferenceMigrations);
});
after(async () => {
  await db?.close();
  await testDb?.drop();
});

test('the inference_read views are exactly the declared ones, with the declared columns in order', async () => {
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns where table_schema = ${READ_SCHEMA} order by table_name, ordinal_position`.execute(db.kysely);
  const found: Record<string, string[]> = {};
  for (const r of rows.rows) (found[r.table_name] ??= []).push(r.column_name);
  const declared = Object.fromEntries(Object.entries(INFERENCE_READ_VIEWS).map(([name, v]) => [name, [...v.columns]]));
  assert.deepEqual(found, declared);
  const kinds = await sql<{ table_name: string; table_type: string }>`
    select table_name, table_type from information_schema.tables where table_schema = ${READ_SCHEMA}`.execute(db.kysely);
  assert.ok(
    kinds.rows.every((r) => r.table_type === 'VIEW'),
    'read-only views, not tables',
  );
});
