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
  /** Why some metrics are null although the job completed (e.g. no router matrices: no consistency). */
  note: Generated<string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** Distance statistics of one layer (layerwise column), as stored in JSON. */
export interface StoredDistance {
  mean: number;
  std: number;
  ciLow: number;
  ciHigh: number;
  /** Pairs evaluated. */
  pairs: number;
  /** Pairs in the group (n(n-1)/2). */
  totalPairs: number;
  exact: boolean;
}

/** One layer of a pathway_result row. */
export interface StoredLayer {
  layer: number;
  /** Layer-wise pathway distance; null for a group of fewer than 2 samples. */
  distance: StoredDistance | null;
  effectiveDimension: number;
  /** (d_eff + log(1/delta)) / n for this layer. */
  complexityTerm: number;
  lambda: number;
  /** Bias term with per-sample NLL as labels; null unless every sample has an NLL. */
  bias: number | null;
}

/**
 * The metrics of one group of one job: '*' (every sample of the probe set) or a data group
 * (inference.sample.group_name) with at least 2 samples. Written in the transaction that completes
 * the job, so a job's rows are all there or none is.
 */
export interface PathwayResultTable {
  job_id: string;
  group_name: string;
  samples: number;
  /** method.md 3: mean pair distance over the group; the distance columns are null below 2 samples. */
  distance_mean: number | null;
  distance_std: number | null;
  distance_ci_low: number | null;
  distance_ci_high: number | null;
  distance_pairs: number | null;
  distance_total_pairs: number | null;
  distance_exact: boolean | null;
  /** method.md 4: means over samples with a defined value; null when the checkpoint has no router matrices. */
  consistency: number | null;
  complexity: number | null;
  raw_cosine: number | null;
  /** Samples whose normalized consistency is undefined (largest cosine <= 0 or a zero embedding). */
  undefined_consistency: number | null;
  /** method.md 5: d_eff averaged over layers and the complexity term (d_eff + log(1/delta)) / n, averaged too. */
  effective_dimension: number;
  bound: number;
  /** Bias term with NLL labels, mean over layers; null unless every sample has an NLL. */
  bias: number | null;
  /** Mean per-token training NLL of the samples that have one; null when none has. */
  mean_nll: number | null;
  nll_samples: number;
  /** Mean NLL of the samples' target spans (their answers), over those that mark one; null when none does. */
  mean_target_nll: ColumnType<number | null, number | null | undefined, number | null>;
  target_nll_samples: ColumnType<number, number | undefined, number>;
  /** Mean experts per layer of the group's pathways at this threshold; a raw distance grows with it. */
  pathway_length: ColumnType<number | null, number | null | undefined, number | null>;
  /** Mean entropy of the samples' routing per layer, divided by ln K (1: uniform routing). */
  routing_entropy: ColumnType<number | null, number | null | undefined, number | null>;
  layerwise: Json<StoredLayer[]>;
  created_at: CreatedAt;
}

/**
 * A grokking phase (method.md 3) of a run's probe set: one row per phase, raised only by the
 * pipeline, carrying every signature metric's evidence (grokking/grokking-watch.ts AlertEvidence).
 */
export interface GrokkingAlertTable {
  run_id: string;
  probe_set_id: string;
  domain: string;
  start_step: number;
  end_step: number;
  /** Names of the signature metrics that agreed. */
  agreeing: ColumnType<string[], string, string>;
  evidence: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
}

/** A layer of a run whose routing collapsed over all its probe sets (health/routing-health.ts), reported once. */
export interface RoutingAlertTable {
  run_id: string;
  layer: number;
  step: number;
  checkpoint_id: string;
  dead_experts: number;
  baseline_dead: number;
  experts: number;
  /** The first later settled checkpoint where the layer no longer met the rule; null while it has not. */
  recovered_step: number | null;
  created_at: CreatedAt;
}

/** A metric variant a run asked for on top of its defaults (requestMetrics); computed at every checkpoint. */
export interface RunVariantTable {
  run_id: string;
  /** Canonical JSON of the parameters (as metrics_job.params_key). */
  params_key: string;
  params: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

/**
 * A test item of a run's task (method.md 6): the step t# from which it stays correct, its Min-K%++
 * score and whether the contamination filter dropped it. Rewritten whole per (run, task) by the pipeline.
 */
export interface TestItemTable {
  run_id: string;
  task: string;
  doc_index: number;
  doc_id: string;
  /** The task's data group (e.g. add, sub); null when the task has none. */
  group_name: string | null;
  /** t#: null when the item never generalizes over the evaluated checkpoints. */
  generalized_step: number | null;
  /** Min-K%++ at the score checkpoint (test_group_summary.score_step); null when not computed. */
  min_k_pp: number | null;
  /** Dropped from test groups as likely seen in training. */
  contaminated: boolean;
}

/** The summary of a (run, task)'s test groups: what they were computed from. */
export interface TestGroupSummaryTable {
  run_id: string;
  task: string;
  /** The item score read as correct / incorrect (e.g. acc, exact_match). */
  score_metric: string;
  /** Steps of the evaluated checkpoints t# ranges over, ascending. */
  steps: Json<number[]>;
  /** Checkpoints of the run when computed; steps.length < this while evaluations are outstanding. */
  expected_checkpoints: number;
  items: number;
  generalized: number;
  /** The run's setting at computation time. */
  filter_applied: boolean;
  fraction: number;
  dropped: number;
  /** Items without a Min-K%++ score (kept: they cannot be ranked). */
  unscored: number;
  /** Lowest dropped score; null when nothing was dropped. */
  threshold: number | null;
  /** The checkpoint whose Min-K%++ scores the filter ranks (the last evaluated); null without scores. */
  score_step: number | null;
  /** What the inputs looked like (completed evaluations, settings): unchanged inputs are not recomputed. */
  fingerprint: string;
  computed_at: UpdatedAt;
}

/** A stored pairing of a run's training groups with its test groups for one probe set (groups/group-pairing.ts PairingResult). */
export interface GroupPairingTable {
  run_id: string;
  probe_set_id: string;
  domain: string;
  result: Json<Record<string, unknown>>;
  fingerprint: string;
  computed_at: UpdatedAt;
}

export interface MetricsTables {
  'metrics.test_item': TestItemTable;
  'metrics.test_group_summary': TestGroupSummaryTable;
  'metrics.group_pairing': GroupPairingTable;
  'metrics.grokking_alert': GrokkingAlertTable;
  'metrics.routing_alert': RoutingAlertTable;
  'metrics.run_variant': RunVariantTable;
  'metrics.metrics_job': MetricsJobTable;
  'metrics.pathway_result': PathwayResultTable;
}
