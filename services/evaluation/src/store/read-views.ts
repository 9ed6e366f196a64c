// The evaluation schema's read contract: versioned views other services read (metrics) instead of
// its tables. A view's columns are its version (a change is a new `_v2` beside it);
// store/read-views.test.ts checks the database has exactly these.
import type { ReadViews } from '@grokwatch/db';

export const READ_SCHEMA = 'evaluation_read';

export const EVALUATION_READ_VIEWS: ReadViews = {
  eval_job_v1: { from: 'eval_job', columns: ['id', 'checkpoint_id', 'task', 'status', 'total', 'updated_at'] },
  eval_score_v1: { from: 'eval_score', columns: ['eval_job_id', 'metric', 'value', 'stderr', 'n'] },
  eval_item_v1: { from: 'eval_item', columns: ['eval_job_id', 'doc_index', 'doc_id', 'group_name', 'scores', 'text', 'embedding', 'min_k_pp'] },
};
