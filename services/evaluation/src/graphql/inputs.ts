import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'An OpenAI-compatible completions server (vLLM, or serve-openai.js) that serves the checkpoint.' })
export class EvaluationBackendInput {
  @Field({ description: 'Base URL including the version path, e.g. http://host:8000/v1.' }) openai!: string;
  @Field({ description: 'The served model name, as /v1/models lists it.' }) model!: string;
}

@InputType({ description: 'An evaluation to queue.' })
export class StartEvaluationInput {
  @Field(() => ID, { description: 'The checkpoint to evaluate.' }) checkpointId!: string;
  @Field({ description: 'A task name from `benchmarks`.' }) task!: string;
  @Field(() => Int, { nullable: true, description: 'Only the first N documents (a quick run).' }) limit?: number | null;
  @Field(() => Int, { nullable: true, description: 'Documents per model call.' }) batchSize?: number | null;
  @Field(() => EvaluationBackendInput, { nullable: true, description: 'Absent: the built-in onnxruntime runner on the checkpoint folder.' })
  backend?: EvaluationBackendInput | null;
}
