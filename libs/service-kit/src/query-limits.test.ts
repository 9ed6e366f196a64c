import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, GraphQLError, Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_QUERY_LIMITS, measureOperation } from './query-limits.js';

function measure(query: string, variables: Record<string, unknown> = {}, schema: GraphQLSchema | null = null) {
  const doc = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    if (d.kind === Kind.OPERATION_DEFINITION) op = d;
  }
  return measureOperation(op!, fragments, DEFAULT_QUERY_LIMITS, variables, schema);
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

const SCHEMA = buildSchema(`
  type Query { runs: [Run!]! run(id: ID!): Run probeSet(id: ID!): ProbeSet }
  type Run { id: ID! name: String tags: [String!]! checkpoints: [Checkpoint!]! }
  type Checkpoint { id: ID! step: Int run: Run! }
  type ProbeSet { samples(limit: Int): [Sample!]! pagedSamples(offset: Int = 0, limit: Int = 100): [Sample!]! }
  type Sample { id: ID! text: String }
`);

const measureWithSchema = (query: string, variables: Record<string, unknown> = {}) => measure(query, variables, SCHEMA);

test('with the schema, a list without a size argument is charged the default page size', () => {
  const n = DEFAULT_QUERY_LIMITS.defaultListSize;
  assert.equal(measureWithSchema('{ runs { name } }').cost, n * 2);
  assert.equal(measureWithSchema('{ run(id: "r") { name checkpoints { step } } }').cost, 1 + 1 + n * 2, 'an object is not multiplied');
  assert.equal(measureWithSchema('{ run(id: "r") { tags } }').cost, 2, 'a list of scalars is one field');
});

test('a page size left out is charged at its declared default', () => {
  assert.equal(measureWithSchema('{ probeSet(id: "p") { pagedSamples { id } } }').cost, 1 + 100 * 2);
  assert.equal(measureWithSchema('{ probeSet(id: "p") { pagedSamples(limit: 5) { id } } }').cost, 1 + 5 * 2);
});

test('a cycle through lists grows per level: the fragment attack of issue 14 is over the limit', () => {
  const n = DEFAULT_QUERY_LIMITS.defaultListSize;
  assert.equal(measureWithSchema('{ runs { checkpoints { run { id } } } }').cost, n * (1 + n * (1 + 1 * 2)));
  const attack = `fragment A on Run { checkpoints { run { checkpoints { run { ...B } } } } }
    fragment B on Run { checkpoints { run { checkpoints { run { checkpoints { run { id } } } } } } }
    { runs { ...A } }`;
  assert.ok(measureWithSchema(attack).cost > DEFAULT_QUERY_LIMITS.maxCost, `cost ${measureWithSchema(attack).cost}`);
  const aliases = '{ a: probeSet(id: "p") { samples(limit: 1000) { text } } b: probeSet(id: "p") { samples(limit: 1000) { text } } }';
  assert.equal(measureWithSchema(aliases).cost, 2 * (1 + 1000 * 2), 'aliases are counted');
});

test('a page size of zero or less, or not an integer, is refused before costing', () => {
  for (const [query, variables] of [
    ['{ probeSet(id: "p") { samples(limit: -100000) { id } } }', {}],
    ['{ probeSet(id: "p") { samples(limit: 0) { id } } }', {}],
    ['query($n: Int) { probeSet(id: "p") { samples(limit: $n) { id } } }', { n: -2e9 }],
    ['query($n: Int) { probeSet(id: "p") { samples(limit: $n) { id } } }', { n: Infinity }],
  ] as const) {
    assert.throws(() => measureWithSchema(query, variables), (err: unknown) => err instanceof GraphQLError && err.extensions.code === 'BAD_USER_INPUT' && /must be a positive integer/.test(err.message), query);
  }
  assert.equal(measureWithSchema('query($n: Int) { probeSet(id: "p") { samples(limit: $n) { id } } }', {}).cost, 1 + DEFAULT_QUERY_LIMITS.defaultListSize * 2, 'an absent variable is the default');
});
