import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType()
export class CreateRunInput {
  @Field() name!: string;
  @Field({ description: 'Hugging Face architecture, e.g. OlmoeForCausalLM.' }) architecture!: string;
  @Field(() => String, { nullable: true, description: 'Path of the run\'s tokenizer.json.' }) tokenizer?: string | null;
}

@InputType()
export class RegisterCheckpointInput {
  @Field(() => ID) runId!: string;
  @Field(() => Int) step!: number;
  @Field(() => Float, { nullable: true }) tokensSeen?: number | null;
  @Field({ description: 'Checkpoint folder: config.json + *.safetensors.' }) uri!: string;
}

@InputType()
export class ProbeSampleInput {
  @Field(() => String, { nullable: true }) id?: string | null;
  @Field() text!: string;
  @Field(() => String, { nullable: true }) group?: string | null;
}

@InputType()
export class CreateProbeSetInput {
  @Field() name!: string;
  @Field() domain!: string;
  @Field(() => String, { nullable: true, description: 'JSONL file, one {"id","text","group"} object per line.' })
  path?: string | null;
  @Field(() => [ProbeSampleInput], { nullable: true }) rows?: ProbeSampleInput[] | null;
}

@InputType()
export class StartCaptureInput {
  @Field(() => ID) checkpointId!: string;
  @Field(() => ID) probeSetId!: string;
}
