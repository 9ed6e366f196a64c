// `npm run schema`: writes each subgraph's SDL, the composed supergraph and the subscription schema.
import 'reflect-metadata';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderSchemaFiles } from './schema-files.js';

const dir = process.argv[2] ?? 'schema';
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(await renderSchemaFiles())) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote ${join(dir, name)}`);
}
