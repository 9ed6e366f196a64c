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

/** An aggregate score of an evaluation job (lm-evaluation-harness terms: metric, value, stderr). */
export interface EvalScoreTable {
  eval_job_id: string;
  /** e.g. `acc`, `acc_norm`, `exact_match,strict-match`, `pass@1`. */
  metric: string;
  value: number;
  stderr: number | null;
  n: number;
}

export interface EvaluationTables {
  'evaluation.eval_job': EvalJobTable;
  'evaluation.eval_score': EvalScoreTable;
}
