// Opening PGlite and writing routing-summary-sized rows (16 x 64 float32 = 4 KiB bytea) on
// Postgres and PGlite: `npm run bench -- db.bench`.
import { sql, type Kysely } from 'kysely';
import { encodeFloat32, migrateSchema, openDatabase, PGLITE_MEMORY, type DatabaseConfig } from './index.js';
import { createTestDatabase } from './testing.js';

interface BenchTables {
  'bench.routing': { sample: number; routing: Uint8Array };
}

const ROWS = 2000;
const BATCH = 100;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

async function writeAndRead(label: string, config: DatabaseConfig): Promise<void> {
  const [db, openMs] = await timed(() => openDatabase<BenchTables>(config));
  try {
    const k: Kysely<BenchTables> = db.kysely;
    await migrateSchema(k, {
      schema: 'bench',
      migrations: { '0001': { up: async (d) => void (await sql`create table bench.routing (sample int primary key, routing bytea not null)`.execute(d)) } },
    });
    const routing = encodeFloat32(Float32Array.from({ length: 16 * 64 }, (_, i) => Math.sin(i)));
    const [, writeMs] = await timed(async () => {
      for (let b = 0; b < ROWS; b += BATCH) {
        const rows = Array.from({ length: BATCH }, (_, i) => ({ sample: b + i, routing }));
        await k.insertInto('bench.routing').values(rows).execute();
      }
    });
    const [rows, readMs] = await timed(() => k.selectFrom('bench.routing').selectAll().execute());
    if (rows.length !== ROWS) throw new Error(`read ${rows.length} rows, expected ${ROWS}`);
    console.log(
      `${label}: open ${openMs.toFixed(0)} ms; insert ${ROWS} x 4 KiB rows (batches of ${BATCH}) ` +
        `${((ROWS / writeMs) * 1000).toFixed(0)} rows/s; read all ${readMs.toFixed(0)} ms`,
    );
  } finally {
    await db.close();
  }
}

const testDb = await createTestDatabase();
try {
  await writeAndRead('postgres', testDb.config);
} finally {
  await testDb.drop();
}
await writeAndRead('pglite memory (first: initdb)', { kind: 'pglite', dataDir: PGLITE_MEMORY });
await writeAndRead('pglite memory (from template)', { kind: 'pglite', dataDir: PGLITE_MEMORY });
