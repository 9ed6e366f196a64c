// The `metrics` schema. Only the metrics service writes these tables.
import type { ColumnType, Generated } from 'kysely';

/** Set by the database default; never written by the application. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;
type Json<T> = ColumnType<T, string, string>;

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** One computation of the pathway metrics for a (checkpoint, probe set) under one parameter set. */
export interface MetricsJobTable {
  id: string;
  checkpoint_id: string;
  probe_set_id: string;
  /** Canonical JSON of the parameters; with the pair it identifies the job (the cache key). */
  params_key: string;
  params: Json<Record<string, unknown>>;
  status: Generated<JobStatus>;
  error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MetricsTables {
  'metrics.metrics_job': MetricsJobTable;
}
