// The `inference` schema, as Kysely sees it. Only the inference service writes these tables.
import type { ColumnType, Generated } from 'kysely';

/** Set by the database default; never written by the application. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export type CheckpointStatus = 'registered' | 'capturing' | 'captured' | 'failed';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** What happens to a run's new checkpoints: capture these probe sets, evaluate these tasks. */
export interface RunSettings {
  probeSetIds: string[];
  tasks: string[];
  /** Pathway thresholds tau the metrics are computed at (method.md section 3). */
  thresholds: number[];
  /** Drop the top 10% of test items by Min-K%++ from test groups (method.md 6); absent in rows from before it existed: on. */
  contaminationFilter?: boolean;
  /** A sentence-embedding model folder (model.onnx + tokenizer.json) that embeds samples and test items for group pairing; absent or null: the capture's mean final hidden state. */
  embeddingModel?: string | null;
}

export interface RunTable {
  id: string;
  name: string;
  architecture: string;
  tokenizer: string | null;
  /** A folder the service watches for new `step<N>*` checkpoint folders. */
  watch_dir: ColumnType<string | null, string | null | undefined, string | null>;
  settings: ColumnType<RunSettings, string | undefined, string>;
  created_at: CreatedAt;
}

export interface CheckpointTable {
  id: string;
  run_id: string;
  step: number;
  tokens_seen: number | null;
  uri: string;
  status: Generated<CheckpointStatus>;
  /** Learning rate and weight decay in effect at the checkpoint, when the trainer reported them. */
  hyperparameters: ColumnType<CheckpointHyperparameters | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface CheckpointHyperparameters {
  learningRate: number | null;
  weightDecay: number | null;
}

export interface ProbeSetTable {
  id: string;
  name: string;
  domain: string;
  source: string;
  sample_count: number;
  created_at: CreatedAt;
}

export interface SampleTable {
  id: string;
  probe_set_id: string;
  idx: number;
  external_id: string | null;
  text: string;
  group_name: string | null;
  meta: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** Characters [target_start, target_end) of text are the target (the answer); null: no target. */
  target_start: ColumnType<number | null, number | null | undefined, number | null>;
  target_end: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CaptureJobTable {
  id: string;
  checkpoint_id: string;
  probe_set_id: string;
  status: Generated<JobStatus>;
  done: Generated<number>;
  total: number;
  attempts: Generated<number>;
  error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One row per (checkpoint, sample): the method's per-sample routing summary (method.md section 2). */
export interface SampleRoutingTable {
  checkpoint_id: string;
  sample_id: string;
  /** Null for routing ingested from outside (see ingestRouting). */
  capture_job_id: string | null;
  layers: number;
  experts: number;
  /** Float32 little-endian, layers x experts row-major: token-mean router softmax. */
  routing: Uint8Array;
  /** Float32: per-layer top-k selection counts, layers x experts. */
  topk_counts: Uint8Array | null;
  /** Float32: mean final hidden state. */
  embedding: Uint8Array | null;
  /** Per-token mean negative log-likelihood of the next token (null if an external capture gave none). */
  nll: number | null;
  token_count: number | null;
  /** Min-K%++ statistic (method.md section 6), when the capture computed it. */
  min_k_pp: number | null;
  /** Mean NLL of the sample's target tokens (its answer), when the sample has a target. */
  target_nll: ColumnType<number | null, number | null | undefined, number | null>;
  /** Float32 L x K: the routing mean over the target's tokens (null without a target). */
  target_routing: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  /** Float32 L x K: the router softmax at the token before the target, the one that predicts it. */
  position_routing: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  created_at: CreatedAt;
}

/** Router weight matrix W_l (experts x hidden) of one layer: the expert embeddings of method.md section 4. */
export interface CheckpointRouterTable {
  checkpoint_id: string;
  layer: number;
  experts: number;
  hidden: number;
  /** Float32 little-endian, experts x hidden row-major. */
  weights: Uint8Array;
}

export interface InferenceTables {
  'inference.run': RunTable;
  'inference.checkpoint': CheckpointTable;
  'inference.probe_set': ProbeSetTable;
  'inference.sample': SampleTable;
  'inference.capture_job': CaptureJobTable;
  'inference.sample_routing': SampleRoutingTable;
  'inference.checkpoint_router': CheckpointRouterTable;
}
