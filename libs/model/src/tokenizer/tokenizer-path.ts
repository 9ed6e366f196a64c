// Which tokenizer.json a checkpoint folder is read with. Training loops often save step folders
// without one and keep a single tokenizer for the run, so the run's (or, when asked, the nearest one
// in the folders above) stands in for a missing own file.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Folders above a checkpoint searched by default: a run root above checkpoints/step<N>. */
export const TOKENIZER_SEARCH_PARENTS = 2;

export interface TokenizerPathOptions {
  /** The run's tokenizer.json, used when the checkpoint folder has none of its own. */
  runTokenizer?: string | null;
  /** Then look this many folders up for a tokenizer.json (default 0: do not look). */
  searchParents?: number;
}

/**
 * The checkpoint's own tokenizer.json, else the run's, else the nearest one above within
 * `searchParents` folders. When none exists the own path is returned, so the error names the file a
 * reader looks for first.
 */
export function checkpointTokenizerPath(checkpointDir: string, opts: TokenizerPathOptions = {}): string {
  const own = join(checkpointDir, 'tokenizer.json');
  if (existsSync(own)) return own;
  if (opts.runTokenizer) return opts.runTokenizer;
  let d = checkpointDir;
  for (let i = 0; i < (opts.searchParents ?? 0); i++) {
    d = dirname(d);
    const candidate = join(d, 'tokenizer.json');
    if (existsSync(candidate)) return candidate;
  }
  return own;
}
