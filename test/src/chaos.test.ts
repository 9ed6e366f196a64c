// Chaos (issue 14): the distributed platform as separate processes (inference with its capture worker,
// metrics, evaluation, gateway) on a Postgres cluster and a NATS server of the suite's own (never the
// shared ones), on the bundled clean run's first five checkpoints. While their captures, metrics and
// evaluations run, the metrics service, the gateway and the inference service are each killed -9 and
// started again, Postgres is stopped immediately for 10 s and NATS is killed -9 for 10 s. Every
// checkpoint must end captured, measured and evaluated exactly once, every capture.completed must
// arrive, and no process may exit on its own. outage.test.ts covers the same outages while idle.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectBus, type Bus, type BusConfig, type Stoppable } from '@grokwatch/bus';
import { startThrowawayCluster, type ThrowawayCluster } from '@grokwatch/db/testing';
import pg from 'pg';
import { dataOf, postGraphQL, until } from './harness.js';
import { freePort, startServiceProcess, startThrowawayNats, type ServiceProcess, type ThrowawayNats } from './outage-servers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUN = join(ROOT, 'models', 'grokking-clean');
const STEPS = [0, 150, 300, 450, 600];
const OUTAGE_MS = 10_000;
const PROBES = 300;
const SUITE_ITEMS = 768;
const service = (name: string): string => join(ROOT, 'services', name, 'dist', 'main.js');

