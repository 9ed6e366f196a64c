// The evaluation service against real Postgres and NATS JetStream, with its worker in process and
// the OpenAI-compatible backend talking HTTP to the built-in server over a scripted model: scores
// equal hand-computed values, items are stored once, re-runs and redeliveries skip scored items,
// cancellation stops a job, and bad input gives errors naming what is wrong.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRequests, loadTaskData, type LanguageModel } from '@grokwatch/benchmark';
import { JobFailed, type JobContext, type JobPayload, type JobProgress, type Stoppable } from '@grokwatch/bus';
import { SandboxPool } from '@grokwatch/sandbox';
import { createLogger } from '@grokwatch/service-kit';
import { GraphQLError } from 'graphql';
import { createModelProvider, type ModelProvider } from './backends/model-provider.js';
import { onnxOpener } from './backends/onnx-model.js';
import { BackendError } from './errors.js';
import { EvaluationService } from './evaluation-service.js';
import { startOpenAiServer, type OpenAiServer } from './openai/server.js';
import { evalParamsToJson, parseEvalParams } from './params.js';
import { busJobId, type EvalJob } from './store/evaluation-store.js';
import { createTaskSource, type TaskSource } from './task-source.js';
import { CharModel } from './testing/char-model.js';
import {
  arithmeticSuite,
  binaryStderr,
  DATASETS,
  finalAnswer,
  gsm8kRows,
  insertCheckpoint,
  openFixture,
  waitFor,
  writeSuite,
  type Fixture,
  type Gsm8kRow,
  type SuiteRow,
} from './testing/fixture.js';
import { lastGsm8kQuestion, ScriptedModel, type Script } from './testing/scripted-model.js';
import { handleEvalJob } from './worker/eval-worker.js';

const logger = createLogger('evaluation-test', 'silent');
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

/** GSM8K item i: i%3==0 the gold worked answer (both filters), 1 the number only (flexible only), 2 wrong. */
function gsm8kScript(rows: readonly Gsm8kRow[]): Script {
  const index = new Map(rows.map((r, i) => [r.question, i]));
  return (prompt) => {
    const q = lastGsm8kQuestion(prompt);
    const i = q === undefined ? undefined : index.get(q);
    if (i === undefined) return undefined;
    const gold = rows[i];
    if (i % 3 === 0) return ` ${gold.answer}\n\nQuestion: what comes next?`;
    if (i % 3 === 1) return ` The answer is ${finalAnswer(gold.answer)}.`;
    return ` I think #### ${finalAnswer(gold.answer)}1`;
  };
}

/** Suite row i is answered correctly unless i % 4 == 3. */
function suiteScript(rows: readonly SuiteRow[]): Script {
  const byPrompt = new Map(rows.map((r, i) => [r.prompt, i]));
  return (prompt) => {
    const i = byPrompt.get(prompt);
    if (i === undefined) return undefined;
    return i % 4 === 3 ? ' 999\nnext' : ` ${rows[i].answer}\n3 add 4 = 7`;
  };
}

const suiteCorrect = (i: number) => i % 4 !== 3;

