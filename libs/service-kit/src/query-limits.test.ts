import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, GraphQLError, Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_QUERY_LIMITS, measureOperation, withFieldCosts, type QueryLimits } from './query-limits.js';

function measure(query: string, variables: Record<string, unknown> = {}, schema: GraphQLSchema | null = null, limits: QueryLimits = DEFAULT_QUERY_LIMITS) {
  const doc = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    if (d.kind === Kind.OPERATION_DEFINITION) op = d;
  }
  return measureOperation(op!, fragments, limits, variables, schema);
}

test('depth counts nested fields, through fragments', () => {
  assert.deepEqual(measure('{ a }'), { depth: 1, cost: 1 });
  assert.equal(measure('{ a { b { c } } }').depth, 3);
  assert.equal(measure('{ a { ...F } } fragment F on T { b { c { d } } }').depth, 4);
  assert.equal(measure('{ a { ... on T { b } } }').depth, 2);
});

test('cost counts objects and top-level fields, multiplied by requested page sizes, literal or variable', () => {
  // 10 objects a, their scalars b and c read from the row
  assert.equal(measure('{ a(limit: 10) { b c } }').cost, 10);
  assert.equal(measure('query($n: Int) { a(first: $n) { b } }', { n: 50 }).cost, 50);
  assert.equal(measure('{ a(limit: 10) { x(limit: 10) { y } } }').cost, 10 * (1 + 10));
  assert.equal(measure('{ a b c }').cost, 3, 'each top-level field is a resolver call');
  assert.equal(measure('{ __typename a }').cost, 1, 'introspection fields are free');
});

test('a fragment cycle does not hang the measurement', () => {
  const m = measure('{ a { ...F } } fragment F on T { b { ...F } }');
  assert.ok(m.depth >= 2);
});

const SCHEMA = buildSchema(`
  type Query { runs: [Run!]! run(id: ID!): Run probeSet(id: ID!): ProbeSet runCount: Int! }
  type Run { id: ID! name: String tags: [String!]! checkpoints: [Checkpoint!]! layers: [Layer!]! checkpointCount: Int! }
  type Checkpoint { id: ID! step: Int run: Run! }
  type Layer { index: Int! }
  type ProbeSet { samples(limit: Int): [Sample!]! pagedSamples(offset: Int = 0, limit: Int = 100): [Sample!]! }
  type Sample { id: ID! text: String }
`);

const LIMITS = withFieldCosts(DEFAULT_QUERY_LIMITS, { 'Run.layers': { assumedSize: 64 }, 'Run.checkpointCount': { weight: 1 } });
const measureWithSchema = (query: string, variables: Record<string, unknown> = {}) => measure(query, variables, SCHEMA, LIMITS);
const N = DEFAULT_QUERY_LIMITS.assumedListSize;

test('with the schema, a list of objects without a size argument is charged its declared size, else assumedListSize', () => {
  assert.equal(measureWithSchema('{ runs { name } }').cost, N);
  assert.equal(measureWithSchema('{ run(id: "r") { name checkpoints { step } } }').cost, 1 + N, 'an object is not multiplied');
  assert.equal(measureWithSchema('{ run(id: "r") { layers { index } } }').cost, 1 + 64, 'a declared size');
  assert.equal(measureWithSchema('{ run(id: "r") { tags } }').cost, 1, 'a list of scalars is one value of its row');
});

test('a scalar whose resolver does I/O costs its declared weight, wherever it is', () => {
  assert.equal(measureWithSchema('{ runCount }').cost, 1);
  assert.equal(measureWithSchema('{ run(id: "r") { a: checkpointCount b: checkpointCount c: checkpointCount } }').cost, 1 + 3, 'aliases are counted');
  assert.equal(measureWithSchema('{ runs { checkpointCount } }').cost, N * (1 + 1));
});

test('a federated entity fetch is charged per representation the gateway sends', () => {
  const schema = buildSchema(`scalar _Any union _Entity = Run type Query { _entities(representations: [_Any!]!): [_Entity]! }
    type Run { id: ID! checkpoints(limit: Int = 100): [Checkpoint!]! } type Checkpoint { id: ID! }`);
  const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Run { checkpoints { id } } } }';
  const reps = Array.from({ length: 7 }, (_, i) => ({ __typename: 'Run', id: `r${i}` }));
  assert.equal(measure(q, { r: reps }, schema).cost, 7 * (1 + 100));
  assert.equal(measure('{ _entities(representations: [{ __typename: "Run", id: "a" }, { __typename: "Run", id: "b" }]) { ... on Run { id } } }', {}, schema).cost, 2);
});

test('a page size left out is charged at its declared default', () => {
  assert.equal(measureWithSchema('{ probeSet(id: "p") { pagedSamples { id } } }').cost, 1 + 100);
  assert.equal(measureWithSchema('{ probeSet(id: "p") { pagedSamples(limit: 5) { id } } }').cost, 1 + 5);
});

test('a cycle through lists grows per level: the fragment attack of issue 14 is over the limit', () => {
  assert.equal(measureWithSchema('{ runs { checkpoints { run { id } } } }').cost, N * (1 + N * (1 + 1)));
  const attack = `fragment A on Run { checkpoints { run { checkpoints { run { ...B } } } } }
    fragment B on Run { checkpoints { run { checkpoints { run { checkpoints { run { id } } } } } } }
    { runs { ...A } }`;
  assert.ok(measureWithSchema(attack).cost > DEFAULT_QUERY_LIMITS.maxCost, `cost ${measureWithSchema(attack).cost}`);
  const aliases = '{ a: probeSet(id: "p") { samples(limit: 1000) { text } } b: probeSet(id: "p") { samples(limit: 1000) { text } } }';
  assert.equal(measureWithSchema(aliases).cost, 2 * (1 + 1000), 'aliases are counted');
});

test('a page size of zero or less, or not an integer, is refused before costing', () => {
  for (const [query, variables] of [
    ['{ probeSet(id: "p") { samples(limit: -100000) { id } } }', {}],
    ['{ probeSet(id: "p") { samples(limit: 0) { id } } }', {}],
    ['query($n: Int) { probeSet(id: "p") { samples(limit: $n) { id } } }', { n: -2e9 }],
    ['query($n: Int) { probeSet(id: "p") { samples(limit: $n) { id } } }', { n: Infinity }],
  ] as const) {
    assert.throws(
      () => measureWithSchema(query, variables),
      (err: unknown) => err instanceof GraphQLError && err.extensions.code === 'BAD_USER_INPUT' && /must be a positive integer/.test(err.message),
      query,
    );
  }
  assert.equal(measureWithSchema('query($n: Int) { probeSet(id: "p") { samples(limit: $n) { id } } }', {}).cost, 1 + N, 'an absent variable is the default');
});
