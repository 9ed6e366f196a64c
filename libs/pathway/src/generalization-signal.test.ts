import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectGeneralizationSignal, SIGNAL_DEFAULTS, type SignalInput, type SignatureMetric } from './generalization-signal.js';
import { SeededRandom } from './prng.js';

const STEPS = [0, 100, 200, 300, 400, 500, 600, 700];

/** The five signature metrics following `move` (0 = before, 1 = generalized) in the paper's direction. */
function signature(move: readonly number[], only?: readonly string[]): SignatureMetric[] {
  const all: SignatureMetric[] = [
    { name: 'dc', direction: -1, family: 'distance', values: move.map((m) => 0.5 - 0.1 * m) },
    { name: 'de', direction: -1, family: 'distance', values: move.map((m) => 0.6 - 0.1 * m) },
    { name: 'cons', direction: 1, family: 'embedding', values: move.map((m) => 0.8 + 0.1 * m) },
    { name: 'cos', direction: 1, family: 'embedding', values: move.map((m) => 0.5 + 0.3 * m) },
    { name: 'deff', direction: -1, family: 'embedding', values: move.map((m) => 7 - 2 * m) },
  ];
  // Metrics not in `only` stay flat (with a wobble too small to be a trend).
  return only === undefined ? all : all.map((m) => (only.includes(m.name) ? m : { ...m, values: m.values.map((_, i) => (m.values[0] as number) + 0.001 * (i % 2)) }));
}

// Memorized at step 200 (loss 0.05 from then on); the signature stays put until step 400, then moves.
const LOSS = [3.4, 1.2, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04];
const MOVE = [0, 0, 0, 0, 0, 0.3, 0.6, 1];

test('hand-worked: the first memorized window over which the signature moves', () => {
  const phase = detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE) });
  // Windows of 4 from the first memorized checkpoint (200): 200..500 is flat; 300..600 has moves
  // 0, 0, 0.3, 0.6: every metric monotone (Spearman 0.95 with the tie), dc 0.5 -> 0.44 (12%); its
  // second differences over the memorized checkpoints 200..600 are 0, 0.03, 0 (median 0: a steady
  // trend does not wobble). (200..500 is flat, and has only 2 second differences to judge from.)
  assert.deepEqual([phase?.startStep, phase?.endStep], [300, 600]);
  assert.deepEqual(phase?.agreeing, ['dc', 'de', 'cons', 'cos', 'deff']);
  const dc = phase!.metrics[0];
  assert.equal(dc.first, 0.5);
  assert.ok(Math.abs((dc.last as number) - 0.44) < 1e-12);
  assert.ok(Math.abs((dc.change as number) - 0.12) < 1e-12, '(0.44 - 0.5) / 0.5 x -1 = 0.12');
  assert.ok(Math.abs((dc.trend as number) - 0.9486832980505138) < 1e-12, 'Spearman of 1,2,3,4 with 3.5,3.5,2,1 (ties averaged)');
  assert.ok((dc.signalToJitter as number) > 1e6, 'no wobble beyond float rounding');
  assert.deepEqual(phase?.loss, { max: 0.05, spread: 0.010000000000000002 });
});

test("a move no larger than the metric's usual checkpoint-to-checkpoint jitter is not a trend", () => {
  // Every metric wobbles by 0.3 of its range between checkpoints, then moves by 0.3 in total.
  const wobble = [0, 0.3, 0, 0.3, 0, 0.1, 0.2, 0.3];
  assert.equal(detectGeneralizationSignal({ steps: STEPS, loss: STEPS.map(() => 0.05), metrics: signature(wobble) }), null);
});

test('an untrained plateau (flat, high loss) raises nothing, whatever the pathways do', () => {
  const flatHigh = STEPS.map((_, i) => 3.4 - 0.01 * i);
  assert.equal(detectGeneralizationSignal({ steps: STEPS, loss: flatHigh, metrics: signature(MOVE) }), null);
});

test('one kind of metric alone, or too few agreeing, raises nothing', () => {
  assert.equal(detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE, ['dc', 'de']) }), null, 'distances only');
  assert.equal(
    detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE, ['cons', 'cos', 'deff']) }, { minAgree: 3 }),
    null,
    'embedding metrics only, even when 3 would do',
  );
  assert.notEqual(detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE, ['dc', 'cos', 'deff']) }, { minAgree: 3 }), null, 'both kinds');
  assert.equal(detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE, ['dc', 'cons', 'cos']) }), null, 'three of five');
  assert.notEqual(detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE, ['dc', 'cons', 'cos', 'deff']) }), null, 'four of five, both kinds');
});

