// End to end with real Postgres and NATS: the evaluation subgraph over HTTP, eval workers as
// separate processes (`node services/evaluation/dist/main.js`), the model behind the built-in
// OpenAI-compatible server. A worker killed -9 mid-job leaves it to a second worker, which
// finishes it without duplicated items; results are read back through GraphQL.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@grokwatch/service-kit';
import { startOpenAiServer, type OpenAiServer } from './openai/server.js';
import { startEvaluationService, type RunningEvaluationService } from './service.js';
import { createTaskSource } from './task-source.js';
import {
  arithmeticSuite,
  DATASETS,
  finalAnswer,
  gsm8kRows,
  insertCheckpoint,
  NATS_URL,
  openFixture,
  REPO_ROOT,
  waitFor,
  writeSuite,
  type Fixture,
  type Gsm8kRow,
} from './testing/fixture.js';
import { lastGsm8kQuestion, ScriptedModel } from './testing/scripted-model.js';

const WORKER = join(REPO_ROOT, 'services', 'evaluation', 'dist', 'main.js');

interface GqlResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

interface Job {
  id: string;
  status: string;
  done: number;
  total: number;
  attempts: number;
  run: number;
  error: string | null;
  limit: number | null;
  backend: string;
}

describe('evaluation end to end (worker processes, real Postgres + NATS)', () => {
  let fx: Fixture;
  let api: RunningEvaluationService;
  let server: OpenAiServer;
  let model: ScriptedModel;
  let rows: Gsm8kRow[];
  let checkpointId: string;
  const workers: ChildProcess[] = [];

  before(async () => {
    fx = await openFixture();
    rows = await gsm8kRows(20);
    await writeSuite(fx.dir, 'math', arithmeticSuite('math', 12));
    const index = new Map(rows.map((r, i) => [r.question, i]));
    // Every GSM8K answer right except items 5 and 11; slow enough to kill the worker mid-job.
    model = new ScriptedModel(
      (prompt) => {
        const i = index.get(lastGsm8kQuestion(prompt) ?? '');
        if (i === undefined) return undefined;
        return i === 5 || i === 11 ? ' #### -1' : ` ${rows[i].answer}`;
      },
      { delayMs: 250 },
    );
    server = await startOpenAiServer({ model, modelName: 'scripted' });
    api = await startEvaluationService({
      port: 0,
      host: '127.0.0.1',
      database: fx.testDb.config,
      bus: fx.busConfig,
      logger: createLogger('evaluation-e2e', 'silent'),
      tasks: createTaskSource({ datasetsDir: DATASETS, suitesDir: fx.dir }),
      worker: false,
    });
    checkpointId = await insertCheckpoint(fx.db.kysely);
  });

  after(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await api?.stop();
    await server?.stop();
    await fx?.close();
  });

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<T>> {
    const res = await fetch(api.url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResponse<T>;
  }
  async function data<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await gql<T>(query, variables);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data!;
  }

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: fx.testDb.config.url,
        NATS_URL,
        BUS_PREFIX: fx.busConfig.prefix,
        SERVE_GRAPHQL: '0',
        EVAL_ACK_WAIT_MS: '2000',
        DATASETS_DIR: DATASETS,
        SUITES_DIR: fx.dir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(child);
    return child;
  }

  const JOB = `query($id: ID!) { evaluationJob(id: $id) { id status done total attempts run error limit backend } }`;
  const job = async (id: string) => (await data<{ evaluationJob: Job }>(JOB, { id })).evaluationJob;
  const settled = (id: string) =>
    waitFor(`job ${id} to settle`, 120_000, async () => {
      const j = await job(id);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    });

  test('benchmarks lists the registry', async () => {
    const { benchmarks } = await data<{ benchmarks: { name: string; outputType: string; numFewshot: number; metrics: string[]; version: string; grouped: boolean }[] }>(
      `{ benchmarks { name outputType numFewshot metrics version grouped } }`,
    );
    const gsm8k = benchmarks.find((b) => b.name === 'gsm8k');
    assert.deepEqual(gsm8k, {
      name: 'gsm8k',
      outputType: 'generate_until',
      numFewshot: 8,
      metrics: ['exact_match,strict-match', 'exact_match,flexible-extract'],
      version: '1',
      grouped: false,
    });
    assert.deepEqual(benchmarks.find((b) => b.name === 'arc_easy')?.metrics, ['acc,none', 'acc_norm,none']);
    assert.equal(benchmarks.find((b) => b.name === 'mmlu')?.grouped, true);
  });

  test('20 GSM8K items: a worker killed -9 mid-job, a second one finishes it, items are not duplicated', async () => {
    const start = await data<{ startEvaluation: Job }>(
      `mutation($input: StartEvaluationInput!) { startEvaluation(input: $input) { id status done total attempts run error limit backend } }`,
      { input: { checkpointId, task: 'gsm8k', limit: 20, batchSize: 2, backend: { openai: server.baseUrl, model: 'scripted' } } },
    );
    const id = start.startEvaluation.id;
    assert.equal(start.startEvaluation.status, 'queued');
    assert.equal(start.startEvaluation.limit, 20);
    assert.match(start.startEvaluation.backend, /^openai http:\/\/127\.0\.0\.1:\d+\/v1 model=scripted$/);

    const first = startWorker();
    const partial = await waitFor('the first worker to store some items', 60_000, async () => {
      const j = await job(id);
      return j.done >= 2 ? j : undefined;
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const afterKill = await job(id);
    assert.ok(afterKill.done < 20, `killed mid-job (done ${afterKill.done} of 20; partial ${partial.done})`);
    assert.equal(afterKill.status, 'running', 'the dead worker never got to settle it');

    startWorker();
    const finished = await settled(id);
    assert.equal(finished.status, 'completed', finished.error ?? '');
    assert.equal(finished.done, 20);
    assert.equal(finished.attempts, 2, 'delivered to the first worker, then redelivered once');

    // Items through GraphQL, in pages: 20 distinct documents in order, each stored once.
    const ITEMS = `query($id: ID!, $o: Int!, $l: Int!) { evaluationJob(id: $id) { items(offset: $o, limit: $l) { docIndex docId promptHash extracted scores } } }`;
    const pages: { docIndex: number; docId: string; promptHash: string; extracted: Record<string, string[]>; scores: Record<string, number> }[] = [];
    for (const o of [0, 8, 16]) pages.push(...(await data<{ evaluationJob: { items: typeof pages } }>(ITEMS, { id, o, l: 8 })).evaluationJob.items);
    assert.deepEqual(
      pages.map((p) => p.docIndex),
      [...Array(20).keys()],
    );
    const stored = await fx.db.kysely.selectFrom('evaluation.eval_item').select(['doc_index']).where('eval_job_id', '=', id).execute();
    assert.equal(stored.length, 20);
    assert.deepEqual(pages[0].extracted['strict-match'], [finalAnswer(rows[0].answer)]);
    assert.equal(pages[5].scores['exact_match,strict-match'], 0);
    assert.equal(new Set(pages.map((p) => p.promptHash)).size, 20);

    // Scores, the checkpoint's evaluations (entity resolution, as the gateway asks) and the export.
    const view = await data<{ evaluationJob: { scores: { metric: string; value: number; stderr: number; n: number }[]; harnessJson: Record<string, unknown> } }>(
      `query($id: ID!) { evaluationJob(id: $id) { scores { metric value stderr n } harnessJson } }`,
      { id },
    );
    const strict = view.evaluationJob.scores.find((s) => s.metric === 'exact_match,strict-match')!;
    assert.equal(strict.n, 20);
    assert.ok(Math.abs(strict.value - 18 / 20) < 1e-12);
    assert.ok(Math.abs(strict.stderr - Math.sqrt((0.9 * 0.1) / 19)) < 1e-12);
    const results = view.evaluationJob.harnessJson.results as Record<string, Record<string, unknown>>;
    assert.equal(results.gsm8k!['exact_match,strict-match'], strict.value);
    assert.equal(results.gsm8k!['exact_match_stderr,flexible-extract'], strict.stderr);
    const entities = await data<{ _entities: { evaluations: { task: string; metric: string; value: number; n: number }[]; evaluationJobs: { id: string }[] }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Checkpoint { evaluations { task metric value n } evaluationJobs { id } } } }`,
      { r: [{ __typename: 'Checkpoint', id: checkpointId }] },
    );
    assert.deepEqual(
      entities._entities[0].evaluations.map((e) => [e.task, e.metric, e.n]),
      [
        ['gsm8k', 'exact_match,flexible-extract', 20],
        ['gsm8k', 'exact_match,strict-match', 20],
      ],
    );
    assert.deepEqual(
      entities._entities[0].evaluationJobs.map((j) => j.id),
      [id],
    );
  });

  test('the surviving worker serves the next job (a fixture suite)', async () => {
    if (!workers.some((w) => w.exitCode === null)) startWorker();
    const start = await data<{ startEvaluation: Job }>(`mutation($input: StartEvaluationInput!) { startEvaluation(input: $input) { id } }`, {
      input: { checkpointId, task: 'grok_math', backend: { openai: server.baseUrl, model: 'scripted' } },
    });
    const done = await settled(start.startEvaluation.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.total, 12);
  });

  test('bad input comes back as GraphQL errors with stable codes', async () => {
    const START = `mutation($input: StartEvaluationInput!) { startEvaluation(input: $input) { id } }`;
    const unknown = await gql(START, { input: { checkpointId, task: 'gsm9k' } });
    assert.equal(unknown.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(unknown.errors![0].message, /unknown task 'gsm9k'; known tasks: .*gsm8k/);
    assert.ok((unknown.errors![0].extensions!.known as string[]).includes('humaneval'));
    const missing = await gql(START, { input: { checkpointId, task: 'grok_code' } });
    assert.equal(missing.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(missing.errors![0].message, /code\.jsonl: dataset file not found/);
    const noCheckpoint = await gql(START, { input: { checkpointId: 'not-a-uuid', task: 'gsm8k' } });
    assert.equal(noCheckpoint.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    // Status is the JobStatus enum: an unknown one is refused before anything runs.
    const status = await gql(`{ evaluationJobs(status: done) { id } }`);
    assert.equal(status.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(status.errors![0].message, /JobStatus/);
    assert.equal((await data<{ evaluationJob: null }>(JOB, { id: 'nope' })).evaluationJob, null);
  });
});
