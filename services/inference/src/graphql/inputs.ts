import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: "What happens to the run's new checkpoints. Fields left out keep their value." })
export class RunSettingsInput {
  @Field(() => String, { nullable: true, description: 'Folder watched for new step<N>* checkpoint folders; null stops watching.' })
  watchDir?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "The run's tokenizer.json, read for checkpoint folders without their own (null clears it; left out keeps it). Without one, a folder's own tokenizer.json or the nearest in the two folders above is read.",
  })
  tokenizer?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Probe sets captured at every new checkpoint.' }) probeSetIds?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Benchmark tasks evaluated at every new checkpoint.' }) tasks?: string[] | null;
  @Field(() => [Float], { nullable: true, description: 'Pathway thresholds tau the metrics are computed at.' }) thresholds?: number[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Drop the 10% of test items with the highest Min-K%++ score (likely seen in training) from test groups (method.md 6). Default on.',
  })
  contaminationFilter?: boolean | null;
  @Field(() => String, {
    nullable: true,
    description:
      "A sentence-embedding model folder (model.onnx and tokenizer.json, e.g. all-MiniLM-L6-v2 exported to ONNX) that embeds training samples and test items for group pairing; null: the capture's mean final hidden state (the default).",
  })
  embeddingModel?: string | null;
}

@InputType({ description: 'A new run and its settings.' })
export class CreateRunInput extends RunSettingsInput {
  @Field({ description: 'A unique name.' }) name!: string;
  @Field({ description: 'Hugging Face architecture, e.g. OlmoeForCausalLM.' }) architecture!: string;
}

@InputType({ description: 'A checkpoint to register under a run.' })
export class RegisterCheckpointInput {
  @Field(() => ID, { description: 'The run it belongs to.' }) runId!: string;
  @Field(() => Int, { description: 'Training step it was saved at (a step already registered with the same uri returns that checkpoint).' }) step!: number;
  @Field(() => Float, { description: 'Training tokens seen by then.', nullable: true }) tokensSeen?: number | null;
  @Field({ description: 'Checkpoint folder: config.json + *.safetensors.' }) uri!: string;
  @Field(() => HyperparametersInput, {
    nullable: true,
    description: 'Optimizer settings in effect at this step; a step change between checkpoints is shown beside every verdict near it.',
  })
  hyperparameters?: HyperparametersInput | null;
}

@InputType('HyperparametersInput', { description: 'Optimizer settings in effect at a checkpoint.' })
export class HyperparametersInput {
  @Field(() => Float, { description: 'Learning rate, >= 0.', nullable: true }) learningRate?: number | null;
  @Field(() => Float, { description: 'Weight decay, >= 0.', nullable: true }) weightDecay?: number | null;
}

@InputType({ description: 'One probe sample: text (optionally with the character span of its target), or a prompt and its completion (the target).' })
export class ProbeSampleInput {
  @Field(() => String, { description: 'Your id for the row (returned as externalId).', nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'The sample; leave out when giving prompt and completion.' }) text?: string | null;
  @Field(() => [Int], { nullable: true, description: '[start, end): the characters of text that are the target (the answer).' }) target?: number[] | null;
  @Field(() => String, { nullable: true, description: 'With completion: text = prompt + completion, and the completion is the target.' }) prompt?: string | null;
  @Field(() => String, { description: 'With prompt: the target, appended to it.', nullable: true }) completion?: string | null;
  @Field(() => String, { description: 'Data group within the domain (grokking groups are read per group).', nullable: true }) group?: string | null;
}

@InputType({ description: 'A new probe set: rows inline, or a JSONL file under the data roots.' })
export class CreateProbeSetInput {
  @Field({ description: 'A unique name.' }) name!: string;
  @Field({ description: 'Its domain (math, code, knowledge, ...).' }) domain!: string;
  @Field(() => String, { nullable: true, description: 'A JSONL file on the server, under the data roots (GROKWATCH_DATA_ROOTS): one {"id","text","group"} object per line.' })
  path?: string | null;
  @Field(() => String, { nullable: true, description: 'The content of a JSONL file, sent by the client (what `grokwatch probes add --file` does).' })
  jsonl?: string | null;
  @Field(() => [ProbeSampleInput], { description: 'The samples, inline.', nullable: true }) rows?: ProbeSampleInput[] | null;
}

@InputType({ description: 'A capture to queue.' })
export class StartCaptureInput {
  @Field(() => ID, { description: 'The checkpoint to capture.' }) checkpointId!: string;
  @Field(() => ID, { description: 'The probe set to capture.' }) probeSetId!: string;
}

@InputType({ description: "One sample's routing: token-mean weights (layers x experts) or vLLM routed_experts (tokens x layers x k)." })
export class IngestSampleInput {
  @Field(() => Int, { description: 'Position of the sample in the probe set, from 0.' }) index!: number;
  @Field(() => [[Float]], { description: 'Token-mean router scores, layers x experts (each layer sums to 1).', nullable: true }) weights?: number[][] | null;
  @Field(() => [[[Int]]], { description: "vLLM's routed_experts: tokens x layers x k expert ids (instead of weights).", nullable: true }) routedExperts?: number[][][] | null;
  @Field(() => Int, { nullable: true, description: 'Number of experts; required with routedExperts.' }) experts?: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean per-token NLL of the whole sample.' }) nll?: number | null;
  @Field(() => Float, { nullable: true, description: "Mean NLL of the sample's target (answer) tokens, when the probe row marks a target." })
  targetNll?: number | null;
  @Field(() => [[Float]], { nullable: true, description: "Routing mean over the target's tokens (layers x experts), for metrics of scope TARGET." })
  targetWeights?: number[][] | null;
  @Field(() => [[Float]], { nullable: true, description: 'Router softmax at the token before the target (layers x experts), for metrics of scope POSITION.' })
  positionWeights?: number[][] | null;
  @Field(() => [[Int]], {
    nullable: true,
    description: 'With weights: layers x experts, how many of the routed tokens selected each expert (top-k picks); what selection-weighted metrics read.',
  })
  selectionCounts?: number[][] | null;
  @Field(() => [Float], { nullable: true, description: 'Mean final-norm hidden state over the routed tokens, for the embedding metrics (effective dimension).' })
  embedding?: number[] | null;
  @Field(() => Float, { nullable: true, description: 'Min-K%++ score of the sample (mean of the lowest 20% of token z-scores), for contamination checks.' })
  minKPlusPlus?: number | null;
  @Field(() => Int, { description: 'Tokens the sample had.', nullable: true }) tokenCount?: number | null;
}

@InputType({ description: 'Routing captured outside grokwatch (a serving engine, a training loop) for one checkpoint and probe set.' })
export class IngestRoutingInput {
  @Field(() => ID, { description: 'The checkpoint the routing belongs to.' }) checkpointId!: string;
  @Field(() => ID, { description: 'The probe set whose samples it covers.' }) probeSetId!: string;
  @Field(() => [IngestSampleInput], { description: 'One entry per sample (by index); all are checked before any is stored.' }) samples!: IngestSampleInput[];
  @Field(() => [[[Float]]], { nullable: true, description: 'Router matrices per layer (experts x hidden), for consistency.' })
  routerWeights?: number[][][] | null;
}