test('a move that a control shares is a drift of the whole model, not this group', () => {
  const mine = signature(MOVE);
  const drift = Object.fromEntries(signature(MOVE.map((m) => m * 0.8)).map((m) => [m.name, m.values]));
  assert.equal(detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: mine, controls: [{ name: 'knowledge', loss: LOSS, metrics: drift }] }), null);
  const still = Object.fromEntries(signature(MOVE.map(() => 0)).map((m) => [m.name, m.values]));
  const phase = detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: mine, controls: [{ name: 'knowledge', loss: LOSS, metrics: still }] });
  assert.equal(phase?.startStep, 300);
  assert.ok(Math.abs(phase?.metrics[0]?.controlChange as number) < 1e-12, 'the control stayed still');
  assert.equal(phase?.metrics[0]?.control, 'knowledge');
});

test('a group the run never learned (high loss) is no control', () => {
  const drift = Object.fromEntries(signature(MOVE).map((m) => [m.name, m.values]));
  const unlearned = STEPS.map(() => 7.5);
  const phase = detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(MOVE), controls: [{ name: 'unseen', loss: unlearned, metrics: drift }] });
  assert.equal(phase?.startStep, 300);
  assert.equal(phase?.metrics[0]?.control, null, 'not consulted');
});

test('a noisy move is not a trend: the change must beat the residual spread twice', () => {
  const zigzag = [0, 0, 0, 0.6, 0.2, 0.9, 0.5, 1];
  assert.equal(detectGeneralizationSignal({ steps: STEPS, loss: LOSS, metrics: signature(zigzag) }), null);
});

test('pure noise: no alert in 2,000 seeded random series of 21 memorized checkpoints', (t) => {
  const rng = new SeededRandom(20261206);
  const u = (): number => rng.nextUint32() / 4294967296;
  const steps = Array.from({ length: 21 }, (_, i) => i * 150);
  let alerts = 0;
  for (let trial = 0; trial < 2000; trial++) {
    const input: SignalInput = {
      steps,
      loss: steps.map(() => 0.05 + 0.02 * u()),
      metrics: signature(steps.map(() => 0)).map((m) => ({ ...m, values: m.values.map((v) => (v as number) * (1 + 0.1 * (u() - 0.5))) })),
    };
    if (detectGeneralizationSignal(input) !== null) alerts++;
  }
  t.diagnostic(`false alerts on pure noise: ${alerts} / 2000 (window ${SIGNAL_DEFAULTS.window}, ${SIGNAL_DEFAULTS.minAgree} of 5 agreeing)`);
  assert.equal(alerts, 0);
});

test('correlated noise (one common factor moving all five metrics together): the false-alert rate is measured', (t) => {
  // The metrics are functions of one routing, so noise need not be independent: here 70% of every
  // metric's noise is one common factor aligned with the signature. Agreement cannot tell that from
  // a signal; the jitter condition is what holds it down.
  const rng = new SeededRandom(11);
  const u = (): number => rng.nextUint32() / 4294967296;
  const steps = Array.from({ length: 21 }, (_, i) => i * 150);
  let alerts = 0;
  const trials = 2000;
  for (let trial = 0; trial < trials; trial++) {
    const common = steps.map(() => u() - 0.5);
    const metrics = signature(steps.map(() => 0)).map((m) => ({
      ...m,
      values: m.values.map((v, i) => (v as number) * (1 + 0.1 * (-0.7 * m.direction * common[i] + 0.3 * (u() - 0.5)))),
    }));
    if (detectGeneralizationSignal({ steps, loss: steps.map(() => 0.05 + 0.02 * u()), metrics }) !== null) alerts++;
  }
  t.diagnostic(`false alerts on correlated noise: ${alerts} / ${trials}`);
  assert.ok(alerts / trials < 0.06, `${alerts} / ${trials}`);
});

test('bad series are refused with the argument named', () => {
  assert.throws(() => detectGeneralizationSignal({ steps: [0, 1, 1], loss: [0, 0, 0], metrics: [] }), /steps must be strictly increasing/);
  assert.throws(() => detectGeneralizationSignal({ steps: [0, 1], loss: [0], metrics: [] }), /loss has 1 values for 2 steps/);
  assert.throws(() => detectGeneralizationSignal({ steps: [0, 1], loss: [0, NaN], metrics: [] }), /loss is NaN/);
  assert.throws(() => detectGeneralizationSignal({ steps: [0, 1], loss: [0, 0], metrics: [] }, { window: 2 }), /window must be an integer >= 3/);
});
