// The parameters of one pathway-metrics computation (method.md sections 3-5) and their canonical
// form. The canonical form is the cache key (metrics_job.params_key): two requests that differ
// only in spelling (a missing default, a seed given for an exact computation) must map to the
// same job, so every field is always present and the seed is 0 whenever it cannot matter.

export type DistanceUnit = 'char' | 'expert';

/**
 * Which tokens a sample's routing summary g averages: every token (method.md section 2, the
 * default), the target's tokens, or the one token before the target (the prompt's last, which
 * predicts the answer). The last two need probe rows that mark a target.
 */
export type RoutingScope = 'sample' | 'target' | 'position';
export const ROUTING_SCOPES: readonly RoutingScope[] = ['sample', 'target', 'position'];

/**
 * What a sample's routing summary is made of: the router's scores (softmax) averaged over the
 * tokens (method.md section 2, the default), or how often each expert was actually selected (its
 * share of the top-k picks over every token). Routers whose selection is not their scores' top-k
 * (a correction bias that only affects selection) are described by the second; routing ingested
 * from serving engines' routed_experts is the second by construction.
 */
export type RoutingWeights = 'scores' | 'selection';
export const ROUTING_WEIGHTS: readonly RoutingWeights[] = ['scores', 'selection'];

/**
 * Architectures whose router selects with a correction bias its scores do not carry (the DeepSeek-V3
 * family: sigmoid scores + e_score_correction_bias, group-limited): their scores' top-k is not what
 * ran, so their pathways are read from the selections unless a request says otherwise.
 */
export const SELECTION_ROUTED_ARCHITECTURES: ReadonlySet<string> = new Set(['DeepseekV3ForCausalLM', 'Dots1ForCausalLM', 'Glm4MoeForCausalLM']);

/** The routing weights a run's metrics use when a request leaves them out. */
export function defaultRoutingWeights(architecture: string | null | undefined): RoutingWeights {
  return architecture != null && SELECTION_ROUTED_ARCHITECTURES.has(architecture) ? 'selection' : 'scores';
}

/** method.md's defaults with the run's routing weights. */
export function runDefaultParams(architecture: string | null | undefined): MetricsParams {
  return { ...DEFAULT_METRICS_PARAMS, weights: defaultRoutingWeights(architecture) };
}

/** A type alias, not an interface, so a value is also a Record<string, unknown> (the bus payload type). */
export type MetricsParams = {
  /** Pathway threshold tau in (0, 1]. */
  threshold: number;
  unit: DistanceUnit;
  /** Divide each pair distance by the longer sequence's length. */
  normalized: boolean;
  /** null: every pair (exact); M: M uniformly sampled pairs per group and layer, with `seed`. */
  pairs: number | null;
  /** uint32 seed of the pair sampler; 0 when pairs is null. */
  seed: number;
  scope: RoutingScope;
  weights: RoutingWeights;
};

/** method.md defaults: tau 0.7, the paper's raw character-level distance, every pair. */
export const DEFAULT_METRICS_PARAMS: MetricsParams = { threshold: 0.7, unit: 'char', normalized: false, pairs: null, seed: 0, scope: 'sample', weights: 'scores' };

/** A parameter is missing its contract; `field` names it. */
export class MetricsParamsError extends Error {
  override readonly name = 'MetricsParamsError';
  constructor(
    readonly field: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`metrics parameter ${field}: ${problem}`, options);
  }
}

const KNOWN = new Set(Object.keys(DEFAULT_METRICS_PARAMS));

/**
 * Validates raw parameters (a job payload, GraphQL arguments) and returns the canonical form.
 * Absent fields take `defaults` (a run's: runDefaultParams); unknown fields are rejected rather than
 * silently cached apart. Default selection weights give way to scores for a target or position
 * scope, which selections cannot describe.
 */
export function parseMetricsParams(raw: Record<string, unknown> | undefined | null, defaults: MetricsParams = DEFAULT_METRICS_PARAMS): MetricsParams {
  const input = raw ?? {};
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) throw new MetricsParamsError(key, `unknown parameter (known: ${[...KNOWN].join(', ')})`);
  }
  const threshold = input.threshold ?? defaults.threshold;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    throw new MetricsParamsError('threshold', `must be a number in (0, 1], got ${show(threshold)}`);
  }
  const unit = input.unit ?? defaults.unit;
  if (unit !== 'char' && unit !== 'expert') throw new MetricsParamsError('unit', `must be "char" or "expert", got ${show(unit)}`);
  const normalized = input.normalized ?? defaults.normalized;
  if (typeof normalized !== 'boolean') throw new MetricsParamsError('normalized', `must be a boolean, got ${show(normalized)}`);
  const pairs = input.pairs ?? null;
  if (pairs !== null && (typeof pairs !== 'number' || !Number.isSafeInteger(pairs) || pairs < 2)) {
    throw new MetricsParamsError('pairs', `must be null (every pair) or an integer >= 2, got ${show(pairs)}`);
  }
  const seed = input.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new MetricsParamsError('seed', `must be an integer in [0, 2^32), got ${show(seed)}`);
  }
  const scope = input.scope ?? defaults.scope;
  if (typeof scope !== 'string' || !(ROUTING_SCOPES as readonly string[]).includes(scope)) {
    throw new MetricsParamsError('scope', `must be one of ${ROUTING_SCOPES.map((s) => `"${s}"`).join(', ')}, got ${show(scope)}`);
  }
  const weights = input.weights ?? (scope === 'sample' ? defaults.weights : 'scores');
  if (typeof weights !== 'string' || !(ROUTING_WEIGHTS as readonly string[]).includes(weights)) {
    throw new MetricsParamsError('weights', `must be one of ${ROUTING_WEIGHTS.map((w) => `"${w}"`).join(', ')}, got ${show(weights)}`);
  }
  // Selections are counted over every routed token of a sample; there are no span counts.
  if (weights === 'selection' && scope !== 'sample')
    throw new MetricsParamsError('weights', `"selection" needs scope "sample" (selections are counted over the whole sample), got scope ${show(scope)}`);
  return { threshold, unit, normalized, pairs, seed: pairs === null ? 0 : seed, scope: scope as RoutingScope, weights: weights as RoutingWeights };
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
