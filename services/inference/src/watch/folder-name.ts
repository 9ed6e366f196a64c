// Checkpoint folder names as training loops write them: `step5000`, `step5000-tokens20B`
// (OLMoE's revisions), `step000100`.

const STEP = /^step(\d+)(?:[-_](?:tokens)?(\d+(?:\.\d+)?)([KMBT]?))?(?:[-_].*)?$/i;
const SCALE: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };

export interface CheckpointFolder {
  step: number;
  tokensSeen: number | null;
}

/** The step (and tokens seen, when the name says) of a checkpoint folder; null for other names. */
export function parseCheckpointFolder(name: string): CheckpointFolder | null {
  const m = STEP.exec(name);
  if (!m) return null;
  const step = Number(m[1]);
  if (!Number.isSafeInteger(step)) return null;
  const tokensSeen = m[2] === undefined ? null : Number(m[2]) * SCALE[(m[3] ?? '').toUpperCase()]!;
  return { step, tokensSeen };
}
