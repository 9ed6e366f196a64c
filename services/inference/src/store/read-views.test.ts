// The read contract as the database has it: exactly the views and columns read-views.ts declares
// (readers rely on them; a change is a new version, never an edit of this one).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrateSchema, openDatabase, readViewColumns, type Database } from '@grokwatch/db';
import { createTestDatabase, type TestDatabase } from '@grokwatch/db/testing';
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
  const found = await readViewColumns(db.kysely, READ_SCHEMA);
  assert.deepEqual(found.columns, Object.fromEntries(Object.entries(INFERENCE_READ_VIEWS).map(([view, v]) => [view, [...v.columns]])));
  assert.ok(found.onlyViews, 'read-only views, not tables');
});