describe('chaos: services killed -9, Postgres and NATS down, under work (distributed, separate processes, servers of its own)', () => {
  let cluster: ThrowawayCluster;
  let nats: ThrowawayNats;
  let dataDir: string;
  let busConfig: BusConfig;
  let watcher: Bus;
  let watching: Stoppable;
  /** capture.completed events seen by a durable consumer of the suite's own, by checkpoint. */
  const completed = new Map<string, number>();
  const procs: Record<string, ServiceProcess> = {};
  let gateway: string;
  let runId: string;

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => postGraphQL<T>(gateway, query, variables);
  const status = async () =>
    dataOf(
      await gql<{ run: { checkpoints: { step: number; captureJobs: { status: string }[]; metricsJobs: { status: string }[]; evaluationJobs: { status: string }[] }[] } }>(
        `query($id: ID!) { run(id: $id) { checkpoints { step captureJobs { status } metricsJobs { status } evaluationJobs { status } } } }`,
        { id: runId },
      ),
    ).run.checkpoints;
  const settled = (c: Awaited<ReturnType<typeof status>>[number]): boolean =>
    c.captureJobs.some((j) => j.status === 'completed') &&
    c.metricsJobs.length >= 3 &&
    c.metricsJobs.every((j) => j.status === 'completed') &&
    c.evaluationJobs.length === 1 &&
    c.evaluationJobs[0].status === 'completed';

  /** Every service's /healthz, each answered within 2 s. */
  const healthz = () =>
    Promise.all(
      ['inference', 'metrics', 'evaluation'].map(async (name) => {
        const started = Date.now();
        const res = await fetch(procs[name].url.replace(/\/graphql$/, '/healthz'), { signal: AbortSignal.timeout(2_000) });
        assert.ok(Date.now() - started < 2_000, `${name} /healthz answered within 2 s`);
        return { name, status: res.status, body: (await res.json()) as { status?: string; checks?: Record<string, string> } };
      }),
    );
  /** Waits until the checkpoint's capture has stored some samples: the fault then lands mid-capture. */
  const capturing = (step: number) =>
    until(
      `step ${step} capturing`,
      async () => {
        const cps = await status().catch(() => undefined);
        const c = cps?.find((x) => x.step === step);
        return c && c.captureJobs.some((j) => j.status === 'running' || j.status === 'completed') ? true : undefined;
      },
      60_000,
    );

  before(async () => {
    cluster = await startThrowawayCluster();
    nats = await startThrowawayNats();
    dataDir = await mkdtemp(join(tmpdir(), 'gw-chaos-'));
    const prefix = `c${randomBytes(4).toString('hex')}.`;
    busConfig = { kind: 'nats', servers: nats.url, prefix };
    watcher = await connectBus(busConfig);
    watching = await watcher.subscribeEvents(
      'capture.completed',
      async (e) => {
        completed.set(e.checkpointId, (completed.get(e.checkpointId) ?? 0) + 1);
      },
      { durable: 'chaos-watch' },
    );
    const ports = { inference: await freePort(), metrics: await freePort(), evaluation: await freePort(), gateway: await freePort() };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: cluster.url,
      NATS_URL: nats.url,
      BUS_PREFIX: prefix,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      GROKWATCH_SUBGRAPH_TOKEN: randomBytes(12).toString('hex'),
      GROKWATCH_DATA_ROOTS: [join(ROOT, 'models'), dataDir].join(delimiter),
      SUITES_DIR: join(RUN, 'suites'),
      DATASETS_DIR: join(ROOT, '..', 'shared', 'datasets'),
      WATCH_INTERVAL_MS: '0',
      CAPTURE_ACK_WAIT_MS: '3000',
      EVAL_ACK_WAIT_MS: '5000',
      RATE_LIMIT_PER_S: '0',
      ONNXRUNTIME_NODE_INSTALL: 'skip',
    };
    procs.inference = await startServiceProcess('inference', service('inference'), env, ports.inference);
    procs.metrics = await startServiceProcess('metrics', service('metrics'), env, ports.metrics);
    procs.evaluation = await startServiceProcess('evaluation', service('evaluation'), env, ports.evaluation);
    procs.gateway = await startServiceProcess(
      'gateway',
      service('gateway'),
      {
        ...env,
        INFERENCE_URL: procs.inference.url,
        METRICS_URL: procs.metrics.url,
        EVALUATION_URL: procs.evaluation.url,
      },
      ports.gateway,
    );
    gateway = procs.gateway.url;
    const probeSetId = dataOf(
      await gql<{ createProbeSet: { id: string } }>(`mutation($p: String!) { createProbeSet(input: { name: "chaos-math", domain: "math", path: $p }) { id } }`, {
        p: join(RUN, 'probes', 'math.jsonl'),
      }),
    ).createProbeSet.id;
    runId = dataOf(
      await gql<{ createRun: { id: string } }>(
        `mutation($t: String!, $p: [ID!]!) { createRun(input: { name: "chaos", architecture: "OlmoeForCausalLM", tokenizer: $t, probeSetIds: $p, tasks: ["grok_math"] }) { id } }`,
        { t: join(RUN, 'tokenizer.json'), p: [probeSetId] },
      ),
    ).createRun.id;
  });

  after(async () => {
    for (const p of Object.values(procs)) await p.stop().catch(() => undefined);
    await watching?.stop().catch(() => undefined);
    await watcher?.close().catch(() => undefined);
    await nats?.stop();
    await cluster?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('metrics, gateway and inference killed -9, Postgres stopped and NATS killed -9 for 10 s, all under work', async () => {
    const register = (step: number) =>
      gql(`mutation($id: ID!, $s: Int!, $u: String!) { registerCheckpoint(input: { runId: $id, step: $s, uri: $u }) { id } }`, {
        id: runId,
        s: step,
        u: join(RUN, 'checkpoints', `step${step}`),
      });

    // 1. The metrics service dies as its first jobs are queued; they wait in JetStream for its return.
    dataOf(await register(STEPS[0]));
    await procs.metrics!.kill();
    await new Promise((r) => setTimeout(r, 3_000));
    await procs.metrics!.start();

    // 2. The gateway dies; a training loop announces the next checkpoint on the bus meanwhile.
    await procs.gateway!.kill();
    const bus = await connectBus(busConfig);
    try {
      await bus.publishEvent('checkpoint.registered', { runId, step: STEPS[1], uri: join(RUN, 'checkpoints', `step${STEPS[1]}`), tokensSeen: 1 });
    } finally {
      await bus.close();
    }
    await new Promise((r) => setTimeout(r, 2_000));
    await procs.gateway!.start();

    // 3. The inference service (and its capture worker) dies right after a registration.
    dataOf(await register(STEPS[2]));
    await new Promise((r) => setTimeout(r, 200));
    await procs.inference!.kill();
    await new Promise((r) => setTimeout(r, 2_000));
    await procs.inference!.start();

    // 4. Postgres stops (immediate: as a crash) in the middle of a capture, for 10 s.
    dataOf(await register(STEPS[3]));
    await capturing(STEPS[3]);
    await cluster.stop();
    for (const h of await healthz()) assert.deepEqual([h.name, h.status, h.body.status], [h.name, 503, 'degraded']);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await cluster.start();

    // 5. NATS dies (kill -9) in the middle of a capture, for 10 s; JetStream's store survives.
    await until(
      'every service healthy after the Postgres outage',
      async () => {
        const hs = await healthz().catch(() => undefined);
        return hs?.every((h) => h.status === 200) ? true : undefined;
      },
      60_000,
    );
    dataOf(await register(STEPS[4]));
    await capturing(STEPS[4]);
    await nats.kill();
    for (const h of await healthz()) assert.deepEqual([h.name, h.status, h.body.checks?.bus === 'ok'], [h.name, 503, false]);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await nats.start();

    const final = await until(
      'every checkpoint captured, measured and evaluated',
      async () => {
        const cps = await status().catch(() => undefined);
        return cps && cps.length === STEPS.length && cps.every(settled) ? cps : undefined;
      },
      300_000,
      () => 'see the job statuses',
    );
    assert.deepEqual(
      final.map((c) => c.step),
      STEPS,
    );
    await until(
      'a capture.completed for every checkpoint',
      async () => (completed.size === STEPS.length ? true : undefined),
      60_000,
      () => `${completed.size} of ${STEPS.length} checkpoints announced`,
    );
    for (const p of Object.values(procs)) {
      assert.deepEqual(p.unexpectedExits, [], `${p.name} never exited on its own`);
      assert.ok(p.alive(), `${p.name} is running`);
    }
  });

  test('exactly once: one routing row per sample and checkpoint, one computation per metrics key, one item per evaluation doc', async () => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const rows = async (q: string) => (await client.query<Record<string, string>>(q)).rows;
      assert.deepEqual(
        (await rows(`select c.step, count(*) as n from inference.sample_routing r join inference.checkpoint c on c.id = r.checkpoint_id group by c.step order by c.step`)).map(
          (r) => [Number(r.step), Number(r.n)],
        ),
        STEPS.map((s) => [s, PROBES]),
      );
      assert.deepEqual(
        (await rows(`select status, count(*) as n from inference.capture_job group by status`)).map((r) => [r.status, Number(r.n)]),
        [['completed', STEPS.length]],
      );
      assert.deepEqual(
        (await rows(`select status, count(*) as n from metrics.metrics_job group by status`)).map((r) => [r.status, Number(r.n)]),
        [['completed', STEPS.length * 3]],
      );
      assert.deepEqual(
        (await rows(`select count(*) as n, count(distinct (checkpoint_id, probe_set_id, params_key)) as keys from metrics.metrics_job`)).map((r) => [Number(r.n), Number(r.keys)]),
        [[STEPS.length * 3, STEPS.length * 3]],
      );
      assert.deepEqual(
        (await rows(`select j.status, count(i.*) as n from evaluation.eval_job j left join evaluation.eval_item i on i.eval_job_id = j.id group by j.id, j.status`)).map((r) => [
          r.status,
          Number(r.n),
        ]),
        STEPS.map(() => ['completed', SUITE_ITEMS]),
      );
    } finally {
      await client.end();
    }
  });
});
