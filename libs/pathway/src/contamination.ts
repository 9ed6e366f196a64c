// method.md §6: contamination filter with Min-K%++ (Zhang et al., 2024). Per token position t of a
// test item, with mu_t and sigma_t^2 the mean and variance of log p(z | x_<t) over z drawn from the
// model's next-token distribution:
//   s_t = (log p(x_t | x_<t) - mu_t) / sigma_t
// The item's score is the mean of its lowest k% of s_t (k default 20%). A HIGH score means the item
// is likely to have been seen in training (its tokens are unusually probable for the model), so the
// filter drops the highest-scored items (default the top 10%).
// Decisions: the lowest k% holds max(1, floor(k * usable positions)) tokens (the reference code
// takes floor, which is 0 for short items); positions with sigma_t^2 = 0 (a one-hot next-token
// distribution) carry no information and are skipped and counted; no usable position -> null score.
// The filter drops floor(fraction * scored items), ties broken towards the lower item index, and
// keeps items whose score is null (they cannot be ranked), reporting how many there were.
import { PathwayError } from './errors.js';
import { assertInRange } from './validate.js';

export interface TokenLogProbs {
  /** log p(x_t | x_<t) of the actual token, per position. */
  readonly logProbs: ArrayLike<number>;
  /** mu_t: mean log-prob under the next-token distribution. */
  readonly means: ArrayLike<number>;
  /** sigma_t^2: variance of the log-prob under the next-token distribution (>= 0). */
  readonly variances: ArrayLike<number>;
}

export interface MinKResult {
  /** Mean of the lowest k% of per-token scores; null when no position is usable. */
  readonly score: number | null;
  /** Tokens averaged. */
  readonly used: number;
  /** Positions skipped for zero variance. */
  readonly skipped: number;
}

export interface ContaminationFilter {
  /** Item indices kept (ascending). */
  readonly keep: readonly number[];
  /** Item indices dropped as likely contaminated (ascending). */
  readonly dropped: readonly number[];
  /** Lowest score among the dropped items; null when none was dropped. */
  readonly threshold: number | null;
  /** Items with a null score (kept). */
  readonly unscored: number;
}

export function minKPlusPlus(item: TokenLogProbs, options: { k?: number; item?: number } = {}): MinKResult {
  const k = options.k ?? 0.2;
  assertInRange(k, 'k', 0, 1, true, false);
  const where = options.item === undefined ? {} : { sample: options.item };
  if (item === null || typeof item !== 'object') throw new PathwayError('must be { logProbs, means, variances }', { argument: 'item', ...where });
  const { logProbs, means, variances } = item;
  const n = logProbs?.length;
  if (typeof n !== 'number' || means?.length !== n || variances?.length !== n) {
    throw new PathwayError(`logProbs, means and variances must have one value per position (got ${n}, ${means?.length}, ${variances?.length})`, {
      argument: 'item',
      ...where,
    });
  }
  const scores: number[] = [];
  let skipped = 0;
  for (let t = 0; t < n; t++) {
    const lp = logProbs[t];
    const mu = means[t];
    const v = variances[t];
    if (!Number.isFinite(lp) || !Number.isFinite(mu) || !Number.isFinite(v)) {
      throw new PathwayError(`position ${t} has logProb ${lp}, mean ${mu}, variance ${v}; all must be finite`, { argument: 'item', ...where, index: t });
    }
    if (v < 0) throw new PathwayError(`variance at position ${t} is negative (${v})`, { argument: 'item', ...where, index: t });
    if (v === 0) {
      skipped += 1;
      continue;
    }
    scores.push((lp - mu) / Math.sqrt(v));
  }
  if (scores.length === 0) return { score: null, used: 0, skipped };
  scores.sort((a, b) => a - b);
  const used = Math.max(1, Math.floor(k * scores.length));
  let sum = 0;
  for (let i = 0; i < used; i++) sum += scores[i];
  return { score: sum / used, used, skipped };
}

/** Drops the `fraction` (default 10%) of items with the highest Min-K%++ score. */
export function filterContaminated(scores: readonly (number | null)[], options: { fraction?: number } = {}): ContaminationFilter {
  const fraction = options.fraction ?? 0.1;
  assertInRange(fraction, 'fraction', 0, 1, false, false);
  if (!Array.isArray(scores)) throw new PathwayError('must be an array of scores', { argument: 'scores' });
  const scored: number[] = [];
  scores.forEach((s, i) => {
    if (s === null) return;
    if (!Number.isFinite(s)) throw new PathwayError(`score is ${String(s)}`, { argument: 'scores', index: i });
    scored.push(i);
  });
  scored.sort((a, b) => scores[b] - scores[a] || a - b);
  const dropCount = Math.floor(fraction * scored.length);
  const droppedSet = new Set(scored.slice(0, dropCount));
  const dropped = [...droppedSet].sort((a, b) => a - b);
  const keep = scores.map((_, i) => i).filter((i) => !droppedSet.has(i));
  const threshold = dropCount === 0 ? null : scores[scored[dropCount - 1]];
  return { keep, dropped, threshold, unscored: scores.length - scored.length };
}
