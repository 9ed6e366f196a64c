// A run whose probe samples converge onto shared, layer-consistent pathways while their loss stays
// low and flat: the pipeline (capture -> metrics -> watch) detects the grokking phase once, and the
// query, the bus event and the webhook carry the same alert.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { createLogger } from '@grokwatch/service-kit';
import { MetricsService } from '../metrics-service.js';
import { judgedParams, judgedVariant, settledCheckpoints, toAlertPayload, type GrokkingAlertPayload } from './grokking-watch.js';
import { signatureVariants } from './signature.js';
import type { MetricsJob } from '../store/metrics-store.js';
import { MetricsStore } from '../store/metrics-store.js';
import type { MetricsTables } from '../store/tables.js';
import { insertProbeSet, insertRouters, insertRouting, insertRun, openFixture, randomMatrix, randomRouting, waitFor, type Fixture } from '../testing/fixture.js';
import { mulberry32 } from '@grokwatch/pathway';

const LAYERS = 2;
const EXPERTS = 8;
const HIDDEN = 6;
const SAMPLES = 8;
const STEPS = [100, 200, 300, 400, 500, 600, 700, 800];
/** How far each checkpoint has moved every sample onto the shared pathway. */
const CONVERGENCE = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

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
  const next = mulberry32(11);
  const db = fx.db.kysely;
  const { runId, checkpointIds } = await insertRun(db, STEPS);
  const { probeSetId, sampleIds } = await insertProbeSet(
    db,
    'math',
    Array.from({ length: SAMPLES }, () => ({ group: null })),
  );
  const shared = new Float32Array(EXPERTS);
  shared[0] = 0.6;
  shared[1] = 0.4;
  const own = sampleIds.map(() => Array.from({ length: LAYERS }, () => randomRouting(next, 1, EXPERTS, 4)));
  // The same expert embeddings at both layers, so consistency is the similarity of the two layers' routing.
  const router = randomMatrix(next, EXPERTS, HIDDEN);
  for (const [c, checkpointId] of checkpointIds.entries()) {
    const a = CONVERGENCE[c];
    await insertRouting(
      db,
      checkpointId,
      sampleIds.map((sampleId, i) => {
        const g = new Float32Array(LAYERS * EXPERTS);
        for (let l = 0; l < LAYERS; l++) {
          for (let k = 0; k < EXPERTS; k++) g[l * EXPERTS + k] = (1 - a) * own[i][l][k]! + a * shared[k];
        }
        return { sampleId, layers: LAYERS, experts: EXPERTS, routing: g, nll: 0.1 };
      }),
    );
    await insertRouters(db, checkpointId, [router, router], EXPERTS, HIDDEN);
  }

  const logger = createLogger('metrics-test', 'silent');
  const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  const service = new MetricsService(new MetricsStore(db as unknown as Kysely<MetricsTables>), fx.bus, logger, { webhookUrl: url });
  const events: GrokkingAlertPayload[] = [];
  const stoppers = [
    await service.startWorker(),
    await service.listenForCaptures(),
    await service.listenForGrokking(),
    await fx.bus.subscribeEvents('grokking.detected', async (e) => void events.push(e as unknown as GrokkingAlertPayload), { durable: 'test-grokking' }),
  ];
  try {
    // As the capture worker announces each checkpoint: the pipeline computes the run's variants.
    for (const [c, checkpointId] of checkpointIds.entries()) {
      await fx.bus.publishEvent('capture.completed', { jobId: `capture-${c}`, checkpointId, probeSetId, samples: SAMPLES });
    }
    const alerts = await waitFor(
      'a grokking alert',
      async () => {
        const a = await service.grokkingAlerts(runId);
        return a.length > 0 ? a : undefined;
      },
      30_000,
    );
    await waitFor('the webhook', async () => (posted.length > 0 ? true : undefined));
    await waitFor('the event', async () => (events.length > 0 ? true : undefined));
    assert.equal(alerts.length, 1);
    const alert = toAlertPayload(alerts[0]);
    assert.equal(alert.domain, 'math');
    // Memorized from step 100; a window is judged once 3 second differences since then exist to
    // measure each metric's wobble (200..500 onward); the first to pass is 300..600.
    assert.deepEqual([alert.startStep, alert.endStep], [300, 600]);
    assert.ok(alert.agreeing.length >= 4, alert.agreeing.join(', '));
    assert.equal(alert.evidence.loss.kind, 'sample');
    assert.deepEqual(
      alert.evidence.metrics.map((m) => m.name),
      ['distance (char, normalized)', 'distance (expert, normalized)', 'consistency', 'raw cosine', 'effective dimension'],
    );
    // One JSON shape on every channel.
    assert.deepEqual(JSON.parse(JSON.stringify(events)), [JSON.parse(JSON.stringify(alert))]);
    assert.deepEqual(posted[0], JSON.parse(JSON.stringify({ event: 'grokking.detected', alert })));

    // Computing again (another redelivery of the completions) does not report the phase twice.
    for (const checkpointId of checkpointIds)
      await fx.bus.publishEvent('metrics.completed', { jobId: (await service.store.listJobs({ checkpointId }))[0].id, checkpointId, probeSetId });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await service.grokkingAlerts(runId)).length, 1);
    assert.equal(events.length, 1);
    assert.equal(posted.length, 1);
  } finally {
    for (const s of stoppers) await s.stop();
  }
});

