// Each bundled grokking run replayed as a live training run: its checkpoints appear one by one in a
// watched folder, as a training loop would save them; grokwatch captures, measures and evaluates
// each without a call. Its alerts are exactly the generalization detector applied to the complete
// series read back over GraphQL (every signature metric, the run's other probe sets as controls):
// nothing raised from a series with gaps, nothing missed. Which domains grok, and when, is read from
// the trainer's own log (the run folder's test accuracy at each checkpoint). In the run whose pathways show the paper's signature
// (grokking-clean) every domain that groks is alerted, at or before the checkpoint where its test
// accuracy reaches 90%; the drift run (grokking-moe) must only agree with the detector, which finds
// no phase there (npm run validate, its README).
import assert from 'node:assert/strict';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOnnxCapturer } from '@grokwatch/inference';
import { SIGNATURE } from '@grokwatch/metrics';
import { detectGeneralizationSignal, type SignatureMetric } from '@grokwatch/pathway';
import { createLogger } from '@grokwatch/service-kit';
import { judgeDomain, readRunDir, type RunDir } from '@grokwatch/gateway';
import { dataOf, startPlatform, until, type Platform } from './harness.js';

const MODELS = resolve(join(import.meta.dirname, '..', '..', 'models'));
/** The bundled runs, and whether their pathways show the paper's signature (then every grokking domain must be alerted in time). */
const RUNS = [
  { dir: join(MODELS, 'grokking-clean'), signature: true },
  { dir: join(MODELS, 'grokking-moe'), signature: false },
];

interface Alert {
  domain: string;
  startStep: number;
  endStep: number;
}

interface Cp {
  step: number;
  captureJobs: { status: string }[];
  metricsJobs: { status: string }[];
  evaluationJobs: { status: string }[];
}

