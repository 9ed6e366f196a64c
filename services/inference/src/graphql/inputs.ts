import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'What happens to the run\'s new checkpoints. Fields left out keep their value.' })
export class RunSettingsInput {
  @Field(() => String, { nullable: true, description: 'Folder watched for new step<N>* checkpoint folders; null stops watching.' })
  watchDir?: string | null;
  @Field(() => String, { nullable: true, description: "The run's tokenizer.json, read for checkpoint folders without their own (null clears it; left out keeps it). Without one, a folder's own tokenizer.json or the nearest in the two folders above is read." })
  tokenizer?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Probe sets captured at every new checkpoint.' }) probeSetIds?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Benchmark tasks evaluated at every new checkpoint.' }) tasks?: string[] | null;
  @Field(() => [Float], { nullable: true, description: 'Pathway thresholds tau the metrics are computed at.' }) thresholds?: number[] | null;
}

@InputType()
export class CreateRunInput extends RunSettingsInput {
  @Field() name!: string;
  @Field({ description: 'Hugging Face architecture, e.g. OlmoeForCausalLM.' }) architecture!: string;
}

@InputType()
export class RegisterCheckpointInput {
  @Field(() => ID) runId!: string;
  @Field(() => Int) step!: number;
  @Field(() => Float, { nullable: true }) tokensSeen?: number | null;
  @Field({ description: 'Checkpoint folder: config.json + *.safetensors.' }) uri!: string;
  @Field(() => HyperparametersInput, { nullable: true, description: 'Optimizer settings in effect at this step; a step change between checkpoints is shown beside every verdict near it.' })
  hyperparameters?: HyperparametersInput | null;
}

@InputType('HyperparametersInput')
export class HyperparametersInput {
  @Field(() => Float, { nullable: true }) learningRate?: number | null;
  @Field(() => Float, { nullable: true }) weightDecay?: number | null;
}

@InputType({ description: 'One probe sample: text (optionally with the character span of its target), or a prompt and its completion (the target).' })
export class ProbeSampleInput {
  @Field(() => String, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'The sample; leave out when giving prompt and completion.' }) text?: string | null;
  @Field(() => [Int], { nullable: true, description: '[start, end): the characters of text that are the target (the answer).' }) target?: number[] | null;
  @Field(() => String, { nullable: true, description: 'With completion: text = prompt + completion, and the completion is the target.' }) prompt?: string | null;
  @Field(() => String, { nullable: true }) completion?: string | null;
  @Field(() => String, { nullable: true }) group?: string | null;
}

@InputType()
export class CreateProbeSetInput {
  @Field() name!: string;
  @Field() domain!: string;
  @Field(() => String, { nullable: true, description: 'A JSONL file on the server, under the data roots (GROKWATCH_DATA_ROOTS): one {"id","text","group"} object per line.' })
  path?: string | null;
  @Field(() => String, { nullable: true, description: "The content of a JSONL file, sent by the client (what `grokwatch probes add --file` does)." })
  jsonl?: string | null;
  @Field(() => [ProbeSampleInput], { nullable: true }) rows?: ProbeSampleInput[] | null;
}

@InputType()
export class StartCaptureInput {
  @Field(() => ID) checkpointId!: string;
  @Field(() => ID) probeSetId!: string;
}

@InputType({ description: 'One sample\'s routing: token-mean weights (layers x experts) or vLLM routed_experts (tokens x layers x k).' })
export class IngestSampleInput {
  @Field(() => Int, { description: 'Position of the sample in the probe set, from 0.' }) index!: number;
  @Field(() => [[Float]], { nullable: true }) weights?: number[][] | null;
  @Field(() => [[[Int]]], { nullable: true }) routedExperts?: number[][][] | null;
  @Field(() => Int, { nullable: true, description: 'Number of experts; required with routedExperts.' }) experts?: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean per-token NLL of the whole sample.' }) nll?: number | null;
  @Field(() => Float, { nullable: true, description: "Mean NLL of the sample's target (answer) tokens, when the probe row marks a target." })
  targetNll?: number | null;
  @Field(() => [[Float]], { nullable: true, description: "Routing mean over the target's tokens (layers x experts), for metrics of scope TARGET." })
  targetWeights?: number[][] | null;
  @Field(() => [[Float]], { nullable: true, description: 'Router softmax at the token before the target (layers x experts), for metrics of scope POSITION.' })
  positionWeights?: number[][] | null;
  @Field(() => [[Int]], { nullable: true, description: 'With weights: layers x experts, how many of the routed tokens selected each expert (top-k picks); what selection-weighted metrics read.' })
  selectionCounts?: number[][] | null;
  @Field(() => [Float], { nullable: true, description: 'Mean final-norm hidden state over the routed tokens, for the embedding metrics (effective dimension).' })
  embedding?: number[] | null;
  @Field(() => Float, { nullable: true, description: 'Min-K%++ score of the sample (mean of the lowest 20% of token z-scores), for contamination checks.' })
  minKPlusPlus?: number | null;
  @Field(() => Int, { nullable: true }) tokenCount?: number | null;
}

@InputType()
export class IngestRoutingInput {
  @Field(() => ID) checkpointId!: string;
  @Field(() => ID) probeSetId!: string;
  @Field(() => [IngestSampleInput]) samples!: IngestSampleInput[];
  @Field(() => [[[Float]]], { nullable: true, description: 'Router matrices per layer (experts x hidden), for consistency.' })
  routerWeights?: number[][][] | null;
}
