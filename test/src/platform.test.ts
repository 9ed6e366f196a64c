// The same end-to-end suite against the embedded platform and the distributed one (real Postgres + NATS).
import assert from 'node:assert/strict';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type IntrospectionQuery } from 'graphql';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Bus } from '@grokwatch/bus';
import { MODES, dataOf, errorCode, startPlatform, until, type Platform } from './harness.js';

const CREATE_RUN = `mutation($input: CreateRunInput!) { createRun(input: $input) { id name architecture } }`;
const REGISTER = `mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id step tokensSeen status } }`;
const CREATE_PROBES = `mutation($input: CreateProbeSetInput!) { createProbeSet(input: $input) { id name domain sampleCount } }`;
const START_CAPTURE = `mutation($input: StartCaptureInput!) { startCapture(input: $input) { id status total } }`;

interface RoutedSample {
  routing: { layers: { weights: number[] }[]; nll: number | null } | null;
}

async function waitForRouting(p: Platform, probeSetId: string, checkpointId: string, expected: number): Promise<RoutedSample[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const samples = dataOf(
      await p.gql<{ probeSet: { samples: RoutedSample[] } }>(`query($id: ID!, $c: ID!) { probeSet(id: $id) { samples { routing(checkpoint: $c) { layers { weights } nll } } } }`, {
        id: probeSetId,
        c: checkpointId,
      }),
    ).probeSet.samples;
    if (samples.filter((s) => s.routing).length >= expected || Date.now() > deadline) return samples;
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const mode of MODES) {
  describe(`platform (${mode})`, () => {
    let p: Platform;
    let dir: string;
    const suffix = Math.random().toString(36).slice(2, 8);

    before(async () => {
      p = await startPlatform(mode);
      dir = await mkdtemp(join(tmpdir(), 'gw-platform-'));
    });
    after(async () => {
      await p?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('a mutation creates a run and a checkpoint; a query joins fields from three subgraphs', async () => {
      const run = dataOf(
        await p.gql<{ createRun: { id: string; name: string } }>(CREATE_RUN, {
          input: { name: `run-${suffix}`, architecture: 'OlmoeForCausalLM' },
        }),
      ).createRun;
      assert.equal(run.name, `run-${suffix}`);
      const cp = dataOf(
        await p.gql<{ registerCheckpoint: { id: string; step: number; status: string } }>(REGISTER, {
          input: { runId: run.id, step: 1000, tokensSeen: 4.2e9, uri: 'external://ckpt/step1000' },
        }),
      ).registerCheckpoint;
      assert.equal(cp.step, 1000);
      assert.equal(cp.status, 'registered');
      // Same step and uri again: idempotent, same id.
      const again = dataOf(
        await p.gql<{ registerCheckpoint: { id: string } }>(REGISTER, {
          input: { runId: run.id, step: 1000, tokensSeen: 4.2e9, uri: 'external://ckpt/step1000' },
        }),
      ).registerCheckpoint;
      assert.equal(again.id, cp.id);

      const joined = dataOf(
        await p.gql<{ run: { checkpoints: { id: string; step: number; tokensSeen: number; metricsJobs: unknown[]; evaluationJobs: unknown[] }[] } }>(
          `query($id: ID!) { run(id: $id) { name checkpoints { id step tokensSeen metricsJobs { id status } evaluationJobs { id status } } } }`,
          { id: run.id },
        ),
      );
      assert.equal(joined.run.checkpoints.length, 1);
      assert.equal(joined.run.checkpoints[0].tokensSeen, 4.2e9);
      assert.deepEqual(joined.run.checkpoints[0].metricsJobs, []);
      assert.deepEqual(joined.run.checkpoints[0].evaluationJobs, []);
    });

    test('probe sets from a JSONL file and inline rows; a malformed line is named', async () => {
      const good = join(dir, 'good.jsonl');
      await writeFile(good, '{"id":"a","text":"1 + 2 = 3","group":"add"}\n\n{"id":"b","text":"2 * 3 = 6","group":"mul","extra":1}\n');
      const fromFile = dataOf(
        await p.gql<{ createProbeSet: { sampleCount: number } }>(CREATE_PROBES, {
          input: { name: `file-${suffix}`, domain: 'math', path: good },
        }),
      ).createProbeSet;
      assert.equal(fromFile.sampleCount, 2);

      const inline = dataOf(
        await p.gql<{ createProbeSet: { id: string; sampleCount: number } }>(CREATE_PROBES, {
          input: { name: `inline-${suffix}`, domain: 'code', rows: [{ text: 'a=1;a?=1' }, { text: 'b=2;b?=2', group: 'g' }] },
        }),
      ).createProbeSet;
      assert.equal(inline.sampleCount, 2);
      const samples = dataOf(
        await p.gql<{ probeSet: { samples: { index: number; text: string; group: string | null }[] } }>(
          `query($id: ID!) { probeSet(id: $id) { samples(limit: 10) { index text group } } }`,
          { id: inline.id },
        ),
      ).probeSet.samples;
      assert.deepEqual(
        samples.map((s) => s.group),
        [null, 'g'],
      );

      const bad = join(dir, 'bad.jsonl');
      await writeFile(bad, '{"text":"ok"}\n{"text": "missing brace"\n');
      const res = await p.gql(CREATE_PROBES, { input: { name: `bad-${suffix}`, domain: 'math', path: bad } });
      assert.equal(errorCode(res), 'BAD_USER_INPUT');
      assert.match(res.errors![0].message, /bad\.jsonl:2: invalid JSON/);

      const missingText = await p.gql(CREATE_PROBES, { input: { name: `bad2-${suffix}`, domain: 'math', rows: [{ text: '' }] } });
      assert.equal(errorCode(missingText), 'BAD_USER_INPUT');
      assert.match(missingText.errors![0].message, /rows:1/);

      const sets = dataOf(await p.gql<{ probeSets: { name: string }[] }>(`{ probeSets { name } }`)).probeSets.map((s) => s.name);
      assert.ok(!sets.includes(`bad-${suffix}`), 'a failed probe set leaves nothing behind');
    });

    test('bad input comes back as clear GraphQL errors and the service keeps serving', async () => {
      const run = dataOf(
        await p.gql<{ createRun: { id: string } }>(CREATE_RUN, {
          input: { name: `bad-input-${suffix}`, architecture: 'OlmoeForCausalLM' },
        }),
      ).createRun;
      const negative = await p.gql(REGISTER, { input: { runId: run.id, step: -1, uri: 'external://x' } });
      assert.equal(errorCode(negative), 'BAD_USER_INPUT');
      assert.match(negative.errors![0].message, /step/);

      const unknownRun = await p.gql(REGISTER, { input: { runId: '00000000-0000-4000-8000-000000000000', step: 1, uri: 'external://x' } });
      assert.equal(errorCode(unknownRun), 'NOT_FOUND');

      const unknownCheckpoint = await p.gql(START_CAPTURE, { input: { checkpointId: 'not-a-checkpoint', probeSetId: 'nope' } });
      assert.equal(errorCode(unknownCheckpoint), 'NOT_FOUND');
      assert.match(unknownCheckpoint.errors![0].message, /checkpoint not-a-checkpoint not found/);

      const duplicate = await p.gql(CREATE_RUN, { input: { name: `bad-input-${suffix}`, architecture: 'OlmoeForCausalLM' } });
      assert.equal(errorCode(duplicate), 'CONFLICT');

      const wrongType = await p.gql(REGISTER, { input: { runId: run.id, step: 'ten', uri: 'external://x' } });
      assert.ok(wrongType.errors?.length, 'a string step is rejected');

      // runs > checkpoints > run > checkpoints > ... : 14 levels, over the limit of 12
      let deep = 'id';
      for (let i = 0; i < 6; i++) deep = `checkpoints { run { ${deep} } }`;
      deep = `{ runs { ${deep} } }`;
      const tooDeep = await p.gql(deep);
      assert.equal(errorCode(tooDeep), 'QUERY_TOO_COMPLEX');
      assert.match(tooDeep.errors![0].message, /depth/);

      deep = '{ probeSets { samples(limit: 1000) { probeSet { samples(limit: 1000) { id } } } } }';
      const tooCostly = await p.gql(deep);
      assert.equal(errorCode(tooCostly), 'QUERY_TOO_COMPLEX');
      assert.match(tooCostly.errors![0].message, /cost/);

      const still = dataOf(await p.gql<{ runs: unknown[] }>(`{ runs { id } }`));
      assert.ok(still.runs.length >= 1);
    });

    test('subscriptions deliver job progress to a graphql-ws client', async () => {
      const run = dataOf(
        await p.gql<{ createRun: { id: string } }>(CREATE_RUN, {
          input: { name: `sub-${suffix}`, architecture: 'OlmoeForCausalLM' },
        }),
      ).createRun;
      const cp = dataOf(
        await p.gql<{ registerCheckpoint: { id: string } }>(REGISTER, {
          input: { runId: run.id, step: 5, uri: 'external://nowhere/step5' },
        }),
      ).registerCheckpoint;
      const probes = dataOf(
        await p.gql<{ createProbeSet: { id: string } }>(CREATE_PROBES, {
          input: { name: `sub-probes-${suffix}`, domain: 'math', rows: [{ text: '1 + 1 = 2' }] },
        }),
      ).createProbeSet;

      const client: Client = createClient({ url: p.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      const received: { status: string; jobId: string }[] = [];
      const subscribed = new Promise<void>((resolve, reject) => {
        const dispose = client.subscribe<{ jobProgress: { status: string; jobId: string } }>(
          { query: 'subscription { jobProgress(kind: capture) { kind jobId status done total } }' },
          {
            next: (msg) => {
              if (msg.data) received.push(msg.data.jobProgress);
              if (received.length >= 1) {
                dispose();
                resolve();
              }
            },
            error: reject,
            complete: () => resolve(),
          },
        );
      });
      // Give the subscription a moment to reach the server before the event is published.
      await new Promise((r) => setTimeout(r, 300));
      const job = dataOf(
        await p.gql<{ startCapture: { id: string; status: string } }>(START_CAPTURE, {
          input: { checkpointId: cp.id, probeSetId: probes.id },
        }),
      ).startCapture;
      await Promise.race([subscribed, new Promise((_, rej) => setTimeout(() => rej(new Error('no progress event')), 10_000))]);
      await client.dispose();
      assert.equal(received[0].jobId, job.id);
      assert.equal(received[0].status, 'queued');
    });

    test('routing captured elsewhere: the ingest mutation and the NATS subject store it; bad rows are refused', async () => {
      const run = dataOf(
        await p.gql<{ createRun: { id: string } }>(CREATE_RUN, {
          input: { name: `ingest-${suffix}`, architecture: 'OlmoeForCausalLM' },
        }),
      ).createRun;
      const cp = dataOf(
        await p.gql<{ registerCheckpoint: { id: string } }>(REGISTER, {
          input: { runId: run.id, step: 7, uri: 'external://elsewhere/step7' },
        }),
      ).registerCheckpoint;
      const probes = dataOf(
        await p.gql<{ createProbeSet: { id: string } }>(CREATE_PROBES, {
          input: { name: `ingest-probes-${suffix}`, domain: 'math', rows: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] },
        }),
      ).createProbeSet;
      const INGEST = `mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored skipped } }`;
      // vLLM layout: 2 tokens x 2 layers x k = 2, 4 experts.
      const routed = [
        [
          [0, 1],
          [2, 3],
        ],
        [
          [1, 2],
          [3, 0],
        ],
      ];
      const res = dataOf(
        await p.gql<{ ingestRouting: { stored: number; skipped: number } }>(INGEST, {
          input: {
            checkpointId: cp.id,
            probeSetId: probes.id,
            samples: [
              { index: 0, routedExperts: routed, experts: 4, nll: 1.5 },
              {
                index: 1,
                weights: [
                  [0.25, 0.25, 0.25, 0.25],
                  [1, 0, 0, 0],
                ],
              },
            ],
          },
        }),
      );
      assert.deepEqual(res.ingestRouting, { stored: 2, skipped: 0 });

      const bad = await p.gql(INGEST, {
        input: {
          checkpointId: cp.id,
          probeSetId: probes.id,
          samples: [
            {
              index: 2,
              weights: [
                [0.5, 0.5, 0, 0],
                [0.5, 0.5, 0, 0],
              ],
            },
            { index: 0, routedExperts: [[[0, 9]]], experts: 4 },
          ],
        },
      });
      assert.equal(errorCode(bad), 'BAD_USER_INPUT');
      assert.match(bad.errors![0].message, /sample 0: token 0 layer 0: expert id 9/);

      await p.withBus((bus) =>
        bus.publishJob('ingest', {
          jobId: `ingest-${suffix}`,
          checkpointId: cp.id,
          probeSetId: probes.id,
          samples: [
            {
              index: 2,
              weights: [
                [0, 0, 0.5, 0.5],
                [0, 1, 0, 0],
              ],
              nll: 0.25,
            },
          ],
        }),
      );
      const samples = await waitForRouting(p, probes.id, cp.id, 3);
      assert.deepEqual(
        samples[0].routing!.layers.map((l) => l.weights),
        [
          [0.25, 0.5, 0.25, 0],
          [0.25, 0, 0.25, 0.5],
        ],
      );
      assert.equal(samples[0].routing!.nll, 1.5);
      assert.deepEqual(
        samples[2].routing!.layers.map((l) => l.weights),
        [
          [0, 0, 0.5, 0.5],
          [0, 1, 0, 0],
        ],
      );
      assert.equal(samples[2].routing!.nll, 0.25);

      // The same routing again (a redelivered ingest job whose event was lost): nothing new is
      // stored, and the completed probe set is announced again so the pipeline cannot miss it.
      await p.withBus(async (bus) => {
        const announced: string[] = [];
        const listener = await bus.subscribeEvents(
          'capture.completed',
          async (e) => {
            if (e.checkpointId === cp.id) announced.push(e.jobId);
          },
          { durable: `test-announce-${suffix}`, deliver: 'new' },
        );
        try {
          const again = dataOf(
            await p.gql<{ ingestRouting: { stored: number; skipped: number } }>(INGEST, {
              input: {
                checkpointId: cp.id,
                probeSetId: probes.id,
                samples: [
                  {
                    index: 1,
                    weights: [
                      [0.25, 0.25, 0.25, 0.25],
                      [1, 0, 0, 0],
                    ],
                  },
                ],
              },
            }),
          );
          assert.deepEqual(again.ingestRouting, { stored: 0, skipped: 1 });
          await until('capture.completed announced again', async () => (announced.length > 0 ? true : undefined), 10_000);
        } finally {
          await listener.stop();
        }
      });
    });

    /** Subscribes with `query`, runs `publish`, and returns what the first event delivered under `field`. */
    async function firstEvent(query: string, field: string, publish: (bus: Bus) => Promise<void>): Promise<unknown[]> {
      const client: Client = createClient({ url: p.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      const got: unknown[] = [];
      const received = new Promise<void>((resolve, reject) => {
        const dispose = client.subscribe<Record<string, unknown>>(
          { query },
          {
            next: (msg) => {
              if (msg.data) got.push(msg.data[field]);
              dispose();
              resolve();
            },
            error: reject,
            complete: () => resolve(),
          },
        );
      });
      await new Promise((r) => setTimeout(r, 300));
      await p.withBus(publish);
      await Promise.race([received, new Promise((_, rej) => setTimeout(() => rej(new Error(`no ${field} event`)), 10_000))]);
      await client.dispose();
      return got;
    }

    test("a sample's pathway and the distance between consecutive pathways come from the API (hand-worked at tau 0.7)", async () => {
      const run = dataOf(await p.gql<{ createRun: { id: string } }>(CREATE_RUN, { input: { name: `pathways-${suffix}`, architecture: 'OlmoeForCausalLM' } })).createRun;
      const cps: string[] = [];
      for (const step of [1, 2, 3]) {
        cps.push(
          dataOf(await p.gql<{ registerCheckpoint: { id: string } }>(REGISTER, { input: { runId: run.id, step, uri: `external://pathways/step${step}` } })).registerCheckpoint.id,
        );
      }
      const probes = dataOf(
        await p.gql<{ createProbeSet: { id: string } }>(CREATE_PROBES, { input: { name: `pathway-probes-${suffix}`, domain: 'math', rows: [{ text: 'x' }] } }),
      ).createProbeSet;
      const INGEST = `mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`;
      const weights = [
        [
          [0.5, 0.3, 0.2, 0],
          [0.1, 0.6, 0.3, 0],
        ],
        [
          [0.9, 0.1, 0, 0],
          [0.1, 0.6, 0.3, 0],
        ],
      ];
      for (const [i, w] of weights.entries()) dataOf(await p.gql(INGEST, { input: { checkpointId: cps[i], probeSetId: probes.id, samples: [{ index: 0, weights: w }] } }));
      const sampleId = dataOf(await p.gql<{ probeSet: { samples: { id: string }[] } }>(`query($id: ID!) { probeSet(id: $id) { samples { id } } }`, { id: probes.id })).probeSet
        .samples[0].id;
      const answer = dataOf(
        await p.gql<{ sample: { a: { pathway: { layers: number[][]; text: string } }; b: { pathway: { text: string } }; c: null; pathwayDistances: (number | null)[] } }>(
          `query($s: ID!, $a: ID!, $b: ID!, $c: ID!, $ids: [ID!]!) { sample(id: $s) {
            a: routing(checkpoint: $a) { pathway(tau: 0.7) { layers text } } b: routing(checkpoint: $b) { pathway { text } } c: routing(checkpoint: $c) { nll }
            pathwayDistances(checkpointIds: $ids, tau: 0.7) } }`,
          { s: sampleId, a: cps[0], b: cps[1], c: cps[2], ids: cps },
        ),
      ).sample;
      // Layer 0: 0.5 + 0.3 > 0.7 -> experts 0, 1; layer 1: 0.6 + 0.3 -> 1, 2. At step 2 layer 0 needs expert 0 alone.
      assert.deepEqual(answer.a.pathway, {
        layers: [
          [0, 1],
          [1, 2],
        ],
        text: '0,1-1,2',
      });
      assert.equal(answer.b.pathway.text, '0-1,2');
      assert.equal(answer.c, null);
      // "0,1-1,2" -> "0-1,2": two deletions; step 3 has no routing.
      assert.deepEqual(answer.pathwayDistances, [2, null]);
      const bad = await p.gql(`query($s: ID!, $a: ID!) { sample(id: $s) { routing(checkpoint: $a) { pathway(tau: 1.5) { text } } } }`, { s: sampleId, a: cps[0] });
      assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    });

    test('routing collapse alerts reach graphql-ws subscribers, filtered by run', async () => {
      const alert = { runId: 'run-c', layer: 3, step: 150, checkpointId: 'cp-150', deadExperts: 6, baselineDead: 0, experts: 8, detectedAt: '2026-12-06T08:00:00.000Z' };
      const got = await firstEvent(
        'subscription { routingCollapsed(runId: "run-c") { runId layer step checkpointId deadExperts baselineDead experts detectedAt } }',
        'routingCollapsed',
        async (bus) => {
          await bus.publishEvent('routing.collapsed', { ...alert, runId: 'run-other' });
          await bus.publishEvent('routing.collapsed', alert);
        },
      );
      assert.deepEqual(got, [alert]);
    });

    test('grokking alerts reach graphql-ws subscribers, filtered by run', async () => {
      const alert = {
        runId: 'run-b',
        probeSetId: 'ps-1',
        domain: 'math',
        startStep: 1800,
        endStep: 2400,
        detectedAt: '2026-12-06T07:00:00.000Z',
        agreeing: ['consistency', 'raw cosine'],
        evidence: { threshold: 0.7, metrics: [{ name: 'consistency', change: 0.1 }] },
      };
      const got = await firstEvent(
        'subscription { grokkingDetected(runId: "run-b") { runId probeSetId domain startStep endStep detectedAt agreeing evidence } }',
        'grokkingDetected',
        async (bus) => {
          await bus.publishEvent('grokking.detected', { ...alert, runId: 'run-a', domain: 'code' });
          await bus.publishEvent('grokking.detected', alert);
        },
      );
      assert.deepEqual(JSON.parse(JSON.stringify(got)), [alert], 'the alert as published, evidence an object');
    });

    test('introspection shows the whole API, subscriptions included: a client generating code from the endpoint validates every kind of operation', async () => {
      const res = await p.gql<IntrospectionQuery>(getIntrospectionQuery());
      assert.equal(res.errors, undefined);
      const schema = buildClientSchema(res.data!);
      assert.deepEqual(Object.keys(schema.getSubscriptionType()?.getFields() ?? {}).sort(), ['grokkingDetected', 'jobProgress', 'routingCollapsed']);
      for (const op of [
        'subscription { jobProgress(kind: capture) { jobId kind done total status } }',
        'subscription { grokkingDetected { runId domain startStep endStep evidence } }',
        'query { runs(limit: 1) { id routingHealth(limit: 1) { step layers { deadExperts } } } }',
        'mutation { createRun(input: { name: "x", architecture: "OlmoeForCausalLM" }) { id } }',
      ])
        assert.deepEqual(
          validate(schema, parse(op)).map((e) => e.message),
          [],
          op,
        );
      // Anything else still goes to the federated schema.
      assert.equal(dataOf(await p.gql<{ __typename: string; runs: unknown[] }>('{ __typename runs(limit: 1) { id } }')).__typename, 'Query');
    });

    test('/healthz and /metrics answer', async () => {
      const base = p.url.replace(/\/graphql$/, '');
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /grokwatch_graphql_operation_seconds/);
      // Job metrics come from the services that own the jobs: the embedded gateway, or each subgraph.
      const jobMetricsAt = p.subgraphs ? Object.values(p.subgraphs.urls).map((u) => u.replace(/\/graphql$/, '/metrics')) : [`${base}/metrics`];
      for (const url of jobMetricsAt) {
        const text = await (await fetch(url)).text();
        assert.match(text, /# TYPE grokwatch_jobs gauge/, url);
        assert.match(text, /# TYPE grokwatch_job_seconds histogram/, url);
      }
      if (!p.subgraphs) assert.match(metrics, /grokwatch_jobs\{kind="capture",status="\w+",service="grokwatch"\} \d+/, 'the earlier captures are counted');
    });
  });
}

describe('API key', () => {
  test('mutations need the key when one is configured; queries do not', async () => {
    const p = await startPlatform('embedded', { apiKey: 'sekret-key' });
    try {
      const denied = await p.gql(CREATE_RUN, { input: { name: 'keyed', architecture: 'OlmoeForCausalLM' } });
      assert.equal(errorCode(denied), 'UNAUTHENTICATED');
      const wrong = await p.gql(CREATE_RUN, { input: { name: 'keyed', architecture: 'OlmoeForCausalLM' } }, { 'x-api-key': 'nope' });
      assert.equal(errorCode(wrong), 'UNAUTHENTICATED');
      const ok = await p.gql(CREATE_RUN, { input: { name: 'keyed', architecture: 'OlmoeForCausalLM' } }, { 'x-api-key': 'sekret-key' });
      assert.equal(ok.errors, undefined);
      const bearer = await p.gql(CREATE_RUN, { input: { name: 'keyed2', architecture: 'OlmoeForCausalLM' } }, { authorization: 'Bearer sekret-key' });
      assert.equal(bearer.errors, undefined);
      const read = dataOf(await p.gql<{ runs: unknown[] }>(`{ runs { id } }`));
      assert.equal(read.runs.length, 2);
    } finally {
      await p.stop();
    }
  });
});

describe('subgraphs are no side door (distributed)', () => {
  test("a subgraph answers only requests carrying the gateway's token: no mutation, no query, no _service sdl", async () => {
    const p = await startPlatform('distributed', { apiKey: 'gateway-key' });
    try {
      const { urls, token } = p.subgraphs!;
      const direct = async (url: string, query: string, headers: Record<string, string> = {}) => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
        return { status: res.status, body: (await res.json()) as { errors?: { extensions?: { code?: string } }[]; data?: unknown } };
      };
      const createRun = 'mutation { createRun(input: { name: "side-door", architecture: "OlmoeForCausalLM" }) { id } }';
      for (const [url, query] of [
        [urls.inference, createRun],
        [urls.evaluation, '{ __typename }'],
        [urls.metrics, '{ _service { sdl } }'],
        [urls.inference, '{ _service { sdl } }'],
      ] as const) {
        const r = await direct(url, query);
        assert.equal(r.status, 401, `${url} ${query}`);
        assert.equal(r.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
        assert.equal((await direct(url, query, { 'x-grokwatch-subgraph-token': 'guess' })).status, 401);
      }
      const withToken = await direct(urls.inference, '{ _service { sdl } }', { 'x-grokwatch-subgraph-token': token });
      assert.equal(withToken.status, 200);
      // Through the gateway the API key still decides, and the gateway's own calls carry the token.
      assert.equal(errorCode(await p.gql(CREATE_RUN, { input: { name: 'via-gateway', architecture: 'OlmoeForCausalLM' } })), 'UNAUTHENTICATED');
      assert.equal((await p.gql(CREATE_RUN, { input: { name: 'via-gateway', architecture: 'OlmoeForCausalLM' } }, { 'x-api-key': 'gateway-key' })).errors, undefined);
      const runs = dataOf(await p.gql<{ runs: { name: string }[] }>('{ runs { name } }')).runs.map((r) => r.name);
      assert.deepEqual(runs, ['via-gateway'], 'the side door created nothing');
    } finally {
      await p.stop();
    }
  });
});
