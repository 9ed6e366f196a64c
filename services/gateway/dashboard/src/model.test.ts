import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phaseAlerts } from './model.js';
import type { GrokkingAlertInfo } from './queries.js';

const alert = (over: Partial<GrokkingAlertInfo>): GrokkingAlertInfo => ({
  probeSetId: 'ps-math',
  domain: 'math',
  startStep: 400,
  endStep: 1000,
  detectedAt: '2026-01-01T00:00:00Z',
  agreeing: ['consistency'],
  evidence: { threshold: 0.7 },
  ...over,
});

test('alerts are listed by domain, then by step', () => {
  const alerts = phaseAlerts([alert({}), alert({ probeSetId: 'ps-code', domain: 'code', startStep: 200 }), alert({ startStep: 100 })]);
  assert.deepEqual(
    alerts.map((a) => [a.domain, a.startStep]),
    [
      ['code', 200],
      ['math', 100],
      ['math', 400],
    ],
  );
});
