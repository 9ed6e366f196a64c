// The committed schema/ SDL must match the code, and the subgraphs must compose.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderSchemaFiles } from '@grokwatch/gateway';

const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'schema');

test('committed schema/ matches the code and the supergraph composes', async () => {
  const files = await renderSchemaFiles();
  assert.ok(files['supergraph.graphql']!.includes('join__Graph'), 'composition produced a supergraph');
  for (const [name, text] of Object.entries(files)) {
    const committed = await readFile(join(SCHEMA_DIR, name), 'utf8').catch(() => null);
    assert.ok(committed !== null, `schema/${name} is missing: run npm run schema`);
    assert.equal(committed, text, `schema/${name} drifted from the code: run npm run schema`);
  }
});