test('settled checkpoints stop at the first one any series still waits for; failed ones are kept', () => {
  const cps = ['c0', 'c1', 'c2', 'c3', 'c4'].map((id) => ({ id }));
  const series = (have: string[], failed: string[] = []) => ({ rows: new Map(have.map((id) => [id, 1])), failed: new Set(failed) });
  assert.deepEqual(
    settledCheckpoints(cps, [series(['c0', 'c1', 'c4'])]).map((c) => c.id),
    ['c0', 'c1'],
  );
  assert.deepEqual(
    settledCheckpoints(cps, [series(['c0', 'c1', 'c3', 'c4'], ['c2'])]).map((c) => c.id),
    ['c0', 'c1', 'c2', 'c3', 'c4'],
  );
  assert.deepEqual(settledCheckpoints(cps, [series(['c1', 'c2'])]), []);
  // a control that lags holds the group back
  assert.deepEqual(
    settledCheckpoints(cps, [series(['c0', 'c1', 'c2', 'c3', 'c4']), series(['c0', 'c1', 'c2'])]).map((c) => c.id),
    ['c0', 'c1', 'c2'],
  );
});

test("the verdict reads the run's routing weights: selections for a router that selects by bias, scores otherwise", async () => {
  const db = fx.db.kysely;
  const deps = { store: fx.service.store, sources: fx.service.sources };
  const olmoe = (await insertRun(db, [100])).runId;
  const deepseek = (await insertRun(db, [100])).runId;
  await db.updateTable('inference.run').set({ architecture: 'DeepseekV3ForCausalLM' }).where('id', '=', deepseek).execute();
  assert.equal((await judgedParams(deps, olmoe)).weights, 'scores');
  assert.equal((await judgedParams(deps, deepseek)).weights, 'selection');
  const job = (weights: string) => ({ params: { threshold: 0.7, unit: 'char', normalized: false, pairs: null, seed: 0, scope: 'sample', weights } }) as unknown as MetricsJob;
  assert.equal(await judgedVariant(deps, deepseek, job('selection')), true);
  assert.equal(await judgedVariant(deps, deepseek, job('scores')), false, 'scores of a biased router are read, never judged');
  assert.equal(await judgedVariant(deps, olmoe, job('scores')), true);
  assert.equal(await judgedVariant(deps, olmoe, job('selection')), false);
  assert.ok(signatureVariants(await judgedParams(deps, deepseek)).every((v) => v.weights === 'selection'));
});
