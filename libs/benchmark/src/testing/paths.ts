import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared datasets, read in place (tests run from the repository root). */
export const DATASETS_DIR = resolve('..', 'shared', 'datasets');

/** The grokking fixture's suites, when another engineer's trainer has produced them. */
export const REAL_SUITES_DIR = resolve('models', 'grokking-moe', 'suites');
export const realSuitesExist = (): boolean => existsSync(REAL_SUITES_DIR);
