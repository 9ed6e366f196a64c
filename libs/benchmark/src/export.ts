import type { TaskResult, MetricResult } from './aggregate.js';
import type { TaskConfig } from './config/types.js';
import type { JsonObject, JsonValue } from './json.js';

export interface HarnessExportEntry {
  readonly config: TaskConfig;
  readonly result: TaskResult;
  /** Documents in the dataset (the harness's n-samples.original); defaults to result.n. */
  readonly datasetSize?: number;
}

export interface HarnessExportMeta {
  /** Free-form description of the model/backend (harness "config.model", "config.model_args"). */
  readonly model?: string;
  readonly modelArgs?: string;
  /** Unix seconds; defaults to now. */
  readonly date?: number;
}

/**
 * The lm-evaluation-harness results JSON layout: results[task]["<metric>,<filter>"] and
 * "<metric>_stderr,<filter>" ("N/A" when not estimable), versions, n-shot, configs,
 * higher_is_better, n-samples, group_subtasks. Grouped tasks (MMLU) also get one entry per
 * group, named <task>_<group>, listed under group_subtasks[task].
 */
export function toHarnessResults(entries: readonly HarnessExportEntry[], meta: HarnessExportMeta = {}): JsonObject {
  const results: JsonObject = {};
  const groupSubtasks: JsonObject = {};
  const configs: JsonObject = {};
  const versions: JsonObject = {};
  const nShot: JsonObject = {};
  const higher: JsonObject = {};
  const nSamples: JsonObject = {};
  for (const { config, result, datasetSize } of entries) {
    const name = result.task;
    results[name] = { alias: name, ...metricEntries([...result.metrics, ...(result.macro ?? [])]) };
    const subtasks: string[] = [];
    for (const g of result.groups ?? []) {
      const sub = `${name}_${slug(g.group)}`;
      subtasks.push(sub);
      results[sub] = { alias: ` - ${g.group}`, ...metricEntries(g.metrics) };
      versions[sub] = result.version;
      nShot[sub] = result.numFewshot;
      nSamples[sub] = { original: g.n, effective: g.n };
    }
    groupSubtasks[name] = subtasks;
    configs[name] = config.raw;
    versions[name] = result.version;
    nShot[name] = result.numFewshot;
    higher[name] = Object.fromEntries([...result.metrics, ...(result.macro ?? [])].map((m) => [m.metric, m.higherIsBetter]));
    nSamples[name] = { original: datasetSize ?? result.n, effective: result.n };
  }
  return {
    results,
    group_subtasks: groupSubtasks,
    configs,
    versions,
    'n-shot': nShot,
    higher_is_better: higher,
    'n-samples': nSamples,
    config: { model: meta.model ?? null, model_args: meta.modelArgs ?? null },
    date: meta.date ?? Math.floor(Date.now() / 1000),
  };
}

function metricEntries(metrics: readonly MetricResult[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const m of metrics) {
    out[`${m.metric},${m.filter}`] = m.value;
    out[`${m.metric}_stderr,${m.filter}`] = m.stderr ?? 'N/A';
  }
  return out;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
