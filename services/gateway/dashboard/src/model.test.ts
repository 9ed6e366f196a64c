import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phaseAlerts } from './model.js';
import type { GrokkingAlertInfo } from './queries.js';

const alert = (over: Partial<GrokkingAlertInfo>): GrokkingAlertInfo => ({
  probeSetId: 'ps-math', domain: 'math', startStep: 400, endStep: 3200, detectedAt: '2026-01-01T00:00:00Z',
  params: { threshold: 0.7, unit: 'char', normalized: false, pairs: null, seed: 0 }, evidence: { distanceDrop: 0.6 }, ...over,
});

test('one phase found with several distance variants is one alert; other tau and other phases stay apart', () => {
  const alerts = phaseAlerts([
    alert({ params: { threshold: 0.7, unit: 'char', normalized: true }, evidence: { distanceDrop: 0.5 } }),
    alert({}),
    alert({ params: { threshold: 0.5, unit: 'char', normalized: false } }),
    alert({ probeSetId: 'ps-code', domain: 'code', startStep: 200, endStep: 800 }),
    alert({ startStep: 1600, endStep: 6400, params: { threshold: 0.7, unit: 'expert', normalized: true } }),
  ], 0.7);
  assert.deepEqual(alerts.map((a) => [a.domain, a.startStep, a.endStep, a.variants]), [
    ['code', 200, 800, ['distance']],
    ['math', 400, 3200, ['distance', 'normalized distance']],
    ['math', 1600, 6400, ['normalized expert-level distance']],
  ]);
  // The plain distance's evidence is the one shown.
  assert.deepEqual(alerts[1]!.evidence, { distanceDrop: 0.6 });
  assert.deepEqual(phaseAlerts([alert({})], 0.5), []);
});
