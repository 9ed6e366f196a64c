// Upgrading a database whose metrics were computed before the routing scope and the routing weights
// existed: their cache keys gain scope "sample" and weights "scores", so the stored results still
// answer the reads that name the defaults.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import { migrateSchema, openDatabase, PGLITE_MEMORY } from '@grokwatch/db';
import { DEFAULT_METRICS_PARAMS } from '../params.js';
import { metricsMigrations } from './migrations.js';
import { paramsKey } from './metrics-store.js';

test('0007-routing-scope and 0009-routing-weights: keys written before them name the defaults; nothing is lost', async () => {
  const db = await openDatabase<unknown>({ kind: 'pglite', dataDir: PGLITE_MEMORY });
  try {
    const names = Object.keys(metricsMigrations.migrations).sort();
    const before = Object.fromEntries(names.filter((n) => n < '0007').map((n) => [n, metricsMigrations.migrations[n]]));
    await migrateSchema(db.kysely, { schema: 'metrics', migrations: before });
    const { scope: _scope, weights: _weights, ...oldParams } = DEFAULT_METRICS_PARAMS;
    const oldKey = paramsKey(oldParams);
    const requestedKey = paramsKey({ ...oldParams, unit: 'expert', exact: true });
    const jobId = randomUUID();
    await sql`insert into metrics.metrics_job (id, checkpoint_id, probe_set_id, params_key, params, status)
              values (${jobId}, ${randomUUID()}, ${randomUUID()}, ${oldKey}, ${oldKey}::jsonb, 'completed')`.execute(db.kysely);
    await sql`insert into metrics.run_variant (run_id, params_key, params) values (${randomUUID()}, ${requestedKey}, ${requestedKey}::jsonb)`.execute(db.kysely);

    await migrateSchema(db.kysely, metricsMigrations);
    const job = (
      await sql<{ params_key: string; params: unknown; status: string }>`select params_key, params, status from metrics.metrics_job where id = ${jobId}`.execute(db.kysely)
    ).rows[0];
    assert.equal(job.params_key, paramsKey(DEFAULT_METRICS_PARAMS), "the default variant's key as the service computes it now");
    assert.deepEqual(job.params, { ...DEFAULT_METRICS_PARAMS });
    assert.equal(job.status, 'completed');
    const variant = (await sql<{ params_key: string }>`select params_key from metrics.run_variant`.execute(db.kysely)).rows[0];
    assert.equal(variant.params_key, paramsKey({ ...DEFAULT_METRICS_PARAMS, unit: 'expert', exact: true }));
  } finally {
    await db.close();
  }
});
