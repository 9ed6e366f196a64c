import type { TaskConfig } from './config/types.js';
import { formatOrigin, type Doc } from './doc.js';
import { ScoringError } from './errors.js';
import type { CodeExecutor } from './executor.js';
import { applyFilters } from './filters.js';
import type { LoglikelihoodResult } from './model.js';
import { exactMatch } from './metrics/exact-match.js';
import { multipleChoiceScores } from './metrics/multiple-choice.js';
import { passAtK } from './metrics/pass-at-k.js';
import { utf8Bytes, wordCount } from './metrics/text-units.js';
import { choicesOf, docIdOf, goldIndex, groupOf, targetText } from './task-doc.js';
import { renderTemplate } from './template/index.js';

/** The model's answer to one document's ItemRequest. */
export type ItemResponse =
  | { readonly kind: 'generate'; readonly completions: readonly string[] }
  | { readonly kind: 'loglikelihood'; readonly results: readonly LoglikelihoodResult[] }
  | { readonly kind: 'loglikelihood_rolling'; readonly logprob: number };

/** A per-item metric value: a plain number (mean aggregation) or a ratio's parts (bits per byte, perplexity). */
export type ItemValue = number | { readonly sum: number; readonly weight: number };

export interface CodeRunSummary {
  readonly passed: boolean;
  readonly timedOut: boolean;
  readonly exitCode: number | null;
  /** Last lines of stderr, for debugging failed programs. */
  readonly stderrTail: string;
}

export interface ItemScore {
  readonly docId: string;
  readonly group?: string;
  /** doc_to_target as text. */
  readonly target: string;
  /** Filtered completions by filter name (generate_until). */
  readonly extracted: Readonly<Record<string, readonly string[]>>;
  /** `metric,filter` -> value, the harness's result keys. */
  readonly scores: Readonly<Record<string, ItemValue>>;
  /** multiple_choice: chosen indices and the gold one. */
  readonly choice?: { readonly pred: number; readonly predNorm: number; readonly gold: number };
  /** Code tasks: one run per completion, by filter name. */
  readonly codeRuns?: Readonly<Record<string, readonly CodeRunSummary[]>>;
}

export interface ScoreOptions {
  /** Required by tasks with a pass_at_k metric. */
  readonly executor?: CodeExecutor;
}

/** Scores one document from the model's response, applying the task's filters and metrics. */
export async function scoreItem(task: TaskConfig, doc: Doc, response: ItemResponse, opts: ScoreOptions = {}): Promise<ItemScore> {
  const docId = docIdOf(task, doc);
  const fail = (detail: string): never => {
    throw new ScoringError(task.task, docId, detail);
  };
  const base = { docId, group: groupOf(task, doc), target: targetText(task, doc) };
  switch (task.outputType) {
    case 'generate_until': {
      if (response.kind !== 'generate') return fail(`expected completions, got a ${response.kind} response`);
      if (response.completions.length !== task.repeats) {
        fail(`expected ${task.repeats} completion(s), got ${response.completions.length}`);
      }
      return scoreGeneration(task, doc, base, response.completions, opts, fail);
    }
    case 'multiple_choice': {
      if (response.kind !== 'loglikelihood') return fail(`expected log-likelihoods, got a ${response.kind} response`);
      const choices = choicesOf(task, doc);
      if (response.results.length !== choices.length) fail(`${response.results.length} log-likelihoods for ${choices.length} choices`);
      const lls = response.results.map((r) => checkedLogprob(r.logprob, fail));
      for (const c of choices) if (c.length === 0) fail('a choice is empty: acc_norm would divide by zero');
      const gold = goldIndex(task, doc, choices);
      const mc = multipleChoiceScores(lls, choices, gold);
      const scores: Record<string, ItemValue> = {};
      for (const m of task.metrics) scores[`${m.metric},none`] = m.metric === 'acc' ? mc.acc : mc.accNorm;
      return { ...base, extracted: {}, scores, choice: { pred: mc.pred, predNorm: mc.predNorm, gold } };
    }
    case 'loglikelihood': {
      if (response.kind !== 'loglikelihood' || response.results.length !== 1) return fail('expected exactly one log-likelihood');
      const r = response.results[0];
      const ll = checkedLogprob(r.logprob, fail);
      const bytes = utf8Bytes(task.targetDelimiter + base.target);
      if (bytes === 0) fail('the scored continuation is empty');
      const scores: Record<string, ItemValue> = {};
      for (const m of task.metrics) {
        scores[`${m.metric},none`] = m.metric === 'acc' ? (r.isGreedy ? 1 : 0) : { sum: -ll, weight: bytes };
      }
      return { ...base, extracted: {}, scores };
    }
    case 'loglikelihood_rolling': {
      if (response.kind !== 'loglikelihood_rolling') return fail(`expected a rolling log-likelihood, got a ${response.kind} response`);
      const ll = checkedLogprob(response.logprob, fail);
      const scores: Record<string, ItemValue> = {};
      for (const m of task.metrics) {
        const weight = m.metric === 'word_perplexity' ? wordCount(base.target) : utf8Bytes(base.target);
        scores[`${m.metric},none`] = { sum: -ll, weight };
      }
      return { ...base, extracted: {}, scores };
    }
  }
}

