// Arguments of the metric queries. Defaults are method.md's; rules (ranges, existence) are checked
// by the use cases, which answer BAD_USER_INPUT / NOT_FOUND.
import { ArgsType, Field, Float, ID, Int } from 'type-graphql';
import { DistanceUnitValue, MemorizationLossValue, MetricNameValue, RoutingScopeValue, RoutingWeightsValue } from './metric-types.js';

@ArgsType()
export class ResultArgs {
  @Field(() => ID, { nullable: true, description: 'The probe set; may be left out when the domain has only one.' })
  probeSet?: string | null;
  @Field(() => String, { nullable: true, description: 'Domain of the probe set (inference ProbeSet.domain).' })
  domain?: string | null;
  @Field(() => Float, { defaultValue: 0.7, description: 'Pathway threshold tau in (0, 1].' })
  threshold!: number;
  @Field(() => DistanceUnitValue, { defaultValue: DistanceUnitValue.char })
  unit!: DistanceUnitValue;
  @Field({ defaultValue: false, description: 'Divide each distance by the longer pathway length.' })
  normalized!: boolean;
  @Field(() => RoutingScopeValue, {
    defaultValue: RoutingScopeValue.sample,
    description: "Tokens the routing summary averages: every token, the target's, or the position before it.",
  })
  scope!: RoutingScopeValue;
  @Field(() => RoutingWeightsValue, {
    nullable: true,
    description:
      "Router scores averaged over the tokens, or each expert's share of the selections. Left out: the run's, which is selection for routers that select with a correction bias (DeepSeek-V3 family: DeepseekV3ForCausalLM, Dots1ForCausalLM, Glm4MoeForCausalLM) and scores otherwise; always scores with a target or position scope.",
  })
  weights?: RoutingWeightsValue | null;
  @Field(() => Int, { nullable: true, description: 'Sample this many pairs per group (>= 2); null: every pair, exact.' })
  pairs?: number | null;
  @Field(() => Int, { defaultValue: 0, description: 'Seed of the pair sampler (only used with pairs).' })
  seed!: number;
  @Field({ defaultValue: false, description: 'Every pair even on a probe set too large for that by default (then 100,000 pairs are sampled).' })
  exact!: boolean;
  @Field({ defaultValue: '*', description: '"*" for every sample of the probe set, or a data group with at least 2 samples.' })
  group!: string;
}

@ArgsType()
export class RoutingHealthArgs {
  @Field(() => ID, { nullable: true, description: "One probe set's tokens; with neither this nor domain, every probe set of the run together (what collapse is judged on)." })
  probeSet?: string | null;
  @Field(() => String, { nullable: true, description: 'Domain of the probe set (inference ProbeSet.domain).' })
  domain?: string | null;
}

@ArgsType()
export class RunRoutingHealthArgs extends RoutingHealthArgs {
  @Field(() => Int, { defaultValue: 0, description: 'Checkpoints to skip, by ascending step.' }) offset!: number;
  @Field(() => Int, { defaultValue: 20, description: 'Checkpoints in this page.' }) limit!: number;
}

@ArgsType()
export class MetricSeriesArgs extends ResultArgs {
  @Field(() => MetricNameValue) metric!: MetricNameValue;
}

@ArgsType()
export class CorrelationArgs extends ResultArgs {
  @Field(() => MetricNameValue) metric!: MetricNameValue;
  @Field({ description: 'Evaluation task whose score is the accuracy, e.g. gsm8k.' }) benchmark!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Score of the task (e.g. acc); left out: the accuracy-like one (acc, exact_match, pass@1, ...; per-group _macro means last).',
  })
  benchmarkMetric?: string | null;
  @Field({ defaultValue: false, description: "Only checkpoints from the start of accuracy's sustained rise." })
  afterRise!: boolean;
}

@ArgsType()
export class MemorizationArgs {
  @Field(() => ID, { nullable: true }) probeSet?: string | null;
  @Field(() => String, { nullable: true }) domain?: string | null;
  @Field(() => Float, { nullable: true, description: 'NLL threshold (> 0); left out: calibrated on a 0.1 grid.' }) eps?: number | null;
  @Field(() => Float, { defaultValue: 0.05, description: 'Allowed distance from the final NLL.' }) delta!: number;
  @Field(() => MemorizationLossValue, {
    nullable: true,
    description: 'NLL judged: target (the answer span) or sample (every token); left out: target when every sample marks one.',
  })
  loss?: MemorizationLossValue | null;
}
