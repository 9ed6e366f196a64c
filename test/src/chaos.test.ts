// Chaos (issue 14): the distributed platform as separate processes (inference with its capture worker,
// metrics, evaluation, gateway), on the bundled clean run's first three checkpoints, while the metrics
// service, the gateway and the inference service are each killed -9 and started again. Every
// checkpoint must end captured, measured and evaluated exactly once, and no process may exit on its
// own. Postgres and NATS outages are outage.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectBus, type BusConfig } from '@grokwatch/bus';
import { createTestDatabase, type TestDatabase } from '@grokwatch/db/testing';
import pg from 'pg';
import { dataOf, NATS_URL, postGraphQL, until } from './harness.js';
import { freePort, startServiceProcess, type ServiceProcess } from './outage-servers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUN = join(ROOT, 'models', 'grokking-clean');
const STEPS = [0, 150, 300];
const PROBES = 300;
const SUITE_ITEMS = 768;
const service = (name: string): string => join(ROOT, 'services', name, 'dist', 'main.js');

describe('chaos: services killed -9 and restarted under work (distributed, separate processes)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let busConfig: BusConfig;
  const procs: Record<string, ServiceProcess> = {};
  let gateway: string;
  let runId: string;

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => postGraphQL<T>(gateway, query, variables);
  const status = async () => dataOf(await gql<{ run: { checkpoints: { step: number; captureJobs: { status: string }[]; metricsJobs: { status: string }[]; evaluationJobs: { status: string }[] }[] } }>(
    `query($id: ID!) { run(id: $id) { checkpoints { step captureJobs { status } metricsJobs { status } evaluationJobs { status } } } }`, { id: runId },
  )).run.checkpoints;
  const settled = (c: Awaited<ReturnType<typeof status>>[number]): boolean =>
    c.captureJobs.some((j) => j.status === 'completed') && c.metricsJobs.length >= 3 && c.metricsJobs.every((j) => j.status === 'completed')
    && c.evaluationJobs.length === 1 && c.evaluationJobs[0]!.status === 'completed';

  before(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'gw-chaos-'));
    const prefix = `c${randomBytes(4).toString('hex')}.`;
    busConfig = { kind: 'nats', servers: NATS_URL, prefix };
    const ports = { inference: await freePort(), metrics: await freePort(), evaluation: await freePort(), gateway: await freePort() };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn',
      DATABASE_URL: db.config.url, NATS_URL, BUS_PREFIX: prefix, DATA_DIR: dataDir,
      HOST: '127.0.0.1', GROKWATCH_SUBGRAPH_TOKEN: randomBytes(12).toString('hex'),
      GROKWATCH_DATA_ROOTS: [join(ROOT, 'models'), dataDir].join(delimiter),
      SUITES_DIR: join(RUN, 'suites'), DATASETS_DIR: join(ROOT, '..', 'shared', 'datasets'),
      WATCH_INTERVAL_MS: '0', CAPTURE_ACK_WAIT_MS: '3000', EVAL_ACK_WAIT_MS: '5000', RATE_LIMIT_PER_S: '0',
      ONNXRUNTIME_NODE_INSTALL: 'skip',
    };
    procs.inference = await startServiceProcess('inference', service('inference'), env, ports.inference);
    procs.metrics = await startServiceProcess('metrics', service('metrics'), env, ports.metrics);
    procs.evaluation = await startServiceProcess('evaluation', service('evaluation'), env, ports.evaluation);
    procs.gateway = await startServiceProcess('gateway', service('gateway'), {
      ...env, INFERENCE_URL: procs.inference.url, METRICS_URL: procs.metrics.url, EVALUATION_URL: procs.evaluation.url,
    }, ports.gateway);
    gateway = procs.gateway.url;
    const probeSetId = dataOf(await gql<{ createProbeSet: { id: string } }>(
      `mutation($p: String!) { createProbeSet(input: { name: "chaos-math", domain: "math", path: $p }) { id } }`, { p: join(RUN, 'probes', 'math.jsonl') },
    )).createProbeSet.id;
    runId = dataOf(await gql<{ createRun: { id: string } }>(
      `mutation($t: String!, $p: [ID!]!) { createRun(input: { name: "chaos", architecture: "OlmoeForCausalLM", tokenizer: $t, probeSetIds: $p, tasks: ["grok_math"] }) { id } }`,
      { t: join(RUN, 'tokenizer.json'), p: [probeSetId] },
    )).createRun.id;
  });

  after(async () => {
    for (const p of Object.values(procs)) await p.stop().catch(() => undefined);
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('metrics killed -9 while its work arrives, the gateway killed -9 while a loop announces a checkpoint, inference killed -9 mid-capture', async () => {
    const register = (step: number) => gql(`mutation($id: ID!, $s: Int!, $u: String!) { registerCheckpoint(input: { runId: $id, step: $s, uri: $u }) { id } }`,
      { id: runId, s: step, u: join(RUN, 'checkpoints', `step${step}`) });

    // 1. The metrics service dies as its first jobs are queued; they wait in JetStream for its return.
    dataOf(await register(STEPS[0]!));
    await procs.metrics!.kill();
    await new Promise((r) => setTimeout(r, 3_000));
    await procs.metrics!.start();

    // 2. The gateway dies; a training loop announces the next checkpoint on the bus meanwhile.
    await procs.gateway!.kill();
    const bus = await connectBus(busConfig);
    try {
      await bus.publishEvent('checkpoint.registered', { runId, step: STEPS[1]!, uri: join(RUN, 'checkpoints', `step${STEPS[1]}`), tokensSeen: 1 });
    } finally {
      await bus.close();
    }
    await new Promise((r) => setTimeout(r, 2_000));
    await procs.gateway!.start();

    // 3. The inference service (and its capture worker) dies right after a registration.
    dataOf(await register(STEPS[2]!));
    await new Promise((r) => setTimeout(r, 200));
    await procs.inference!.kill();
    await new Promise((r) => setTimeout(r, 2_000));
    await procs.inference!.start();

    const final = await until('every checkpoint captured, measured and evaluated', async () => {
      const cps = await status().catch(() => undefined);
      return cps && cps.length === STEPS.length && cps.every(settled) ? cps : undefined;
    }, 240_000, () => 'see the job statuses');
    assert.deepEqual(final.map((c) => c.step), STEPS);
    for (const p of Object.values(procs)) {
      assert.deepEqual(p.unexpectedExits, [], `${p.name} never exited on its own`);
      assert.ok(p.alive(), `${p.name} is running`);
    }
  });

  test('exactly once: one routing row per sample and checkpoint, one computation per metrics key, one item per evaluation doc', async () => {
    const client = new pg.Client({ connectionString: db.config.url });
    await client.connect();
    try {
      const rows = async (q: string) => (await client.query<Record<string, string>>(q)).rows;
      assert.deepEqual((await rows(`select c.step, count(*) as n from inference.sample_routing r join inference.checkpoint c on c.id = r.checkpoint_id group by c.step order by c.step`))
        .map((r) => [Number(r.step), Number(r.n)]), STEPS.map((s) => [s, PROBES]));
      assert.deepEqual((await rows(`select status, count(*) as n from inference.capture_job group by status`)).map((r) => [r.status, Number(r.n)]), [['completed', STEPS.length]]);
      assert.deepEqual((await rows(`select status, count(*) as n from metrics.metrics_job group by status`)).map((r) => [r.status, Number(r.n)]), [['completed', STEPS.length * 3]]);
      assert.deepEqual((await rows(`select count(*) as n, count(distinct (checkpoint_id, probe_set_id, params_key)) as keys from metrics.metrics_job`)).map((r) => [Number(r.n), Number(r.keys)]), [[9, 9]]);
      assert.deepEqual((await rows(`select j.status, count(i.*) as n from evaluation.eval_job j left join evaluation.eval_item i on i.eval_job_id = j.id group by j.id, j.status`))
        .map((r) => [r.status, Number(r.n)]), STEPS.map(() => ['completed', SUITE_ITEMS]));
    } finally {
      await client.end();
    }
  });
});
