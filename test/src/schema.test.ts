// The committed schema/ SDL must match the code, the subgraphs must compose, and query cost must know every list's size.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSchema, getNamedType, getNullableType, isLeafType, isListType, isObjectType, Kind, parse } from 'graphql';
import { GATEWAY_QUERY_LIMITS, renderSchemaFiles } from '@grokwatch/gateway';
import { MAX_RUN_THRESHOLDS } from '@grokwatch/inference';
import { DEFAULT_DISTANCE_VARIANTS, MAX_REQUESTED_VARIANTS, MAX_RUN_VARIANTS } from '@grokwatch/metrics';
import { MAX_PAGE } from '@grokwatch/service-kit';

const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'schema');

test('committed schema/ matches the code and the supergraph composes', async () => {
  const files = await renderSchemaFiles();
  assert.ok(files['supergraph.graphql'].includes('join__Graph'), 'composition produced a supergraph');
  for (const [name, text] of Object.entries(files)) {
    const committed = await readFile(join(SCHEMA_DIR, name), 'utf8').catch(() => null);
    assert.ok(committed !== null, `schema/${name} is missing: run npm run schema`);
    assert.equal(committed, text, `schema/${name} drifted from the code: run npm run schema`);
  }
});

test('every list of objects in the supergraph is paged or declares the most it holds (query cost charges that)', async () => {
  const schema = buildSchema((await renderSchemaFiles())['supergraph.graphql'], { assumeValidSDL: true });
  const unbounded: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || /^(__|join__|link__)/.test(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type)) || isLeafType(getNamedType(field.type))) continue;
      const paged = field.args.some((a) => a.name === 'limit' && typeof a.defaultValue === 'number' && a.defaultValue <= MAX_PAGE);
      if (!paged && GATEWAY_QUERY_LIMITS.fields[`${type.name}.${field.name}`]?.assumedSize === undefined) unbounded.push(`${type.name}.${field.name}`);
    }
  }
  assert.deepEqual(unbounded, []);
  assert.ok(MAX_RUN_THRESHOLDS * DEFAULT_DISTANCE_VARIANTS.length + MAX_REQUESTED_VARIANTS <= MAX_RUN_VARIANTS, 'Run.metricVariants holds at most MAX_RUN_VARIANTS');
});

test('every type, field, input field and enum value a client sees has a description', async () => {
  const files = await renderSchemaFiles();
  const missing: string[] = [];
  for (const name of ['inference.graphql', 'metrics.graphql', 'evaluation.graphql', 'subscriptions.graphql']) {
    for (const d of parse(files[name]).definitions) {
      if (!('name' in d) || d.name === undefined) continue;
      const type = d.name.value;
      const root = type === 'Query' || type === 'Mutation';
      if (!root && d.kind !== Kind.SCALAR_TYPE_DEFINITION && !('description' in d && d.description)) missing.push(`${name}: type ${type}`);
      const members = 'fields' in d ? d.fields : 'values' in d ? d.values : undefined;
      for (const m of members ?? []) if (!m.description) missing.push(`${name}: ${type}.${m.name.value}`);
    }
  }
  assert.deepEqual(missing, []);
});
