import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_QUERY_LIMITS, measureOperation } from './query-limits.js';

function measure(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    if (d.kind === Kind.OPERATION_DEFINITION) op = d;
  }
  return measureOperation(op!, fragments, DEFAULT_QUERY_LIMITS, variables);
}

test('depth counts nested fields, through fragments', () => {
  assert.deepEqual(measure('{ a }'), { depth: 1, cost: 1 });
  assert.equal(measure('{ a { b { c } } }').depth, 3);
  assert.equal(measure('{ a { ...F } } fragment F on T { b { c { d } } }').depth, 4);
  assert.equal(measure('{ a { ... on T { b } } }').depth, 2);
});

test('cost multiplies by requested page sizes, literal or variable', () => {
  // a (1) + 10 x (b (1) + c (1)) with b, c inside the page
  assert.equal(measure('{ a(limit: 10) { b c } }').cost, 10 * 3);
  assert.equal(measure('query($n: Int) { a(first: $n) { b } }', { n: 50 }).cost, 50 * 2);
  assert.equal(measure('{ a(limit: 10) { x(limit: 10) { y } } }').cost, 10 * (1 + 10 * 2));
  assert.equal(measure('{ __typename a }').cost, 1, 'introspection fields are free');
});

test('a fragment cycle does not hang the measurement', () => {
  const m = measure('{ a { ...F } } fragment F on T { b { ...F } }');
  assert.ok(m.depth >= 2);
});
