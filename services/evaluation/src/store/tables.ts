// The `evaluation` schema. Only the evaluation service writes these tables.
import type { ColumnType, Generated } from 'kysely';

/** Set by the database default; never written by the application. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

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
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EvaluationTables {
  'evaluation.eval_job': EvalJobTable;
}
