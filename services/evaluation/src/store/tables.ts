// The `evaluation` schema. Only the evaluation service writes these tables.
import type { ColumnType, Generated } from 'kysely';

/** Set by the database default; never written by the application. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;
/** jsonb: written as a JSON string (pg would turn a JS array into a Postgres array), read parsed. */
type Json<T> = ColumnType<T, string, string>;
type JsonOrNull<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** One benchmark task evaluated at one checkpoint (at most one job per pair; re-runs reuse it). */
export interface EvalJobTable {
  id: string;
  checkpoint_id: string;
  task: string;
  status: Generated<JobStatus>;
  /** Items scored so far (of the first `total` documents). */
  done: Generated<number>;
  /** Documents this run evaluates (the dataset size, or `limit`); 0 until a worker has read the data. */
  total: Generated<number>;
  error: string | null;
  /** The validated EvalParams (limit, backend, batch size) of the current run. */
  params: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** How many times the job was queued; the bus job id of run n > 1 is `<id>:<n>`. */
  run: Generated<number>;
  /** Deliveries started across all runs. */
  attempts: Generated<number>;
  /** Documents in the task's dataset (harness n-samples.original). */
  dataset_size: number | null;
  /** The task version the scores were computed with (results JSON "versions"). */
  task_version: string | null;
  /** Human-readable backend description, e.g. `openai http://host/v1 model=x` (results JSON config.model). */
  model: string | null;
  /** The full TaskResult (per group and macro too), written when the job completes. */
  result: JsonOrNull<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** An aggregate score of an evaluation job (lm-evaluation-harness terms: metric, value, stderr). */
export interface EvalScoreTable {
  eval_job_id: string;
  /** `acc`, `acc_norm`, `pass@1`, or `metric,filter` when the filter is not `none` (`exact_match,strict-match`); `_macro` suffix for group averages. */
  metric: string;
  value: number;
  stderr: number | null;
  n: number;
}

/** One scored document of a job: what was asked (by hash), answered, extracted and scored. */
export interface EvalItemTable {
  eval_job_id: string;
  /** Position in the task's dataset, from 0 (`limit` takes the first N). */
  doc_index: number;
  doc_id: string;
  group_name: string | null;
  /** sha256 of the model request (prompt, stops, sampling settings): a changed prompt is re-scored. */
  prompt_hash: string;
  target: string;
  /** The model's answer: `{kind:'generate', completions}` or `{kind:'loglikelihood', results}` or rolling. */
  output: Json<Record<string, unknown>>;
  /** Filtered completions by filter name. */
  extracted: Json<Record<string, string[]>>;
  /** `metric,filter` -> number, or {sum, weight} for ratio metrics. */
  scores: Json<Record<string, number | { sum: number; weight: number }>>;
  /** multiple_choice: {pred, predNorm, gold}. */
  choice: JsonOrNull<{ pred: number; predNorm: number; gold: number }>;
  /** Code tasks: sandbox run summaries by filter name. */
  code_runs: JsonOrNull<Record<string, unknown>>;
  /** The item as one text: question, target delimiter, gold answer (what a sentence-embedding model embeds); null in rows from before it was kept. */
  text: ColumnType<string | null, string | null | undefined, string | null>;
  /** Float32 little-endian: the model's mean final hidden state over the item's text; null when the backend cannot say. */
  embedding: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  /** Min-K%++ of the item's text at this checkpoint (high: likely seen in training); null when not computed. */
  min_k_pp: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
}

/** Read-only view of the inference service's checkpoint table (cross-schema reads are allowed). */
export interface InferenceCheckpointView {
  id: string;
  run_id: string;
  step: number;
  uri: string;
}

/** The run's tokenizer.json, joined onto a checkpoint (null when the run names none). */
export interface EvalCheckpoint extends InferenceCheckpointView {
  tokenizer: string | null;
}

export interface EvaluationTables {
  'evaluation.eval_job': EvalJobTable;
  'evaluation.eval_score': EvalScoreTable;
  'evaluation.eval_item': EvalItemTable;
}

/** What the evaluation store may read: its own tables plus inference.checkpoint. */
export interface EvaluationReadTables extends EvaluationTables {
  'inference_read.checkpoint_v1': InferenceCheckpointView;
  'inference_read.run_v1': { id: string; settings: { tasks: string[] }; tokenizer: string | null };
}
