// Where client-given server paths may point by default: the data folder and the bundled runs.
import { resolve } from 'node:path';
import { fileRoots, type FileRoots } from '@grokwatch/service-kit';

/** models/ of this checkout (the bundled grokking runs). */
export const BUNDLED_MODELS_DIR = resolve(import.meta.dirname, '..', '..', '..', 'models');

/** GROKWATCH_DATA_ROOTS (path-delimiter separated) when set, else the data folder, models/ and `extra`. */
export function dataRoots(env: NodeJS.ProcessEnv, dataDir: string, extra: readonly string[] = []): Promise<FileRoots> {
  return fileRoots(env.GROKWATCH_DATA_ROOTS, [resolve(dataDir), BUNDLED_MODELS_DIR, ...extra]);
}