describe('evaluation service (Postgres + NATS, OpenAI-compatible backend over HTTP)', () => {
  let fx: Fixture;
  let tasks: TaskSource;
  let service: EvaluationService;
  let worker: Stoppable;
  let server: OpenAiServer;
  let model: ScriptedModel;
  let checkpointId: string;
  let gsm: Gsm8kRow[];
  let suite: SuiteRow[];
  const progress: JobProgress[] = [];
  const completed: string[] = [];
  const stoppables: Stoppable[] = [];

  before(async () => {
    fx = await openFixture();
    gsm = await gsm8kRows(20);
    suite = arithmeticSuite('math', 30);
    await writeSuite(fx.dir, 'math', suite);
    const gsmScript = gsm8kScript(gsm);
    const mathScript = suiteScript(suite);
    tasks = createTaskSource({ datasetsDir: DATASETS, suitesDir: fx.dir });
    // HumanEval: the canonical solution for problems 0 and 1, a wrong body for problem 2.
    const he = tasks.registry.get('humaneval');
    const heData = await loadTaskData(he, tasks.roots);
    const heSolutions = new Map(heData.docs.slice(0, 3).map((d, i) => [d.data.prompt as string, i === 2 ? '    return None\n' : (d.data.canonical_solution as string)]));
    model = new ScriptedModel((p, j) => gsmScript(p, j) ?? mathScript(p, j) ?? heSolutions.get(p));
    server = await startOpenAiServer({ model, modelName: 'scripted' });
    service = new EvaluationService({ store: fx.store, bus: fx.bus, tasks, logger });
    worker = await service.startWorker({ models: createModelProvider({ openai: { echoMaxTokens: 1 } }) }, { ackWaitMs: 5000 });
    stoppables.push(fx.bus.subscribeProgress({ kind: 'evaluation' }, (p) => void progress.push(p)));
    stoppables.push(await fx.bus.subscribeEvents('evaluation.completed', async (e) => void completed.push(e.jobId), { durable: 'evaluation-test' }));
    checkpointId = await insertCheckpoint(fx.db.kysely);
  });

  after(async () => {
    for (const s of stoppables) await s.stop();
    await worker?.stop();
    await server?.stop();
    await fx?.close();
  });

  const backend = () => ({ openai: server.baseUrl, model: 'scripted' });
  const settled = (id: string, timeoutMs = 60_000) =>
    waitFor(`job ${id} to settle`, timeoutMs, async () => {
      const j = await fx.store.getJob(id);
      return j && (j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled') ? j : undefined;
    });
  const scoreMap = async (job: EvalJob) => new Map((await fx.store.listScores(job.id)).map((s) => [s.metric, s]));
  const itemCount = async (jobId: string) =>
    Number(
      (
        await fx.db.kysely
          .selectFrom('evaluation.eval_item')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('eval_job_id', '=', jobId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('a fixture suite: per-item results, exact match overall and per group, events, progress, harness export', async () => {
    const job = await service.startEvaluation({ checkpointId, task: 'grok_math', backend: backend(), batchSize: 4 });
    const done = await settled(job.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.total, 30);
    assert.equal(done.done, 30);
    assert.equal(await itemCount(job.id), 30);

    const hits = suite.filter((_, i) => suiteCorrect(i)).length;
    const scores = await scoreMap(done);
    close(scores.get('exact_match,strip')!.value, hits / 30, 'exact_match');
    close(scores.get('exact_match,strip')!.stderr!, binaryStderr(hits, 30), 'stderr');
    const groups = ['add', 'mul', 'sub'].map((g) => {
      const idx = suite.map((r, i) => (r.group === g ? i : -1)).filter((i) => i >= 0);
      return idx.filter(suiteCorrect).length / idx.length;
    });
    close(scores.get('exact_match_macro,strip')!.value, groups.reduce((a, b) => a + b, 0) / 3, 'macro');
    assert.equal(scores.get('exact_match_macro,strip')!.n, 3);

    const items = await service.items(done, 0, 500);
    assert.deepEqual(
      items.map((i) => i.doc_index),
      [...Array(30).keys()],
    );
    const third = items[3];
    assert.equal(third.doc_id, 'math-3');
    assert.equal(third.group_name, 'add');
    assert.deepEqual(third.extracted, { strip: ['999'] });
    assert.equal(third.scores['exact_match,strip'], 0);
    assert.deepEqual(items[0].extracted, { strip: [suite[0].answer] });
    assert.equal(items[0].scores['exact_match,strip'], 1);
    assert.match(items[0].prompt_hash, /^[0-9a-f]{64}$/);
    // The backend cuts completions at the task's stop string ("\n").
    assert.deepEqual(items[0].output, { kind: 'generate', completions: [` ${suite[0].answer}`] });
    assert.deepEqual(
      (await service.items(done, 28, 10)).map((i) => i.doc_index),
      [28, 29],
      'paging',
    );

    const json = service.harnessJson(done)!;
    const results = json.results as Record<string, Record<string, unknown>>;
    close(results.grok_math!['exact_match,strip'] as number, hits / 30, 'export');
    assert.deepEqual(Object.keys(results).sort(), ['grok_math', 'grok_math_add', 'grok_math_mul', 'grok_math_sub']);
    assert.deepEqual(json['n-samples'], {
      grok_math: { original: 30, effective: 30 },
      grok_math_add: { original: 10, effective: 10 },
      grok_math_mul: { original: 10, effective: 10 },
      grok_math_sub: { original: 10, effective: 10 },
    });
    assert.equal((json.versions as Record<string, unknown>).grok_math, 1);
    assert.match(String((json.config as Record<string, unknown>).model), /openai .* model=scripted/);

    await waitFor('evaluation.completed', 10_000, async () => (completed.includes(job.id) ? true : undefined));
    const mine = progress.filter((p) => p.jobId === job.id);
    assert.equal(mine[0]?.status, 'queued');
    assert.ok(
      mine.some((p) => p.status === 'running' && p.done > 0 && p.done < 30),
      'progress while running',
    );
    assert.deepEqual(mine.at(-1), { kind: 'evaluation', jobId: job.id, done: 30, total: 30, status: 'completed' });
    const evals = await service.evaluations(checkpointId);
    assert.deepEqual(
      evals.filter((e) => e.task === 'grok_math').map((e) => e.metric),
      ['exact_match,strip', 'exact_match_macro,strip'],
    );

    // Asking again with the same parameters returns the completed job without re-running it.
    const again = await service.startEvaluation({ checkpointId, task: 'grok_math', backend: backend(), batchSize: 4 });
    assert.equal(again.id, job.id);
    assert.equal(again.status, 'completed');
    assert.equal(again.run, 1);
  });

  test('20 GSM8K items (8-shot): strict-match and flexible-extract equal the hand-computed values', async () => {
    const job = await service.startEvaluation({ checkpointId, task: 'gsm8k', limit: 20, backend: backend(), batchSize: 8 });
    const done = await settled(job.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.total, 20);
    assert.equal(done.dataset_size, 1319);
    assert.equal(await itemCount(job.id), 20);
    const scores = await scoreMap(done);
    // Items 0,3,...,18 (7) carry "#### n"; items 1,4,...,19 (7) only the number; the rest are wrong.
    close(scores.get('exact_match,strict-match')!.value, 7 / 20, 'strict');
    close(scores.get('exact_match,flexible-extract')!.value, 14 / 20, 'flexible');
    close(scores.get('exact_match,strict-match')!.stderr!, binaryStderr(7, 20), 'strict stderr');
    assert.equal(scores.get('exact_match,strict-match')!.n, 20);
    const [first, second] = await service.items(done, 0, 2);
    assert.deepEqual(first!.extracted, { 'strict-match': [finalAnswer(gsm[0].answer)], 'flexible-extract': [finalAnswer(gsm[0].answer)] });
    assert.deepEqual(second!.extracted['strict-match'], ['[invalid]']);
    // The prompt sent was the 8-shot one: eight exemplars from train, then this question.
    const sent = model.generated.find((p) => lastGsm8kQuestion(p) === gsm[0].question)!;
    assert.equal(sent.split('Question: ').length - 1, 9);
    const json = service.harnessJson(done)!;
    assert.deepEqual((json['n-samples'] as Record<string, unknown>).gsm8k, { original: 1319, effective: 20 });
    assert.equal((json['n-shot'] as Record<string, unknown>).gsm8k, 8);
  });

  test('multiple choice by log-likelihood through echo: acc and acc_norm equal a direct computation', async () => {
    const job = await service.startEvaluation({ checkpointId, task: 'arc_easy', limit: 12, backend: backend() });
    const done = await settled(job.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    // Independently: the character model's log-likelihood of each choice, argmax, and per-character normalization.
    const task = tasks.registry.get('arc_easy');
    const data = await loadTaskData(task, tasks.roots);
    const items = buildRequests(task, data.docs.slice(0, 12), data.fewshotPool);
    const direct = new CharModel();
    let acc = 0;
    let accNorm = 0;
    for (const it of items) {
      assert.equal(it.request.kind, 'loglikelihood');
      const reqs = (it.request as Extract<typeof it.request, { kind: 'loglikelihood' }>).requests;
      const lls = (await direct.loglikelihood(reqs)).map((r) => r.logprob);
      const labels = (it.doc.data.choices as { label: string[] }).label;
      const texts = (it.doc.data.choices as { text: string[] }).text;
      const gold = labels.indexOf(it.doc.data.answerKey as string);
      const best = (xs: number[]) => xs.indexOf(Math.max(...xs));
      acc += best(lls) === gold ? 1 : 0;
      accNorm += best(lls.map((l, c) => l / [...texts[c]].length)) === gold ? 1 : 0;
    }
    const scores = await scoreMap(done);
    close(scores.get('acc')!.value, acc / 12, 'acc');
    close(scores.get('acc_norm')!.value, accNorm / 12, 'acc_norm');
    const [item] = await service.items(done, 0, 1);
    const out = item!.output as { kind: string; results: { logprob: number }[] };
    assert.equal(out.kind, 'loglikelihood');
    assert.equal(out.results.length, (items[0].request as Extract<(typeof items)[0]['request'], { kind: 'loglikelihood' }>).requests.length);
  });

  test('generated code runs in the sandbox: pass@1 of canonical and broken HumanEval solutions', async () => {
    const job = await service.startEvaluation({ checkpointId, task: 'humaneval', limit: 3, backend: backend() });
    const done = await settled(job.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    const scores = await scoreMap(done);
    close(scores.get('pass@1')!.value, 2 / 3, 'pass@1');
    const items = await service.items(done, 0, 3);
    const runs = items.map((i) => (i.code_runs as Record<string, { passed: boolean; stderrTail: string }[]>).none![0]!);
    assert.deepEqual(
      runs.map((r) => r.passed),
      [true, true, false],
    );
    assert.match(runs[2].stderrTail, /AssertionError|Error/);
  });

  test('a sandbox that cannot start fails a code job before the model is asked; code is never run outside it', async () => {
    const cp = await insertCheckpoint(fx.db.kysely, '/ckpt/step500', 500);
    const params = evalParamsToJson(parseEvalParams({ limit: 2, backend: backend() }));
    const { job } = await fx.store.upsertJob(
      cp,
      'humaneval',
      params,
      () => true,
      () => true,
    );
    const payload: JobPayload<'evaluation'> = { jobId: busJobId(job), checkpointId: cp, task: 'humaneval', params };
    const broken = new SandboxPool({ bwrapPath: '/nonexistent/bwrap' });
    const before = model.generated.length;
    const ctx: JobContext<'evaluation'> = { payload, attempt: 1, signal: new AbortController().signal, progress: () => undefined };
    await assert.rejects(handleEvalJob(ctx, { store: fx.store, bus: fx.bus, tasks, models: createModelProvider(), executor: broken, logger }), (err: unknown) => {
      assert.ok(err instanceof JobFailed && !err.retry);
      return true;
    });
    const failed = (await fx.store.getJob(job.id))!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error!, /sandbox|bwrap/i);
    assert.equal(model.generated.length, before, 'no model time spent');
    assert.equal(await itemCount(job.id), 0);
  });

  test('a broken checkpoint folder fails the job at its first attempt: retrying cannot mend a file', async () => {
    const dir = join(fx.dir, 'broken-step600');
    await mkdir(dir);
    await writeFile(join(dir, 'config.json'), '{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"}');
    const cp = await insertCheckpoint(fx.db.kysely, dir, 600);
    const params = evalParamsToJson(parseEvalParams({ limit: 2 }));
    const { job } = await fx.store.upsertJob(
      cp,
      'grok_math',
      params,
      () => true,
      () => true,
    );
    const payload: JobPayload<'evaluation'> = { jobId: busJobId(job), checkpointId: cp, task: 'grok_math', params };
    const ctx: JobContext<'evaluation'> = { payload, attempt: 1, signal: new AbortController().signal, progress: () => undefined };
    await assert.rejects(
      handleEvalJob(ctx, { store: fx.store, bus: fx.bus, tasks, models: createModelProvider({ onnx: onnxOpener() }), logger }),
      (err: unknown) => err instanceof JobFailed && !err.retry,
    );
    const failed = (await fx.store.getJob(job.id))!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error!, /unsupported architecture "GPT2LMHeadModel"/);
    assert.equal(failed.attempts, 1);
  });

  test('a redelivered job resumes after its last committed batch and never duplicates items', async () => {
    const cp = await insertCheckpoint(fx.db.kysely, '/ckpt/step200', 200);
    const params = evalParamsToJson(parseEvalParams({ limit: 12, batchSize: 4, backend: backend() }));
    // Queued in the database only: this test delivers the job to the handler itself.
    const { job } = await fx.store.upsertJob(
      cp,
      'grok_math',
      params,
      () => true,
      () => true,
    );
    const payload: JobPayload<'evaluation'> = { jobId: busJobId(job), checkpointId: cp, task: 'grok_math', params };
    const deliver = (attempt: number): JobContext<'evaluation'> => ({ payload, attempt, signal: new AbortController().signal, progress: () => undefined });

    let calls = 0;
    const flaky: ModelProvider = {
      async open(req) {
        const real = await createModelProvider().open(req);
        const model: LanguageModel = {
          loglikelihood: (r) => real.model.loglikelihood(r),
          generate: async (r) => {
            if (++calls === 3) throw new BackendError('connection reset', 'test', true);
            return real.model.generate(r);
          },
        };
        return { ...real, model };
      },
    };
    const deps = { store: fx.store, bus: fx.bus, tasks, models: flaky, logger };
    await assert.rejects(handleEvalJob(deliver(1), deps), /connection reset/);
    const afterCrash = (await fx.store.getJob(job.id))!;
    assert.equal(afterCrash.status, 'queued');
    assert.match(afterCrash.error!, /attempt 1 failed, will retry: .*connection reset/);
    assert.equal(await itemCount(job.id), 8, 'two batches of 4 were committed');

    const before = model.generated.length;
    await handleEvalJob(deliver(2), deps);
    assert.equal(model.generated.length - before, 4, 'only the 4 unscored documents were asked');
    const finished = (await fx.store.getJob(job.id))!;
    assert.equal(finished.status, 'completed');
    assert.equal(finished.attempts, 2);
    assert.equal(await itemCount(job.id), 12);
    const hits = suite.slice(0, 12).filter((_, i) => suiteCorrect(i)).length;
    close((await scoreMap(finished)).get('exact_match,strip')!.value, hits / 12, 'score after resume');

    // A third delivery (the ack was lost) changes nothing and asks nothing.
    await handleEvalJob(deliver(3), deps);
    assert.equal(model.generated.length - before, 4);
    assert.equal(await itemCount(job.id), 12);
    assert.equal((await fx.store.getJob(job.id))!.attempts, 2);

    // Re-running with a larger limit keeps the 12 scored items and asks only for the new ones.
    const bigger = await service.startEvaluation({ checkpointId: cp, task: 'grok_math', limit: 30, batchSize: 4, backend: backend() });
    assert.equal(bigger.id, job.id);
    assert.equal(bigger.run, 2);
    const rerun = await settled(job.id);
    assert.equal(rerun.status, 'completed', rerun.error ?? '');
    assert.equal(model.generated.length - before, 4 + 18);
    assert.equal(await itemCount(job.id), 30);
    assert.equal(rerun.total, 30);
  });

  test('cancel stops a running job; starting it again finishes it without duplicates; other parameters while live conflict', async () => {
    const slow = new ScriptedModel(suiteScript(suite), { delayMs: 150 });
    const slowServer = await startOpenAiServer({ model: slow, modelName: 'slow' });
    try {
      const cp = await insertCheckpoint(fx.db.kysely, '/ckpt/step300', 300);
      const input = { checkpointId: cp, task: 'grok_math', batchSize: 2, backend: { openai: slowServer.baseUrl, model: 'slow' } };
      const job = await service.startEvaluation(input);
      await waitFor('some items', 30_000, async () => ((await fx.store.getJob(job.id))!.done >= 2 ? true : undefined));
      await assert.rejects(service.startEvaluation({ ...input, limit: 5 }), (err: unknown) => {
        assert.ok(err instanceof GraphQLError);
        assert.equal(err.extensions.code, 'CONFLICT');
        return true;
      });
      const cancelled = await service.cancelEvaluation(job.id);
      assert.equal(cancelled.status, 'cancelled');
      await new Promise((r) => setTimeout(r, 800));
      const frozen = await itemCount(job.id);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(await itemCount(job.id), frozen, 'no items are written after the cancel settles');
      assert.ok(frozen < 30, `stopped early (${frozen} of 30)`);
      assert.equal((await fx.store.getJob(job.id))!.status, 'cancelled');
      assert.ok(progress.some((p) => p.jobId === job.id && p.status === 'cancelled'));

      const again = await service.startEvaluation(input);
      assert.equal(again.run, 2);
      const done = await settled(job.id);
      assert.equal(done.status, 'completed', done.error ?? '');
      assert.equal(await itemCount(job.id), 30);
      assert.ok(slow.generated.length <= 30 + 2, `at most the in-flight batch is asked twice (${slow.generated.length})`);
      // Progress is fire-and-forget on the bus: it may land just after the row settled.
      await waitFor('run 2 reports progress under the job id', 5_000, async () => (progress.some((p) => p.jobId === job.id && p.status === 'completed') ? true : undefined));
    } finally {
      await slowServer.stop();
    }
  });

  test('bad input: unknown task, missing dataset file, bad parameters, unknown checkpoint', async () => {
    const rejectsWith = async (p: Promise<unknown>, code: string, message: RegExp) =>
      assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof GraphQLError, String(err));
        assert.equal(err.extensions.code, code);
        assert.match(err.message, message);
        return true;
      });
    await rejectsWith(service.startEvaluation({ checkpointId, task: 'gsm9k', backend: backend() }), 'BAD_USER_INPUT', /unknown task 'gsm9k'; known tasks: .*gsm8k.*mmlu/);
    await rejectsWith(service.startEvaluation({ checkpointId, task: 'grok_code', backend: backend() }), 'BAD_USER_INPUT', /code\.jsonl: dataset file not found/);
    await rejectsWith(service.startEvaluation({ checkpointId, task: 'grok_math', limit: 0, backend: backend() }), 'BAD_USER_INPUT', /limit: must be an integer/);
    await rejectsWith(
      service.startEvaluation({ checkpointId, task: 'grok_math', backend: { openai: 'ftp://x', model: 'm' } }),
      'BAD_USER_INPUT',
      /backend\.openai: must be http or https/,
    );
    await rejectsWith(service.startEvaluation({ checkpointId: '00000000-0000-0000-0000-000000000000', task: 'grok_math' }), 'NOT_FOUND', /checkpoint/);
    await rejectsWith(service.items((await fx.store.listJobs(checkpointId))[0], 0, 501), 'BAD_USER_INPUT', /limit must be within 1\.\.500/);
  });

  test('bad data and backends fail the job for good with a message naming the problem', async () => {
    const rows = arithmeticSuite('knowledge', 5).map((r) => JSON.stringify(r));
    rows[2] = '{"id": "knowledge-2", "prompt": "3 add 4 =", "answer": ';
    await writeFile(join(fx.dir, 'knowledge.jsonl'), rows.join('\n') + '\n');
    const malformed = await settled((await service.startEvaluation({ checkpointId, task: 'grok_knowledge', backend: backend() })).id);
    assert.equal(malformed.status, 'failed');
    assert.match(malformed.error!, /knowledge\.jsonl:3/);
    assert.equal(malformed.attempts, 1, 'a permanent failure is not retried');

    const cp = await insertCheckpoint(fx.db.kysely, '/ckpt/step400', 400);
    const onnx = await settled((await service.startEvaluation({ checkpointId: cp, task: 'grok_math' })).id);
    assert.equal(onnx.status, 'failed');
    assert.match(onnx.error!, /backend onnx is not available/);

    const wrongModel = await settled((await service.startEvaluation({ checkpointId: cp, task: 'gsm8k', limit: 2, backend: { openai: server.baseUrl, model: 'gpt-5' } })).id);
    assert.equal(wrongModel.status, 'failed');
    assert.match(wrongModel.error!, /404.*gpt-5.*does not exist/);
    assert.equal(wrongModel.attempts, 1);
  });

  test('the worker refuses payloads that do not match the job row', async () => {
    const jobs = await fx.store.listJobs(checkpointId);
    const j = jobs.find((x) => x.task === 'grok_math')!;
    const ctx = (payload: JobPayload<'evaluation'>): JobContext<'evaluation'> => ({ payload, attempt: 1, signal: new AbortController().signal, progress: () => undefined });
    const deps = { store: fx.store, bus: fx.bus, tasks, models: createModelProvider(), logger };
    await assert.rejects(
      handleEvalJob(ctx({ jobId: j.id, checkpointId, task: 'gsm8k' }), deps),
      (err: unknown) => err instanceof JobFailed && !err.retry && /is task grok_math/.test(err.message),
    );
    await assert.rejects(handleEvalJob(ctx({ jobId: '4b4b4b4b-0000-4000-8000-000000000000', checkpointId, task: 'gsm8k' }), deps), /does not exist/);
  });
});
