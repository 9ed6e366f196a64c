// The inference schema's read contract: versioned views other services read (metrics, evaluation)
// instead of its tables. A view's columns are its version: changing what one returns means a new
// `_v2` beside it, so a reader is never surprised. store/read-views.test.ts checks the database has
// exactly these; readers declare the columns they use (metrics' read-tables.ts).
import type { ReadViews } from '@grokwatch/db';

export const READ_SCHEMA = 'inference_read';

export const INFERENCE_READ_VIEWS: ReadViews = {
  run_v1: { from: 'run', columns: ['id', 'architecture', 'tokenizer', 'settings'] },
  checkpoint_v1: { from: 'checkpoint', columns: ['id', 'run_id', 'step', 'uri', 'hyperparameters'] },
  probe_set_v1: { from: 'probe_set', columns: ['id', 'name', 'domain', 'sample_count'] },
  sample_v1: { from: 'sample', columns: ['id', 'probe_set_id', 'idx', 'text', 'group_name', 'target_start', 'target_end'] },
  sample_routing_v1: {
    from: 'sample_routing',
    columns: ['checkpoint_id', 'sample_id', 'layers', 'experts', 'routing', 'topk_counts', 'target_routing', 'position_routing', 'embedding', 'nll', 'target_nll', 'min_k_pp'],
  },
  checkpoint_router_v1: { from: 'checkpoint_router', columns: ['checkpoint_id', 'layer', 'experts', 'hidden', 'weights'] },
};
