// Routing health from stored routing, and the collapse watch: a run whose layer 0 loses three of
// eight experts at its fourth checkpoint (layer 1 stays balanced) gets one alert for layer 0 at
// that step, through the pipeline (capture.completed), announced on the bus; a partial checkpoint
// says so and stops the watch from reading past it. Collapse is judged over every probe set of the
// run: one domain leaving experts idle is specialization.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '@grokwatch/service-kit';
import { insertProbeSet, insertRouting, insertRun, openFixture, setRunProbeSets, waitFor, type Fixture } from '../testing/fixture.js';
import { checkRunForCollapse, type RoutingAlertPayload } from './routing-health.js';

const LAYERS = 2;
const EXPERTS = 8;
const SAMPLES = 6;
const STEPS = [0, 100, 200, 300, 400];
/** Experts of layer 0 that get no selections, by checkpoint. */
const DEAD_AT = [[], [], [7], [5, 6, 7], [4, 5, 6, 7]];

let fx: Fixture;
before(async () => {
  fx = await openFixture();
});
after(async () => {
  await fx?.close();
});

function counts(dead: readonly number[]): Float32Array {
  const c = new Float32Array(LAYERS * EXPERTS);
  for (let l = 0; l < LAYERS; l++) {
    for (let e = 0; e < EXPERTS; e++) c[l * EXPERTS + e] = l === 0 && dead.includes(e) ? 0 : 5;
  }
  return c;
}

test('health is read from the stored selection counts; collapse is alerted once per layer, at the step it happened', async () => {
  const db = fx.db.kysely;
  const { runId, checkpointIds } = await insertRun(db, STEPS);
  const { probeSetId, sampleIds } = await insertProbeSet(
    db,
    'math',
    Array.from({ length: SAMPLES }, () => ({ group: null })),
  );
  await setRunProbeSets(db, runId, [probeSetId]);
  const uniform = new Float32Array(LAYERS * EXPERTS).fill(1 / EXPERTS);
  for (const [c, checkpointId] of checkpointIds.entries()) {
    // The last checkpoint is partial: two samples have no routing yet.
    const stored = c === STEPS.length - 1 ? sampleIds.slice(0, SAMPLES - 2) : sampleIds;
    await insertRouting(
      db,
      checkpointId,
      stored.map((sampleId) => ({ sampleId, layers: LAYERS, experts: EXPERTS, routing: uniform, nll: 1, counts: counts(DEAD_AT[c]) })),
    );
  }

  const h = await fx.service.checkpointRoutingHealth(checkpointIds[3], { probeSet: probeSetId });
  assert.equal(h.basis, 'selection');
  assert.equal(h.complete, true);
  assert.deepEqual(
    h.layers.map((l) => l.deadExperts),
    [3, 0],
  );
  assert.deepEqual(Array.from(h.layers[0].load), [0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0]);
  assert.ok(Math.abs(h.layers[0].maxOverMean - 1.6) < 1e-12);
  const partial = await fx.service.checkpointRoutingHealth(checkpointIds[4], { domain: 'math' });
  assert.deepEqual([partial.complete, partial.samples, partial.expectedSamples], [false, SAMPLES - 2, SAMPLES]);
  const series = await fx.service.runRoutingHealth(runId, { probeSet: probeSetId }, { offset: 1, limit: 2 });
  assert.deepEqual(
    series.map((s) => s.step),
    [100, 200],
  );
  // Left out, the probe set is every probe set of the run: here, the one.
  assert.deepEqual((await fx.service.checkpointRoutingHealth(checkpointIds[3], {})).probeSetIds, [probeSetId]);

  const events: RoutingAlertPayload[] = [];
  const stoppers = [
    await fx.service.listenForGrokking(),
    await fx.bus.subscribeEvents('routing.collapsed', async (e) => void events.push(e as RoutingAlertPayload), { durable: 'test-collapse' }),
  ];
  try {
    for (const [c, checkpointId] of checkpointIds.entries()) {
      await fx.bus.publishEvent('capture.completed', { jobId: `capture-${c}`, checkpointId, probeSetId, samples: SAMPLES });
    }
    await waitFor('the collapse event', async () => (events.length > 0 ? true : undefined), 20_000);
    const alerts = await fx.service.routingCollapseAlerts(runId);
    assert.equal(alerts.length, 1, 'one layer collapsed, reported once although five captures completed');
    const a = alerts[0];
    assert.deepEqual([a.layer, Number(a.step), a.dead_experts, a.baseline_dead, a.experts, a.recovered_step], [0, 300, 3, 0, EXPERTS, null]);
    assert.equal(events[0].checkpointId, checkpointIds[3]);
    assert.equal(events.length, 1);
  } finally {
    for (const s of stoppers) await s.stop();
  }
});

