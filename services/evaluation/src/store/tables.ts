// The `evaluation` schema. Only the evaluation service writes these tables.
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** One benchmark task evaluated at one checkpoint. */
export interface EvalJobTable {
  id: string;
  checkpoint_id: string;
  task: string;
  status: Generated<JobStatus>;
  done: Generated<number>;
  total: Generated<number>;
  error: string | null;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<UpdatedAt>;
}

export interface EvaluationTables {
  'evaluation.eval_job': EvalJobTable;
}
