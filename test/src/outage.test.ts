// Outages (issue 14): the distributed platform on a Postgres cluster and a NATS server of its own,
// stopped under it. Postgres is stopped immediately (as a crash) for 10 s, once while idle and once
// in the middle of a capture; NATS is killed -9 for 10 s while a checkpoint is registered. No
// service may exit, /healthz says "degraded" while a dependency is down and answers within 2 s, and
// every checkpoint is captured and measured exactly once when the dependency is back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startThrowawayCluster, type ThrowawayCluster } from '@grokwatch/db/testing';
import { createOnnxCapturer } from '@grokwatch/inference';
import { createLogger } from '@grokwatch/service-kit';
import pg from 'pg';
import { dataOf, startPlatform, until, type Platform } from './harness.js';
import { startThrowawayNats, type ThrowawayNats } from './outage-servers.js';
import { writeTinyCheckpoint } from './tiny-checkpoint.js';

const SAMPLES = 40;
const OUTAGE_MS = 10_000;

describe('outages: Postgres stopped, NATS killed, under the distributed platform', () => {
  let cluster: ThrowawayCluster;
  let nats: ThrowawayNats;
  let p: Platform;
  let dir: string;
  let runId: string;

  const healthz = async (): Promise<{ url: string; status: number; body: { status?: string; checks?: Record<string, string> } }[]> => {
    const urls = [...Object.values(p.subgraphs!.urls), p.url].map((u) => u.replace(/\/graphql$/, '/healthz'));
    return Promise.all(
      urls.map(async (url) => {
        const started = Date.now();
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        assert.ok(Date.now() - started < 2_000, `${url} answered within 2 s`);
        return { url, status: res.status, body: (await res.json()) as { status?: string; checks?: Record<string, string> } };
      }),
    );
  };
  /** Waits out the outage, brings the server back and waits until every service says it is healthy. */
  const backAfterOutage = async (start: () => Promise<void>): Promise<void> => {
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await start();
    await until('every service healthy again', async () => ((await healthz()).every((h) => h.status === 200) ? true : undefined), 60_000);
  };

  const register = async (step: number): Promise<void> => {
    const uri = join(dir, `step${step}`);
    await writeTinyCheckpoint(uri, step);
    dataOf(await p.gql(`mutation($id: ID!, $step: Int!, $uri: String!) { registerCheckpoint(input: { runId: $id, step: $step, uri: $uri }) { id } }`, { id: runId, step, uri }));
  };
  const measured = (step: number) =>
    until(
      `step ${step} captured and measured`,
      async () => {
        const cps = dataOf(
          await p.gql<{ run: { checkpoints: { step: number; captureJobs: { status: string }[]; metricsJobs: { status: string }[] }[] } }>(
            `query($id: ID!) { run(id: $id) { checkpoints { step captureJobs { status } metricsJobs { status } } } }`,
            { id: runId },
          ),
        ).run.checkpoints;
        const cp = cps.find((c) => c.step === step);
        return cp && cp.captureJobs.some((j) => j.status === 'completed') && cp.metricsJobs.length >= 3 && cp.metricsJobs.every((j) => j.status === 'completed') ? cp : undefined;
      },
      120_000,
    );

  before(async () => {
    cluster = await startThrowawayCluster();
    nats = await startThrowawayNats();
    dir = await mkdtemp(join(tmpdir(), 'gw-outage-'));
    p = await startPlatform('distributed', {
      postgresUrl: cluster.url,
      natsUrl: nats.url,
      capturer: createOnnxCapturer({ logger: createLogger('test', 'error') }),
    });
    const probeSetId = dataOf(
      await p.gql<{ createProbeSet: { id: string } }>(`mutation($rows: [ProbeSampleInput!]!) { createProbeSet(input: { name: "outage", domain: "math", rows: $rows }) { id } }`, {
        rows: Array.from({ length: SAMPLES }, (_, i) => ({ id: `s${i}`, prompt: `${i} + ${i} =`, completion: ` ${2 * i}` })),
      }),
    ).createProbeSet.id;
    runId = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($p: [ID!]!) { createRun(input: { name: "outage", architecture: "OlmoeForCausalLM", probeSetIds: $p }) { id } }`, {
        p: [probeSetId],
      }),
    ).createRun.id;
  });

  after(async () => {
    await p?.stop();
    await nats?.stop();
    await cluster?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('before any outage: a checkpoint is captured and measured', async () => {
    await register(100);
    await measured(100);
    assert.ok((await healthz()).every((h) => h.status === 200 && h.body.status === 'ok'));
  });

  test('Postgres stopped for 10 s while idle: every service reports degraded, stays up, and works again', async () => {
    await cluster.stop();
    const down = await healthz();
    for (const h of down) {
      assert.equal(h.status, 503, h.url);
      assert.equal(h.body.status, 'degraded', h.url);
    }
    assert.notEqual(down[0].body.checks?.database, 'ok');
    await backAfterOutage(() => cluster.start());
    await register(200);
    await measured(200);
  });

  test('Postgres stopped for 10 s in the middle of a capture: the capture resumes and completes', async () => {
    await register(300);
    await new Promise((r) => setTimeout(r, 300));
    await cluster.stop();
    await backAfterOutage(() => cluster.start());
    await measured(300);
  });

  test('NATS killed -9 for 10 s: degraded while down; a checkpoint registered meanwhile is captured once NATS is back', async () => {
    await nats.kill();
    const down = await healthz();
    assert.ok(
      down.slice(0, 3).every((h) => h.status === 503 && h.body.checks?.bus !== 'ok'),
      JSON.stringify(down.map((h) => h.body)),
    );
    // The mutation commits the checkpoint and its checkpoint.registered event together (the outbox);
    // the event goes out when the bus is back.
    await register(400);
    await backAfterOutage(() => nats.start());
    await measured(400);
  });

  test('afterwards: one routing row per sample and checkpoint, one computation per metrics key, nothing failed', async () => {
    const client = new pg.Client({ connectionString: p.databaseUrl! });
    await client.connect();
    try {
      const routing = await client.query<{ step: string; n: string }>(
        `select c.step, count(*) as n from inference.sample_routing r join inference.checkpoint c on c.id = r.checkpoint_id group by c.step order by c.step`,
      );
      assert.deepEqual(
        routing.rows.map((r) => [Number(r.step), Number(r.n)]),
        [100, 200, 300, 400].map((s) => [s, SAMPLES]),
      );
      const jobs = await client.query<{ status: string; n: string }>(`select status, count(*) as n from metrics.metrics_job group by status`);
      assert.deepEqual(
        jobs.rows.map((r) => [r.status, Number(r.n)]),
        [['completed', 12]],
      );
      const captures = await client.query<{ status: string; n: string }>(`select status, count(*) as n from inference.capture_job group by status`);
      assert.deepEqual(
        captures.rows.map((r) => [r.status, Number(r.n)]),
        [['completed', 4]],
      );
    } finally {
      await client.end();
    }
  });
});
