// The `metrics` schema. Only the metrics service writes these tables.
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;
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
  created_at: Generated<CreatedAt>;
  updated_at: Generated<UpdatedAt>;
}

export interface MetricsTables {
  'metrics.metrics_job': MetricsJobTable;
}
