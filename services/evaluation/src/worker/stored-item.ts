// Between the benchmark library's per-item types and eval_item rows.
import { createHash } from 'node:crypto';
import type { ItemResponse, ItemScore, TaskItem } from '@grokwatch/benchmark';
import type { EvalItem, NewEvalItem } from '../store/evaluation-store.js';

/** sha256 of what the model is asked: the prompt(s), stop strings and sampling settings. */
export function promptHash(item: TaskItem): string {
  return createHash('sha256').update(JSON.stringify(item.request)).digest('hex');
}

export function toStoredItem(docIndex: number, hash: string, response: ItemResponse, score: ItemScore, text: string): NewEvalItem {
  return {
    doc_index: docIndex,
    doc_id: score.docId,
    group_name: score.group ?? null,
    prompt_hash: hash,
    target: score.target,
    output: response as unknown as Record<string, unknown>,
    extracted: score.extracted as Record<string, string[]>,
    scores: score.scores as Record<string, number | { sum: number; weight: number }>,
    choice: score.choice ?? null,
    code_runs: (score.codeRuns as Record<string, unknown> | undefined) ?? null,
    text,
    // A (re-)scored item's signals are computed after scoring (eval-worker.ts).
    embedding: null,
    min_k_pp: null,
  };
}

/** The ItemScore an aggregate needs, back from a stored row. */
export function fromStoredItem(row: EvalItem): ItemScore {
  return {
    docId: row.doc_id,
    ...(row.group_name !== null ? { group: row.group_name } : {}),
    target: row.target,
    extracted: row.extracted,
    scores: row.scores,
    ...(row.choice ? { choice: row.choice } : {}),
  };
}
