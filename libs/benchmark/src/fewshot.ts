import type { TaskConfig } from './config/types.js';
import { formatOrigin, type Doc } from './doc.js';
import { BenchmarkError } from './errors.js';
import { mulberry32, sampleIndices, seedFor } from './rng.js';
import { choicesOf, docIdOf, goldIndex } from './task-doc.js';
import { renderTemplate } from './template/index.js';

/** Inline `fewshot_config.samples` as documents. */
export function inlineFewshotDocs(task: TaskConfig): Doc[] {
  return (task.fewshot.samples ?? []).map((data, i) => ({ data, origin: { file: task.file, key: `fewshot_config.samples[${i}]` } }));
}

/**
 * The few-shot exemplars for one document, in prompt order.
 * - first_n: the first num_fewshot of the pool (after match_by), the harness's first_n sampler;
 * - seeded: a per-document sample drawn with seed (task seed, doc id): reproducible and
 *   independent of evaluation order, but not the same draw as the harness's Python RNG;
 * - ids: the exemplars whose doc_id is listed, in the listed order.
 * The document itself is never its own exemplar (when pool and test split coincide).
 */
export function selectExemplars(task: TaskConfig, doc: Doc, pool: readonly Doc[]): Doc[] {
  const num = task.numFewshot;
  if (num === 0) return [];
  const self = formatOrigin(doc.origin);
  let candidates = pool.filter((d) => formatOrigin(d.origin) !== self);
  let scope = '';
  if (task.fewshot.matchBy) {
    const key = renderTemplate(task.fewshot.matchBy, doc.data, self);
    scope = ` with match_by '${key}'`;
    candidates = candidates.filter((d) => renderTemplate(task.fewshot.matchBy!, d.data, formatOrigin(d.origin)) === key);
  }
  let chosen: Doc[];
  switch (task.fewshot.sampler) {
    case 'first_n':
      chosen = candidates.slice(0, num);
      break;
    case 'seeded': {
      const rand = mulberry32(seedFor(task.fewshot.seed, docIdOf(task, doc)));
      chosen = sampleIndices(candidates.length, num, rand).map((i) => candidates[i]);
      break;
    }
    case 'ids': {
      const byId = new Map(candidates.map((d) => [docIdOf(task, d), d]));
      chosen = (task.fewshot.ids ?? [])
        .map((id) => byId.get(id))
        .filter((d): d is Doc => d !== undefined)
        .slice(0, num);
      break;
    }
  }
  if (chosen.length < num) {
    throw new BenchmarkError(`task ${task.task}: ${num} few-shot examples needed for ${self}${scope}, only ${chosen.length} available`);
  }
  return chosen;
}

/** The text an exemplar's answer shows: fewshot doc_to_target, else the gold choice or target. */
export function exemplarTarget(task: TaskConfig, ex: Doc): string {
  const where = formatOrigin(ex.origin);
  if (task.fewshot.docToTarget) return renderTemplate(task.fewshot.docToTarget, ex.data, where);
  if (task.outputType === 'multiple_choice') {
    const choices = choicesOf(task, ex);
    return choices[goldIndex(task, ex, choices)];
  }
  return renderTemplate(task.docToTarget, ex.data, where);
}