test('a run whose routing stays balanced raises nothing', async () => {
  const db = fx.db.kysely;
  const { runId, checkpointIds } = await insertRun(db, [0, 100, 200]);
  const { probeSetId, sampleIds } = await insertProbeSet(
    db,
    'code',
    Array.from({ length: 3 }, () => ({ group: null })),
  );
  await setRunProbeSets(db, runId, [probeSetId]);
  const uniform = new Float32Array(LAYERS * EXPERTS).fill(1 / EXPERTS);
  for (const checkpointId of checkpointIds) {
    await insertRouting(
      db,
      checkpointId,
      sampleIds.map((sampleId) => ({ sampleId, layers: LAYERS, experts: EXPERTS, routing: uniform, nll: 1 })),
    );
  }
  // Scores only (no counts): health reads the score mass.
  const h = await fx.service.checkpointRoutingHealth(checkpointIds[0], { probeSet: probeSetId });
  assert.equal(h.basis, 'scores');
  assert.deepEqual(
    h.layers.map((l) => l.deadExperts),
    [0, 0],
  );
  const raised = await checkRunForCollapse(
    { store: fx.service.store, sources: fx.service.sources },
    { alerts: fx.service.routingAlerts, logger: createLogger('health-test', 'silent') },
    runId,
  );
  assert.deepEqual(raised, []);
});

test('two domains that specialize onto different experts are not a collapse, though each alone leaves half idle', async () => {
  const db = fx.db.kysely;
  const { runId, checkpointIds } = await insertRun(db, [0, 100, 200]);
  const math = await insertProbeSet(
    db,
    'math',
    Array.from({ length: 3 }, () => ({ group: null })),
  );
  const code = await insertProbeSet(
    db,
    'code',
    Array.from({ length: 3 }, () => ({ group: null })),
  );
  await setRunProbeSets(db, runId, [math.probeSetId, code.probeSetId]);
  const uniform = new Float32Array(LAYERS * EXPERTS).fill(1 / EXPERTS);
  const half = (experts: readonly number[]) => {
    const c = new Float32Array(LAYERS * EXPERTS);
    for (let l = 0; l < LAYERS; l++) for (const e of experts) c[l * EXPERTS + e] = 4;
    return c;
  };
  for (const [c, checkpointId] of checkpointIds.entries()) {
    const all = [0, 1, 2, 3, 4, 5, 6, 7];
    await insertRouting(
      db,
      checkpointId,
      math.sampleIds.map((sampleId) => ({ sampleId, layers: LAYERS, experts: EXPERTS, routing: uniform, nll: 1, counts: half(c === 0 ? all : [0, 1, 2, 3]) })),
    );
    await insertRouting(
      db,
      checkpointId,
      code.sampleIds.map((sampleId) => ({ sampleId, layers: LAYERS, experts: EXPERTS, routing: uniform, nll: 1, counts: half(c === 0 ? all : [4, 5, 6, 7]) })),
    );
  }
  assert.deepEqual(
    (await fx.service.checkpointRoutingHealth(checkpointIds[2], { domain: 'math' })).layers.map((l) => l.deadExperts),
    [4, 4],
  );
  const together = await fx.service.checkpointRoutingHealth(checkpointIds[2], {});
  assert.deepEqual(
    together.layers.map((l) => l.deadExperts),
    [0, 0],
  );
  assert.equal(together.expectedSamples, 6);
  const raised = await checkRunForCollapse(
    { store: fx.service.store, sources: fx.service.sources },
    { alerts: fx.service.routingAlerts, logger: createLogger('health-test', 'silent') },
    runId,
  );
  assert.deepEqual(raised, []);
});

test('an early transient collapse records when the layer got its experts back', async () => {
  const db = fx.db.kysely;
  const { runId, checkpointIds } = await insertRun(db, [0, 150, 300, 450, 600]);
  const { probeSetId, sampleIds } = await insertProbeSet(
    db,
    'knowledge',
    Array.from({ length: 3 }, () => ({ group: null })),
  );
  await setRunProbeSets(db, runId, [probeSetId]);
  const uniform = new Float32Array(LAYERS * EXPERTS).fill(1 / EXPERTS);
  // Two dead more than at the start still meets the rule (max(2, 8/4)); one does not.
  const deadBy = [[], [2, 3, 4, 5, 6, 7], [6, 7], [7], []];
  for (const [c, checkpointId] of checkpointIds.entries()) {
    await insertRouting(
      db,
      checkpointId,
      sampleIds.map((sampleId) => ({ sampleId, layers: LAYERS, experts: EXPERTS, routing: uniform, nll: 1, counts: counts(deadBy[c]) })),
    );
  }
  const deps = { store: fx.service.store, sources: fx.service.sources };
  const opts = { alerts: fx.service.routingAlerts, logger: createLogger('health-test', 'silent') };
  const raised = await checkRunForCollapse(deps, opts, runId);
  assert.equal(raised.length, 1);
  const [alert] = await fx.service.routingCollapseAlerts(runId);
  assert.deepEqual([Number(alert!.step), alert!.dead_experts, Number(alert!.recovered_step)], [150, 6, 450]);
  assert.deepEqual(await checkRunForCollapse(deps, opts, runId), [], 'judged again: nothing new');
});
