import { readdir } from 'node:fs/promises';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * Creating a PGlite runs initdb in WebAssembly: 2-5 s of CPU. The first in-memory database's
 * pristine data directory is kept (as a tarball, about 40 MB) and later in-memory databases, and
 * new data directories, start from it instead, in well under a second. A process that never
 * opens an in-memory database never builds the template; existing directories need no initdb.
 */
let pristine: Promise<Blob> | undefined;

export async function createPGlite(dataDir: string | undefined, options: PGliteOptions): Promise<PGlite> {
  const template = await existingTemplate();
  if (template && (dataDir === undefined || (await isEmptyDir(dataDir)))) {
    return PGlite.create({ ...options, dataDir, loadDataDir: template });
  }
  const pglite = await PGlite.create({ ...options, dataDir });
  if (dataDir === undefined && !pristine) {
    // Dumped before anyone writes to it, so the template holds only what initdb made.
    pristine = pglite.dumpDataDir('none');
    await pristine.catch(() => (pristine = undefined));
  }
  return pglite;
}

async function existingTemplate(): Promise<Blob | undefined> {
  return pristine?.catch(() => undefined);
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true; // missing: PGlite creates it
  }
}
