// Embedded mode's storage and bus: PGlite and the in-process bus. A job left queued in the
// database by a previous process (the in-memory bus forgot it) is published again when the
// worker starts, and runs to completion with the same SQL as on Postgres.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectBus } from '@grokwatch/bus';
import { migrateSchema, openDatabase } from '@grokwatch/db';
import { inferenceMigrations } from '@grokwatch/inference';
import { createLogger } from '@grokwatch/service-kit';
import type { Kysely } from 'kysely';
import { EvaluationService } from './evaluation-service.js';
import { startOpenAiServer } from './openai/server.js';
import { evalParamsToJson, parseEvalParams } from './params.js';
import { EvaluationStore } from './store/evaluation-store.js';
import { evaluationMigrations } from './store/migrations.js';
import type { EvaluationTables } from './store/tables.js';
import { createTaskSource } from './task-source.js';
import { arithmeticSuite, DATASETS, insertCheckpoint, waitFor, writeSuite, type AllTables } from './testing/fixture.js';
import { ScriptedModel } from './testing/scripted-model.js';

test('PGlite + in-process bus: a job queued only in the database runs when the worker starts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gw-eval-embedded-'));
  const db = await openDatabase<AllTables>({ kind: 'pglite', dataDir: 'memory://' });
  const bus = await connectBus({ kind: 'memory' });
  const suite = arithmeticSuite('math', 9);
  await writeSuite(dir, 'math', suite);
  const answers = new Map(suite.map((r) => [r.prompt, r.answer]));
  const server = await startOpenAiServer({ model: new ScriptedModel((p) => (answers.has(p) ? ` ${answers.get(p)}` : undefined)), modelName: 's' });
  try {
    for (const m of [inferenceMigrations, evaluationMigrations]) await migrateSchema(db.kysely, m);
    const store = new EvaluationStore(db.kysely as unknown as Kysely<EvaluationTables>);
    const checkpointId = await insertCheckpoint(db.kysely);
    const params = evalParamsToJson(parseEvalParams({ batchSize: 4, backend: { openai: server.baseUrl, model: 's' } }));
    const { job } = await store.upsertJob(
      checkpointId,
      'grok_math',
      params,
      () => true,
      () => true,
    );
    assert.equal(job.status, 'queued');

    const service = new EvaluationService({ store, bus, tasks: createTaskSource({ datasetsDir: DATASETS, suitesDir: dir }), logger: createLogger('t', 'silent') });
    const worker = await service.startWorker();
    try {
      const done = await waitFor('the job to complete', 30_000, async () => {
        const j = await store.getJob(job.id);
        return j?.status === 'completed' || j?.status === 'failed' ? j : undefined;
      });
      assert.equal(done.status, 'completed', done.error ?? '');
      assert.equal(done.done, 9);
      const scores = await store.listScores(job.id);
      assert.equal(scores.find((s) => s.metric === 'exact_match,strip')?.value, 1);
      const items = await store.listItems(job.id, done.total);
      assert.equal(items.length, 9);
      assert.deepEqual(items[2].extracted, { strip: [suite[2].answer] });
      assert.equal((done.result as { n: number }).n, 9);
    } finally {
      await worker.stop();
    }
  } finally {
    await server.stop();
    await bus.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
