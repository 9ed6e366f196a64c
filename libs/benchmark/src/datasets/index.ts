export { loadDataset, LOADER_KINDS, LOADER_SPLITS, type DatasetSpec, type DatasetRoots, type LoaderKind } from './loaders.js';
export { parseJsonl, parseJsonDocument, jsonRows } from './parse.js';
export { readDatasetText } from './read-file.js';
