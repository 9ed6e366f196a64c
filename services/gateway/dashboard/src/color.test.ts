import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ramp } from './color.js';

test('ramps interpolate between stops and clamp outside [0, 1]', () => {
  const stops = ['#000000', '#ff0080'];
  assert.equal(ramp(stops, 0), '#000000');
  assert.equal(ramp(stops, 1), '#ff0080');
  assert.equal(ramp(stops, 0.5), '#800040');
  assert.equal(ramp(stops, 2), '#ff0080');
  assert.equal(ramp(stops, -1), '#000000');
  assert.equal(ramp(['#000000', '#ffffff', '#000000'], 0.75), '#808080');
  assert.throws(() => ramp(['red', '#000000'], 0.5), /not a #rrggbb colour: red/);
});
