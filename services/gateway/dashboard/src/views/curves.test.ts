import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DomainData, RunView } from '../model.js';
import type { GrokkingAlertInfo, ScheduleChangeInfo } from '../queries.js';
import { scheduleChangeText, verdictText } from './curves.js';

const change: ScheduleChangeInfo = { name: 'learningRate', fromStep: 300, toStep: 450, before: 0.001, after: 0.002 };

// verdictText reads only the run's schedule changes and steps, and the domain's alerts, benchmark and series.
const view = (changes: ScheduleChangeInfo[]): RunView => ({ run: { scheduleChanges: changes }, axis: { steps: [0, 150, 300, 450, 600, 750] } }) as unknown as RunView;
const domain = (alerts: GrokkingAlertInfo[]): DomainData => ({ alerts, benchmark: null, series: null, probeSet: { domain: 'math' } }) as unknown as DomainData;

test('a schedule change in words', () => {
  assert.equal(scheduleChangeText(change), 'learning rate 0.001 → 0.002 between steps 300 and 450');
  assert.match(scheduleChangeText({ ...change, name: 'weightDecay', before: 1, after: 2 }), /^weight decay 1 → 2 between/);
});

test('the verdict names a schedule change: beside a quiet domain, and as a caution on an alert near it', () => {
  assert.match(verdictText(view([change]), domain([])), /The run changed its schedule \(learning rate 0\.001 → 0\.002 between steps 300 and 450\)/);
  assert.doesNotMatch(verdictText(view([]), domain([])), /schedule/);
  const alert: GrokkingAlertInfo = {
    probeSetId: 'p',
    domain: 'math',
    startStep: 450,
    endStep: 750,
    agreeing: ['consistency'],
    detectedAt: '2026-01-01T00:00:00Z',
    evidence: { scheduleChanges: [change] },
  };
  assert.match(verdictText(view([change]), domain([alert])), /Caution: learning rate 0\.001 → 0\.002 between steps 300 and 450, near the signal\.$/);
  assert.doesNotMatch(verdictText(view([change]), domain([{ ...alert, evidence: {} }])), /Caution/, 'an alert far from the change, or stored before schedules existed');
});
