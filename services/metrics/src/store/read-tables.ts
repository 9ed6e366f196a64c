// What the metrics service reads of the schemas other services own, column by column: its contract
// with them, declared here rather than borrowed from their packages (which it does not depend on).
// A column the owner renames or drops breaks these types' queries in metrics' integration tests,
// which run the owners' real migrations.
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
  'inference.run': { id: string; architecture: string; settings: Json<RunSettingsRead> };
  'inference.checkpoint': { id: string; run_id: string; step: number; hyperparameters: Json<Hyperparameters | null> };
  'inference.probe_set': { id: string; name: string; domain: string; sample_count: number };
  'inference.sample': { id: string; probe_set_id: string; idx: number; text: string; group_name: string | null; target_start: number | null };
  'inference.sample_routing': {
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
  'inference.checkpoint_router': { checkpoint_id: string; layer: number; experts: number; hidden: number; weights: Uint8Array };
  'evaluation.eval_job': { id: string; checkpoint_id: string; task: string; status: string; total: number; updated_at: Date };
  'evaluation.eval_score': { eval_job_id: string; metric: string; value: number };
  'evaluation.eval_item': {
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
