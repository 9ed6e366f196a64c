// Watching a run: a checkpoint folder dropped into the watched folder, or a checkpoint announced on
// the bus by a training loop, is registered and captured with the run's probe sets, without a call.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOnnxCapturer } from '@grokwatch/inference';
import { createLogger } from '@grokwatch/service-kit';
import { dataOf, startPlatform, until, type Platform } from './harness.js';
import { DATASETS, writeTinyCheckpoint } from './tiny-checkpoint.js';

/**
 * Writes a checkpoint the way trainers do: into a hidden folder, then one rename; with a Hugging
 * Face trainer_state.json logging the learning rate and weight decay when given.
 */
async function saveCheckpoint(watchDir: string, name: string, seed: number, schedule?: { step: number; lr: number; wd: number }): Promise<string> {
  const tmp = join(watchDir, `.${name}.tmp`);
  await writeTinyCheckpoint(tmp, seed);
  if (schedule) {
    const log_history = [
      { step: schedule.step - 10, learning_rate: schedule.lr / 2, loss: 3 },
      { step: schedule.step, learning_rate: schedule.lr, weight_decay: schedule.wd },
    ];
    await writeFile(join(tmp, 'trainer_state.json'), JSON.stringify({ global_step: schedule.step, log_history }));
  }
  const final = join(watchDir, name);
  await rename(tmp, final);
  return final;
}

interface Cp {
  step: number;
  hyperparameters: { learningRate: number | null; weightDecay: number | null } | null;
  tokensSeen: number | null;
  status: string;
  captureJobs: { status: string; done: number }[];
  metricsJobs: { status: string }[];
  evaluationJobs: { task: string; status: string; error: string | null }[];
}

async function checkpointsOf(p: Platform, runId: string): Promise<Cp[]> {
  return dataOf(
    await p.gql<{ run: { checkpoints: Cp[] } }>(
      `query($id: ID!) { run(id: $id) { checkpoints { step hyperparameters { learningRate weightDecay } tokensSeen status captureJobs { status done }
       metricsJobs { status } evaluationJobs { task status error } } } }`,
      { id: runId },
    ),
  ).run.checkpoints;
}

