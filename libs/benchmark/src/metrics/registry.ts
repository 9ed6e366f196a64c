import type { OutputType } from '../output-type.js';

/** How per-item values become one number (see aggregate.ts). */
export type AggregationName = 'mean' | 'bits_per_byte' | 'weighted_perplexity';
export const AGGREGATIONS: readonly AggregationName[] = ['mean', 'bits_per_byte', 'weighted_perplexity'];

export type MetricOptionKind = 'bool' | 'string_list' | 'int_list';

/** A metric as registered: which requests it scores and how it aggregates. */
export interface MetricDef {
  readonly name: string;
  readonly outputTypes: readonly OutputType[];
  readonly aggregation: AggregationName;
  readonly higherIsBetter: boolean;
  /** Extra YAML keys the metric accepts. */
  readonly options: Readonly<Record<string, MetricOptionKind>>;
  readonly description: string;
}

const defs: MetricDef[] = [
  {
    name: 'exact_match',
    outputTypes: ['generate_until'],
    aggregation: 'mean',
    higherIsBetter: true,
    options: { ignore_case: 'bool', ignore_punctuation: 'bool', regexes_to_ignore: 'string_list' },
    description: 'filtered completion == doc_to_target after the ignore rules (mean over samples)',
  },
  {
    name: 'pass_at_k',
    outputTypes: ['generate_until'],
    aggregation: 'mean',
    higherIsBetter: true,
    options: { k: 'int_list' },
    description: 'unbiased pass@k over `repeats` programs run by the CodeExecutor; reported as pass@<k>',
  },
  {
    name: 'acc',
    outputTypes: ['multiple_choice', 'loglikelihood'],
    aggregation: 'mean',
    higherIsBetter: true,
    options: {},
    description: 'multiple_choice: argmax of log-likelihood is the gold choice; loglikelihood: greedy decoding gives the target',
  },
  {
    name: 'acc_norm',
    outputTypes: ['multiple_choice'],
    aggregation: 'mean',
    higherIsBetter: true,
    options: {},
    description: 'argmax of log-likelihood / length of the choice in characters (code points)',
  },
  {
    name: 'bits_per_byte',
    outputTypes: ['loglikelihood', 'loglikelihood_rolling'],
    aggregation: 'bits_per_byte',
    higherIsBetter: false,
    options: {},
    description: 'sum of -log-likelihood (nats) / ln 2 / sum of UTF-8 bytes of the scored text',
  },
  {
    name: 'byte_perplexity',
    outputTypes: ['loglikelihood_rolling'],
    aggregation: 'weighted_perplexity',
    higherIsBetter: false,
    options: {},
    description: 'exp(sum of -log-likelihood / sum of UTF-8 bytes)',
  },
  {
    name: 'word_perplexity',
    outputTypes: ['loglikelihood_rolling'],
    aggregation: 'weighted_perplexity',
    higherIsBetter: false,
    options: {},
    description: 'exp(sum of -log-likelihood / sum of whitespace-separated words)',
  },
];

export const METRICS: ReadonlyMap<string, MetricDef> = new Map(defs.map((d) => [d.name, d]));
