import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbeJsonl, ProbeRowError } from './probe-rows.js';

test('target spans: character offsets, or a prompt/completion pair; none without either', () => {
  const rows = parseProbeJsonl(
    ['{"id": 1, "text": "3 + 5 = 8", "target": [8, 9], "group": "add"}', '{"prompt": "Q: 2+2?\\nA:", "completion": " 4"}', '{"text": "plain pretraining text"}'].join('\n'),
    'probes.jsonl',
  );
  assert.deepEqual(
    rows.map((r) => [r.text, r.target]),
    [
      ['3 + 5 = 8', { start: 8, end: 9 }],
      ['Q: 2+2?\nA: 4', { start: 10, end: 12 }],
      ['plain pretraining text', null],
    ],
  );
  assert.equal(rows[1].text.slice(rows[1].target!.start), ' 4');
  assert.equal(rows[0].meta, null, 'target is a known key, not metadata');
});

test('bad target spans name the line and the rule', () => {
  const cases: [string, RegExp][] = [
    ['{"text": "abc", "target": [2, 2]}', /"target" must be \[start, end\] character offsets with 0 <= start < end <= 3/],
    ['{"text": "abc", "target": [0, 4]}', /<= 3/],
    ['{"text": "abc", "target": [0.5, 2]}', /"target" must be/],
    ['{"text": "abc", "target": "0-2"}', /"target" must be/],
    ['{"prompt": "a", "completion": ""}', /"completion" a non-empty string/],
    ['{"prompt": "a", "completion": "b", "text": "ab"}', /not both/],
  ];
  for (const [line, pattern] of cases) {
    assert.throws(
      () => parseProbeJsonl(`{"text": "ok"}\n${line}`, 'p.jsonl'),
      (err: unknown) => err instanceof ProbeRowError && err.line === 2 && pattern.test(err.message),
      line,
    );
  }
});