for (const { dir: MODEL_DIR, signature: SIGNATURE_RUN } of RUNS)
  describe(`${basename(MODEL_DIR)} replayed as a live run (embedded)`, () => {
    let p: Platform;
    let watchDir: string;
    let run: RunDir;
    let domains: string[];
    /** Every probe set of the run: its domains, then its controls. */
    let probeSets: string[];
    let runId: string;
    let settledAll = false;
    const events: { domain: string; step: number }[] = [];

    before(async () => {
      run = await readRunDir(MODEL_DIR);
      domains = run.domains.map((d) => d.name);
      probeSets = [...run.domains, ...run.controls].map((d) => d.name);
      watchDir = await mkdtemp(join(tmpdir(), 'gw-fixture-'));
      process.env.SUITES_DIR = join(MODEL_DIR, 'suites');
      p = await startPlatform('embedded', { capturer: createOnnxCapturer({ logger: createLogger('test', 'warn') }), watchIntervalMs: 200 });
      await p.withBus((bus) => bus.subscribeEvents('grokking.detected', async (e) => void events.push({ domain: e.domain, step: e.startStep }), { durable: 'fixture-test' }));
      const probeSetIds: string[] = [];
      for (const { name: domain, probes } of [...run.domains, ...run.controls]) {
        probeSetIds.push(
          dataOf(
            await p.gql<{ createProbeSet: { id: string } }>(`mutation($input: CreateProbeSetInput!) { createProbeSet(input: $input) { id } }`, {
              input: { name: `fixture/${domain}`, domain, path: probes },
            }),
          ).createProbeSet.id,
        );
      }
      runId = dataOf(
        await p.gql<{ createRun: { id: string } }>(`mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`, {
          input: {
            name: `${basename(MODEL_DIR)}-replay`,
            architecture: 'OlmoeForCausalLM',
            tokenizer: join(MODEL_DIR, 'tokenizer.json'),
            watchDir,
            probeSetIds,
            tasks: domains.map((d) => `grok_${d}`),
            thresholds: [0.7],
          },
        }),
      ).createRun.id;
    });

    after(async () => {
      await p?.stop();
      if (watchDir) await rm(watchDir, { recursive: true, force: true });
    });

    test('every checkpoint saved into the watched folder is captured, measured and evaluated without a call', async () => {
      const steps = run.steps;
      assert.ok(steps.length >= 20, `the fixture holds ${steps.length} checkpoints`);
      for (const step of steps) {
        // Written the way trainers do: a hidden folder, then one rename.
        const tmp = join(watchDir, `.step${step}.tmp`);
        await cp(join(MODEL_DIR, 'checkpoints', `step${step}`), tmp, { recursive: true });
        await rename(tmp, join(watchDir, `step${step}`));
      }
      const settled = (c: Cp): boolean =>
        c.captureJobs.length === probeSets.length &&
        c.captureJobs.every((j) => j.status === 'completed') &&
        c.metricsJobs.length >= probeSets.length &&
        c.metricsJobs.every((j) => j.status === 'completed') &&
        c.evaluationJobs.length === domains.length &&
        c.evaluationJobs.every((j) => j.status === 'completed');
      let last: Cp[] = [];
      await until(
        'every checkpoint captured, measured and evaluated',
        async () => {
          last = dataOf(
            await p.gql<{ run: { checkpoints: Cp[] } }>(
              `query($id: ID!) { run(id: $id) { checkpoints { step captureJobs { status } metricsJobs { status } evaluationJobs { status } } } }`,
              { id: runId },
            ),
          ).run.checkpoints;
          return last.length === steps.length && last.every(settled) ? last : undefined;
        },
        10 * 60_000,
        () => JSON.stringify(last.filter((c) => !settled(c)).slice(0, 3)),
      );
      settledAll = true;
    });

    test('alerts: exactly the phases the detector finds in the complete series, published on the bus', async (t) => {
      assert.ok(settledAll, 'the replay did not complete');
      const alerts = dataOf(await p.gql<{ run: { grokkingAlerts: Alert[] } }>(`query($id: ID!) { run(id: $id) { grokkingAlerts { domain startStep endStep } } }`, { id: runId }))
        .run.grokkingAlerts;
      t.diagnostic(`alerts: ${JSON.stringify(alerts)}`);
      type Point = { step: number; value: number | null };
      type Series = { points: Point[]; coverage: { complete: boolean } };
      // Stored metric names are upper case; GraphQL spells MetricName in lower case.
      const read = async (domain: string, metric: string, unit: string, normalized: boolean): Promise<Point[]> => {
        const s = dataOf(
          await p.gql<{ run: { metricSeries: Series } }>(
            `query($id: ID!, $d: String, $m: MetricName!, $u: DistanceUnit!, $n: Boolean!) { run(id: $id) {
           metricSeries(domain: $d, metric: $m, unit: $u, normalized: $n) { points { step value } coverage { complete } } } }`,
            { id: runId, d: domain, m: metric.toLowerCase(), u: unit, n: normalized },
          ),
        ).run.metricSeries;
        assert.ok(s.coverage.complete, `${domain} ${metric} ${unit}${normalized ? ' normalized' : ''}: complete`);
        assert.deepEqual(
          s.points.map((x) => x.step),
          run.steps,
          `${domain}: a result at every checkpoint`,
        );
        return s.points;
      };
      const signature = new Map<string, SignatureMetric[]>();
      const losses = new Map<string, (number | null)[]>();
      for (const domain of probeSets) {
        const metrics: SignatureMetric[] = [];
        for (const e of SIGNATURE) {
          const points = await read(domain, e.metric, e.variant.unit, e.variant.normalized);
          metrics.push({ name: e.name, direction: e.direction, family: e.family, values: points.map((x) => x.value) });
        }
        signature.set(domain, metrics);
        losses.set(
          domain,
          (await read(domain, 'TARGET_LOSS', 'char', false)).map((x) => x.value),
        );
      }
      // Control probe sets are judged too: an alert there must also be the detector's.
      for (const domain of probeSets) {
        const controls = probeSets
          .filter((d) => d !== domain)
          .map((d) => ({ name: d, loss: losses.get(d)!, metrics: Object.fromEntries(signature.get(d)!.map((m) => [m.name, m.values])) }));
        const phase = detectGeneralizationSignal({ steps: run.steps, loss: losses.get(domain)!, metrics: signature.get(domain)!, controls });
        // The validation harness's judgement (npm run validate) on the trainer's own test accuracy.
        const verdict = domains.includes(domain)
          ? judgeDomain(
              domain,
              run.steps,
              run.testAccuracy.get(domain) ?? [],
              run.trainAccuracy.get(domain) ?? [],
              alerts.map((a) => ({ ...a, agreeing: [] })),
            )
          : null;
        const judged = verdict ? `memorized ${verdict.memorizedStep}, generalized ${verdict.generalizedStep}, verdict ${verdict.verdict}` : 'control';
        t.diagnostic(`${domain}: ${judged}; phase ${phase ? `${phase.startStep}-${phase.endStep} (${phase.agreeing.join(', ')})` : 'none'}`);
        const got = alerts.filter((a) => a.domain === domain).map((a) => [a.startStep, a.endStep]);
        assert.deepEqual(got, phase ? [[phase.startStep, phase.endStep]] : [], `${domain}: alerts vs the detector on the complete series`);
        if (verdict) {
          assert.notEqual(verdict.verdict, 'false alert', `${domain}: ${JSON.stringify(verdict)}`);
          if (SIGNATURE_RUN && verdict.generalizedStep !== null) assert.equal(verdict.verdict, 'hit', `${domain} groks and is alerted in time: ${JSON.stringify(verdict)}`);
        }
      }
      const expected = new Set(alerts.map((a) => a.domain));
      await until('the grokking.detected events', async () => ([...expected].every((d) => events.some((e) => e.domain === d)) ? true : undefined), 10_000);
      assert.deepEqual(new Set(events.map((e) => e.domain)), expected);
    });
  });