describe('watching a run (embedded)', () => {
  let p: Platform;
  let dir: string;
  let runId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-watch-'));
    // The run's task reads its suite from SUITES_DIR, as the evaluation service does in production.
    const suites = await mkdtemp(join(tmpdir(), 'gw-watch-suites-'));
    await writeFile(
      join(suites, 'math.jsonl'),
      [0, 1, 2, 3].map((i) => JSON.stringify({ id: `t${i}`, prompt: `${i} + 1 =`, answer: String(i + 1), group: 'add', domain: 'math' })).join('\n'),
    );
    process.env.SUITES_DIR = suites;
    p = await startPlatform('embedded', { capturer: createOnnxCapturer({ logger: createLogger('test', 'warn') }), watchIntervalMs: 200 });
    const questions = (await readFile(join(DATASETS, 'gsm8k', 'test.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .slice(0, 20)
      .map((l, i) => ({ id: `q${i}`, text: (JSON.parse(l) as { question: string }).question }));
    const probeSetId = dataOf(
      await p.gql<{ createProbeSet: { id: string } }>(
        `mutation($rows: [ProbeSampleInput!]!) { createProbeSet(input: { name: "watch-probes", domain: "math", rows: $rows }) { id } }`,
        { rows: questions },
      ),
    ).createProbeSet.id;
    runId = dataOf(
      await p.gql<{ createRun: { id: string; probeSetIds: string[] } }>(`mutation($input: CreateRunInput!) { createRun(input: $input) { id probeSetIds } }`, {
        input: { name: 'watched', architecture: 'OlmoeForCausalLM', watchDir: dir, probeSetIds: [probeSetId], tasks: ['grok_math'] },
      }),
    ).createRun.id;
  });

  after(async () => {
    await p?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a checkpoint folder appearing in the watched folder is captured, measured and evaluated without a call', async () => {
    await saveCheckpoint(dir, 'step100-tokens2M', 1, { step: 100, lr: 1e-3, wd: 0.1 });
    const settled = (c: Cp) =>
      c.captureJobs.some((j) => j.status === 'completed') &&
      c.metricsJobs.some((j) => j.status === 'completed') &&
      c.evaluationJobs.some((j) => j.status === 'completed' || j.status === 'failed');
    const cps = await until(
      'capture, metrics and evaluation of step100',
      async () => {
        const list = await checkpointsOf(p, runId);
        return list.some(settled) ? list : undefined;
      },
      120_000,
    );
    assert.deepEqual(
      cps[0].evaluationJobs.map((j) => [j.task, j.status, j.error]),
      [['grok_math', 'completed', null]],
    );
    assert.equal(cps.length, 1);
    assert.equal(cps[0].step, 100);
    assert.equal(cps[0].tokensSeen, 2e6);
    assert.equal(cps[0].status, 'captured');
    assert.equal(cps[0].captureJobs[0].done, 20);
    assert.deepEqual(cps[0].hyperparameters, { learningRate: 1e-3, weightDecay: 0.1 }, "read from the folder's trainer_state.json");
  });

  test('a checkpoint announced on the bus by a training loop is registered and captured', async () => {
    const uri = await saveCheckpoint(await mkdtemp(join(dir, '..', 'gw-elsewhere-')), 'step200', 2, { step: 200, lr: 4e-3, wd: 0.1 });
    await p.withBus((bus) => bus.publishEvent('checkpoint.registered', { runId, step: 200, uri, tokensSeen: 4e6 }));
    const cp = await until('capture of step200', async () => {
      const c = (await checkpointsOf(p, runId)).find((x) => x.step === 200);
      return c?.captureJobs.some((j) => j.status === 'completed') ? c : undefined;
    });
    assert.equal(cp.tokensSeen, 4e6);
    // The learning rate quadrupled between the two checkpoints: a schedule change the run reports.
    const changes = dataOf(
      await p.gql<{ run: { scheduleChanges: unknown[] } }>(`query($id: ID!) { run(id: $id) { scheduleChanges { name fromStep toStep before after } } }`, { id: runId }),
    ).run.scheduleChanges;
    assert.deepEqual(changes, [{ name: 'learningRate', fromStep: 100, toStep: 200, before: 1e-3, after: 4e-3 }]);
    await rm(join(uri, '..'), { recursive: true, force: true });
  });

  test('bad settings are refused', async () => {
    const res = await p.gql(`mutation($id: ID!) { configureRun(id: $id, input: { thresholds: [1.5] }) { id } }`, { id: runId });
    assert.equal(res.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const noDir = await p.gql(`mutation($id: ID!) { configureRun(id: $id, input: { watchDir: "/no/such/dir" }) { id } }`, { id: runId });
    assert.match(noDir.errors?.[0]?.message ?? '', /watchDir \/no\/such\/dir is outside the data roots/);
    const unknownTask = await p.gql(`mutation($id: ID!) { configureRun(id: $id, input: { tasks: ["grok_math", "gsm9k"] }) { id } }`, { id: runId });
    assert.equal(unknownTask.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(unknownTask.errors![0].message, /unknown task "gsm9k" \(tasks: .*grok_math.*gsm8k/);
    const hugeName = await p.gql(`mutation($n: String!) { createRun(input: { name: $n, architecture: "OlmoeForCausalLM" }) { id } }`, { n: `${'x'.repeat(1_000_000)}!` });
    assert.equal(hugeName.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.ok(hugeName.errors![0].message.length < 300, `the message quotes at most a clip of the name (${hugeName.errors![0].message.length} chars)`);
    const badLr = await p.gql(
      `mutation($id: ID!) { registerCheckpoint(input: { runId: $id, step: 300, uri: "external://x/step300", hyperparameters: { learningRate: -1 } }) { id } }`,
      { id: runId },
    );
    assert.equal(badLr.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(badLr.errors![0].message, /hyperparameters.learningRate must be a finite number >= 0/);
  });
});
