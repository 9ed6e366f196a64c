import type { DatasetSpec } from '../datasets/loaders.js';
import type { FilterPipeline } from '../filters.js';
import type { JsonObject } from '../json.js';
import type { AggregationName } from '../metrics/registry.js';
import type { OutputType } from '../output-type.js';
import type { Template } from '../template/index.js';

/** A validated task, as the scorers use it. Built from YAML by validateTaskConfig. */
export interface TaskConfig {
  readonly task: string;
  readonly version: string | number;
  /** The YAML file that defined it (includes merged in). */
  readonly file: string;
  /** Rendered against each document and put before the few-shot examples (MMLU's subject line). */
  readonly description?: Template;
  readonly dataset: DatasetSpec;
  readonly outputType: OutputType;
  readonly docToText: Template;
  readonly docToTarget: Template;
  /** A list of templates (one per choice), or one template whose value is a list. */
  readonly docToChoice?: Template | readonly Template[];
  /** Stable id of a document (defaults to its file:line); also seeds sampling. */
  readonly docId?: Template;
  /** Per-group results and a macro average over groups (MMLU subjects, suite groups). */
  readonly groupBy?: Template;
  readonly targetDelimiter: string;
  readonly fewshotDelimiter: string;
  readonly numFewshot: number;
  readonly fewshot: FewshotConfig;
  readonly generation: GenerationConfig;
  /** Completions per document (the n of pass@k). */
  readonly repeats: number;
  readonly filters: readonly FilterPipeline[];
  readonly metrics: readonly MetricConfig[];
  readonly code?: CodeConfig;
  /** The merged YAML mapping, exported as the harness's "configs" entry. */
  readonly raw: JsonObject;
}

export type FewshotSampler = 'first_n' | 'seeded' | 'ids';

export interface FewshotConfig {
  readonly sampler: FewshotSampler;
  readonly seed: number;
  /** Exemplar doc ids (doc_id template values) for sampler 'ids', in prompt order. */
  readonly ids?: readonly string[];
  /** Where exemplars come from: a dataset split, or inline samples (harness fewshot_config.samples). */
  readonly source?: DatasetSpec;
  readonly samples?: readonly JsonObject[];
  /** Exemplars must agree with the document on this template's value (MMLU: same subject). */
  readonly matchBy?: Template;
  readonly docToText?: Template;
  readonly docToTarget?: Template;
}

export interface GenerationConfig {
  readonly until: readonly string[];
  readonly maxGenToks: number;
  readonly temperature: number;
  readonly doSample: boolean;
  readonly topP: number;
  readonly seed: number;
}

export interface MetricConfig {
  readonly metric: string;
  readonly aggregation: AggregationName;
  readonly higherIsBetter: boolean;
  readonly ignoreCase: boolean;
  readonly ignorePunctuation: boolean;
  readonly regexesToIgnore: readonly RegExp[];
  /** pass_at_k only. */
  readonly k: readonly number[];
}

export interface CodeConfig {
  /** The full program; its scope is the document's fields plus `completion` (the filtered answer). */
  readonly program: Template;
  readonly timeoutMs: number;
}