function checkedLogprob(x: number, fail: (d: string) => never): number {
  if (typeof x !== 'number' || Number.isNaN(x) || x > 1e-6) fail(`log-probability must be <= 0, got ${x}`);
  return Math.min(x, 0);
}

/** Cuts a completion before the first stop sequence (backends may overshoot). */
export function truncateAtStop(text: string, until: readonly string[]): string {
  let end = text.length;
  for (const u of until) {
    const at = text.indexOf(u);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

async function scoreGeneration(
  task: TaskConfig,
  doc: Doc,
  base: { docId: string; group?: string; target: string },
  completions: readonly string[],
  opts: ScoreOptions,
  fail: (d: string) => never,
): Promise<ItemScore> {
  const cut = completions.map((c) => truncateAtStop(c, task.generation.until));
  const extracted: Record<string, string[]> = {};
  const scores: Record<string, ItemValue> = {};
  const codeRuns: Record<string, CodeRunSummary[]> = {};
  for (const pipeline of task.filters) {
    const outs = applyFilters(pipeline, cut);
    extracted[pipeline.name] = outs;
    if (outs.length === 0) fail(`filter '${pipeline.name}' left no completion`);
    for (const m of task.metrics) {
      if (m.metric === 'exact_match') {
        const hits = outs.map((o) => exactMatch(o, base.target, m));
        scores[`exact_match,${pipeline.name}`] = hits.reduce((a, b) => a + b, 0) / hits.length;
      } else if (m.metric === 'pass_at_k') {
        const runs = await runPrograms(task, doc, outs, opts, fail);
        codeRuns[pipeline.name] = runs;
        const c = runs.filter((r) => r.passed).length;
        for (const k of m.k) {
          if (k > outs.length) fail(`pass@${k} needs ${k} completions, filter '${pipeline.name}' left ${outs.length}`);
          scores[`pass@${k},${pipeline.name}`] = passAtK(outs.length, c, k);
        }
      }
    }
  }
  return { ...base, extracted, scores, ...(Object.keys(codeRuns).length > 0 ? { codeRuns } : {}) };
}

async function runPrograms(task: TaskConfig, doc: Doc, completions: readonly string[], opts: ScoreOptions, fail: (d: string) => never): Promise<CodeRunSummary[]> {
  const code = task.code ?? fail('pass_at_k without a code block');
  const executor = opts.executor ?? fail('this task runs code: pass a CodeExecutor (e.g. @grokwatch/sandbox SandboxPool)');
  if (Object.hasOwn(doc.data, 'completion')) fail("the document has a field 'completion', which the program template reserves");
  const where = formatOrigin(doc.origin);
  const programs = completions.map((completion) => renderTemplate(code.program, { ...doc.data, completion }, where));
  const results = await Promise.all(programs.map((p) => executor.run(p, { timeoutMs: code.timeoutMs })));
  return results.map((r) => ({
    passed: r.passed,
    timedOut: r.timedOut,
    exitCode: r.exitCode,
    stderrTail: r.stderr.split('\n').slice(-6).join('\n'),
  }));
}
