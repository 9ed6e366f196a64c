// Compiles the AssemblyScript distance kernel (assembly/myers-simd.ts) to wasm/myers-simd.wasm and
// records what it was built from in wasm/myers-simd.json (sha256 of source and binary, compiler
// version, flags). The .wasm is committed so that `tsc -b` and the runtime never need the compiler.
//   node libs/pathway/scripts/build-wasm.mjs          rebuild and write both files
//   node libs/pathway/scripts/build-wasm.mjs --check  exit 1 unless the committed files are what the source compiles to
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = 'assembly/myers-simd.ts';
const WASM = 'wasm/myers-simd.wasm';
const MANIFEST = 'wasm/myers-simd.json';
// stub runtime: the kernel never allocates; memory is laid out by src/wasm-kernel.ts.
const FLAGS = ['--enable', 'simd', '--runtime', 'stub', '-O3', '--noAssert'];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function compile() {
  const { default: asc } = await import('assemblyscript/asc');
  const version = createRequire(import.meta.url)('assemblyscript/package.json').version;
  const source = await readFile(root + SOURCE, 'utf8');
  const outputs = {};
  const errors = [];
  const result = await asc.main([SOURCE, '--outFile', WASM, ...FLAGS], {
    readFile: (name) => (name === SOURCE ? source : null),
    writeFile: (name, contents) => {
      outputs[name] = contents;
    },
    listFiles: () => [],
    stdout: { write: () => true },
    stderr: { write: (text) => (errors.push(String(text)), true) },
  });
  if (result.error) throw new Error(`asc failed on ${SOURCE}: ${result.error.message}\n${errors.join('')}`);
  const wasm = outputs[WASM];
  if (!(wasm instanceof Uint8Array)) throw new Error(`asc produced no ${WASM}`);
  const manifest = { source: SOURCE, sourceSha256: sha256(source), wasm: WASM, wasmSha256: sha256(wasm), assemblyscript: version, flags: FLAGS };
  return { wasm, manifest };
}

const { wasm, manifest } = await compile();
const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
if (process.argv.includes('--check')) {
  const committed = await readFile(root + WASM).catch(() => Buffer.alloc(0));
  const committedManifest = await readFile(root + MANIFEST, 'utf8').catch(() => '');
  if (!Buffer.from(wasm).equals(committed) || committedManifest !== manifestText) {
    console.error(`${WASM} or ${MANIFEST} is not what ${SOURCE} compiles to; run node libs/pathway/scripts/build-wasm.mjs`);
    process.exit(1);
  }
  console.log(`${WASM} matches ${SOURCE} (sha256 ${manifest.wasmSha256})`);
} else {
  await writeFile(root + WASM, wasm);
  await writeFile(root + MANIFEST, manifestText);
  console.log(`wrote ${WASM} (${wasm.length} bytes, sha256 ${manifest.wasmSha256}) and ${MANIFEST}`);
}
