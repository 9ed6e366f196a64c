// A run whose probe samples converge onto shared, layer-consistent pathways while their loss stays
// flat: the metrics service detects the grokking phase once, publishes it and POSTs the webhook.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { createLogger } from '@grokwatch/service-kit';
import { MetricsService } from '../metrics-service.js';
import { settledPrefix } from './grokking-watch.js';
import { MetricsStore } from '../store/metrics-store.js';
import type { MetricsTables } from '../store/tables.js';
import {
  insertProbeSet, insertRouters, insertRouting, insertRun, openFixture, randomMatrix, randomRouting, seededUniform, waitFor, type Fixture,
} from '../test-support/fixture.js';

const LAYERS = 2;
const EXPERTS = 8;
const HIDDEN = 6;
const SAMPLES = 8;
const STEPS = [100, 200, 300, 400, 500, 600];
/** How far each checkpoint has moved every sample onto the shared pathway. */
const CONVERGENCE = [0, 0.05, 0.3, 0.55, 0.8, 1];

let fx: Fixture;
let webhook: Server;
const posted: unknown[] = [];

before(async () => {
  fx = await openFixture();
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posted.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', () => r()));
});

after(async () => {
  await new Promise<void>((r) => webhook.close(() => r()));
  await fx?.close();
});

test('a grokking phase is detected once, published and POSTed', async () => {
  const next = seededUniform(11);
  const db = fx.db.kysely;
  const { runId, checkpointIds } = await insertRun(db, STEPS);
  const { probeSetId, sampleIds } = await insertProbeSet(db, 'math', Array.from({ length: SAMPLES }, () => ({ group: null })));
  const shared = new Float32Array(EXPERTS);
  shared[0] = 0.6;
  shared[1] = 0.4;
  const own = sampleIds.map(() => Array.from({ length: LAYERS }, () => randomRouting(next, 1, EXPERTS, 4)));
  // The same expert embeddings at both layers, so consistency is the similarity of the two layers' routing.
  const router = randomMatrix(next, EXPERTS, HIDDEN);
  for (const [c, checkpointId] of checkpointIds.entries()) {
    const a = CONVERGENCE[c]!;
    await insertRouting(db, checkpointId, sampleIds.map((sampleId, i) => {
      const g = new Float32Array(LAYERS * EXPERTS);
      for (let l = 0; l < LAYERS; l++) {
        for (let k = 0; k < EXPERTS; k++) g[l * EXPERTS + k] = (1 - a) * own[i]![l]![k]! + a * shared[k]!;
      }
      return { sampleId, layers: LAYERS, experts: EXPERTS, routing: g, nll: 0.1 };
    }));
    await insertRouters(db, checkpointId, [router, router], EXPERTS, HIDDEN);
  }

  const logger = createLogger('metrics-test', 'silent');
  const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  const service = new MetricsService(new MetricsStore(db as unknown as Kysely<MetricsTables>), fx.bus, logger, { webhookUrl: url });
  const events: { runId: string; domain: string; step: number }[] = [];
  const stoppers = [
    await service.startWorker(),
    await service.listenForGrokking(),
    await fx.bus.subscribeEvents('grokking.detected', async (e) => void events.push(e), { durable: 'test-grokking' }),
  ];
  try {
    for (const checkpointId of checkpointIds) await service.requestMetrics(checkpointId, probeSetId);
    const alerts = await waitFor('a grokking alert', async () => {
      const a = await service.grokkingAlerts(runId);
      return a.length > 0 ? a : undefined;
    }, 30_000);
    await waitFor('the webhook', async () => (posted.length > 0 ? true : undefined));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.domain, 'math');
    assert.ok(STEPS.includes(Number(alerts[0]!.start_step)));
    assert.ok(alerts[0]!.evidence.distanceDrop! > 0.02);
    assert.ok(alerts[0]!.evidence.consistencyRise! > 0);
    assert.deepEqual(events.map((e) => [e.runId, e.domain, e.step]), [[runId, 'math', Number(alerts[0]!.start_step)]]);
    assert.equal((posted[0] as { event: string }).event, 'grokking.detected');

    // Computing again (another redelivery of the completion) does not report the phase twice.
    for (const checkpointId of checkpointIds) await fx.bus.publishEvent('metrics.completed', { jobId: (await service.store.listJobs({ checkpointId }))[0]!.id, checkpointId, probeSetId });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await service.grokkingAlerts(runId)).length, 1);
    assert.equal(events.length, 1);
  } finally {
    for (const s of stoppers) await s.stop();
  }
});

test('the settled prefix stops at the first checkpoint still to be measured and skips failed ones', () => {
  const pts = (...ids: string[]): { checkpointId: string }[] => ids.map((checkpointId) => ({ checkpointId }));
  const ids = ['c0', 'c1', 'c2', 'c3', 'c4'];
  assert.deepEqual(settledPrefix(ids, pts('c0', 'c1', 'c4'), new Set()), pts('c0', 'c1'));
  assert.deepEqual(settledPrefix(ids, pts('c0', 'c1', 'c3', 'c4'), new Set(['c2'])), pts('c0', 'c1', 'c3', 'c4'));
  assert.deepEqual(settledPrefix(ids, pts('c1', 'c2'), new Set()), []);
  assert.deepEqual(settledPrefix(ids, pts(...ids), new Set()), pts(...ids));
});
