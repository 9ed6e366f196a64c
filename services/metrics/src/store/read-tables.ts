// What the metrics service reads of other services' data: their published read views
// (inference_read.*_v1, evaluation_read.*_v1, each owner's store/read-views.ts, checked there), with
// the columns metrics uses, declared here rather than borrowed from their packages (which it does not
// depend on).
import type { ColumnType } from 'kysely';
import type { Hyperparameters } from '@grokwatch/pathway';

type Json<T> = ColumnType<T, string, string>;

/** inference.run.settings, as far as metrics reads it. */
export interface RunSettingsRead {
  probeSetIds: string[];
  tasks: string[];
  thresholds: number[];
  contaminationFilter?: boolean;
  embeddingModel?: string | null;
}

export interface MetricsReadTables {
  'inference_read.run_v1': { id: string; architecture: string; settings: Json<RunSettingsRead> };
  'inference_read.checkpoint_v1': { id: string; run_id: string; step: number; hyperparameters: Json<Hyperparameters | null> };
  'inference_read.probe_set_v1': { id: string; name: string; domain: string; sample_count: number };
  'inference_read.sample_v1': { id: string; probe_set_id: string; idx: number; text: string; group_name: string | null; target_start: number | null };
  'inference_read.sample_routing_v1': {
    checkpoint_id: string;
    sample_id: string;
    layers: number;
    experts: number;
    routing: Uint8Array;
    topk_counts: Uint8Array | null;
    target_routing: Uint8Array | null;
    position_routing: Uint8Array | null;
    embedding: Uint8Array | null;
    nll: number | null;
    target_nll: number | null;
  };
  'inference_read.checkpoint_router_v1': { checkpoint_id: string; layer: number; experts: number; hidden: number; weights: Uint8Array };
  'evaluation_read.eval_job_v1': { id: string; checkpoint_id: string; task: string; status: string; total: number; updated_at: Date };
  'evaluation_read.eval_score_v1': { eval_job_id: string; metric: string; value: number };
  'evaluation_read.eval_item_v1': {
    eval_job_id: string;
    doc_index: number;
    doc_id: string;
    group_name: string | null;
    scores: Json<Record<string, unknown>>;
    text: string | null;
    embedding: Uint8Array | null;
    min_k_pp: number | null;
  };
}
