// The optimizer settings a checkpoint folder records: Hugging Face's Trainer writes
// trainer_state.json with a log_history of {step, learning_rate, ...} rows (grokwatch's trainer adds
// weight_decay). The value in effect at a checkpoint is the last one logged at or before its step.
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextUnderRoots, type FileRoots } from '@grokwatch/service-kit';
import type { CheckpointHyperparameters } from '../store/tables.js';

export const TRAINER_STATE_FILE = 'trainer_state.json';
/** A long run's log_history is a few MB; anything far larger is not a trainer state. */
const MAX_BYTES = 32 * 1024 * 1024;

/** Why a trainer_state.json was ignored (the message never quotes the file). */
export class TrainerStateError extends Error {
  override name = 'TrainerStateError';
}

/**
 * null when the folder has no trainer_state.json or it logs neither setting. Read like any client-given
 * path (under the roots, a regular file, size-capped): a FIFO named trainer_state.json cannot block.
 */
export async function readTrainerHyperparameters(roots: FileRoots, checkpointDir: string, step: number): Promise<CheckpointHyperparameters | null> {
  const path = join(checkpointDir, TRAINER_STATE_FILE);
  if ((await lstat(path).catch(() => null)) === null) return null;
  const { text } = await readTextUnderRoots(roots, path, MAX_BYTES, { field: TRAINER_STATE_FILE });
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new TrainerStateError(`${TRAINER_STATE_FILE} is not valid JSON`);
  }
  const history = (state as { log_history?: unknown } | null)?.log_history;
  if (!Array.isArray(history)) throw new TrainerStateError(`${TRAINER_STATE_FILE} has no log_history array`);
  return hyperparametersAt(history, step);
}

/** The last finite, non-negative value of each setting logged at or before `step`. */
export function hyperparametersAt(history: readonly unknown[], step: number): CheckpointHyperparameters | null {
  const latest = { learningRate: { step: -1, value: null as number | null }, weightDecay: { step: -1, value: null as number | null } };
  for (const row of history) {
    if (row === null || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    const at = r.step;
    if (typeof at !== 'number' || !Number.isFinite(at) || at > step) continue;
    for (const [field, key] of [
      ['learningRate', 'learning_rate'],
      ['weightDecay', 'weight_decay'],
    ] as const) {
      const v = r[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && at >= latest[field].step) latest[field] = { step: at, value: v };
    }
  }
  const out = { learningRate: latest.learningRate.value, weightDecay: latest.weightDecay.value };
  return out.learningRate === null && out.weightDecay === null ? null : out;
}
