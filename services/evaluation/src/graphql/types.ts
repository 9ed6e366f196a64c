// GraphQL object types owned by the evaluation subgraph.
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JobStatusValue } from '@grokwatch/service-kit';
import type { BenchmarkInfo } from '../evaluation-service.js';
import { parseEvalParams } from '../params.js';
import type { CheckpointEvaluation, EvalItem, EvalJob, EvalScore } from '../store/evaluation-store.js';

@ObjectType('Benchmark', { description: 'An evaluation task of the registry (lm-evaluation-harness terms).' })
export class BenchmarkType {
  @Field({ description: "The task's name, as startEvaluation takes it." }) name!: string;
  @Field({ description: 'Its version.' }) version!: string;
  @Field({ description: 'generate_until, multiple_choice, loglikelihood or loglikelihood_rolling.' }) outputType!: string;
  @Field(() => Int, { description: 'Few-shot examples in each prompt.' }) numFewshot!: number;
  @Field(() => [String], { description: 'Result keys, metric,filter as the harness names them.' }) metrics!: string[];
  @Field({ description: 'root/path of the evaluation data (roots: datasets, suites).' }) dataset!: string;
  @Field({ description: 'Results are also reported per group, with _macro averages.' }) grouped!: boolean;
}

@ObjectType('EvaluationScore', { description: 'An aggregate over the evaluated documents.' })
export class EvaluationScoreType {
  @Field({ description: 'acc, acc_norm, pass@1, or metric,filter (exact_match,strict-match); _macro: mean over groups.' }) metric!: string;
  @Field(() => Float, { description: 'The score.' }) value!: number;
  @Field(() => Float, { nullable: true, description: 'Standard error; null when not estimable (n < 2).' }) stderr!: number | null;
  @Field(() => Int, { description: 'Documents it is over.' }) n!: number;
}

@ObjectType('CheckpointEvaluation', { description: "A completed evaluation's score at a checkpoint." })
export class CheckpointEvaluationType extends EvaluationScoreType {
  @Field({ description: 'The task.' }) task!: string;
  @Field(() => ID, { description: 'The job that produced it.' }) jobId!: string;
}

@ObjectType('EvaluationItem', { description: 'One scored document.' })
export class EvaluationItemType {
  @Field(() => Int, { description: 'Position in the dataset, from 0.' }) docIndex!: number;
  @Field({ description: "The document's id in the dataset." }) docId!: string;
  @Field(() => String, { description: 'Its group (subject, category), when the task has them.', nullable: true }) group!: string | null;
  @Field({ description: 'sha256 of the request sent to the model (prompt, stops, sampling settings).' }) promptHash!: string;
  @Field({ description: 'The reference answer (doc_to_target).' }) target!: string;
  @Field(() => JSONObjectResolver, { description: '{kind: generate, completions} or {kind: loglikelihood, results: [{logprob, isGreedy}]}.' })
  output!: Record<string, unknown>;
  @Field(() => JSONObjectResolver, { description: 'Extracted answers by filter name.' }) extracted!: Record<string, unknown>;
  @Field(() => JSONObjectResolver, { description: 'metric,filter -> score (or {sum, weight} for bits per byte).' }) scores!: Record<string, unknown>;
  @Field(() => JSONObjectResolver, { nullable: true, description: 'multiple_choice: {pred, predNorm, gold}.' }) choice!: Record<string, unknown> | null;
  @Field(() => JSONObjectResolver, { nullable: true, description: 'Code tasks: sandbox runs by filter name.' }) codeRuns!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true, description: 'The item as one text: question, target delimiter, gold answer (what embeddings and Min-K%++ describe).' }) text!:
    | string
    | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Min-K%++ of the item's text at this checkpoint (method.md 6; high: likely seen in training); null for backends that do not expose the model (OpenAI-compatible servers).",
  })
  minKPlusPlus!: number | null;
  @Field(() => Int, { nullable: true, description: "Dimension of the item's stored embedding (the model's mean final hidden state); null when none is stored." })
  embeddingDimension!: number | null;
}

@ObjectType('EvaluationJob', { description: 'One benchmark task evaluated at one checkpoint.' })
export class EvaluationJobType {
  @Field(() => ID, { description: "The job's id." }) id!: string;
  @Field(() => ID, { description: 'The checkpoint evaluated.' }) checkpointId!: string;
  @Field({ description: 'The benchmark task (gsm8k, humaneval, mmlu, grok_math, ...).' }) task!: string;
  @Field(() => JobStatusValue, { description: 'Where the job stands.' }) status!: JobStatusValue;
  @Field(() => Int, { description: 'Documents scored so far.' }) done!: number;
  @Field(() => Int, { description: 'Documents this run evaluates; 0 until a worker has read the data.' }) total!: number;
  @Field(() => String, { description: 'Why it failed; null otherwise.', nullable: true }) error!: string | null;
  @Field(() => Int, { nullable: true, description: 'Only the first N documents.' }) limit!: number | null;
  @Field({ description: "'onnx' or the OpenAI-compatible base URL and model." }) backend!: string;
  @Field(() => String, { nullable: true, description: 'The backend that answered, as the worker described it.' }) model!: string | null;
  @Field(() => Int, { description: 'Times the job was queued.' }) run!: number;
  @Field(() => Int, { description: 'Deliveries started (retries and redeliveries included).' }) attempts!: number;
  @Field(() => Int, { nullable: true, description: 'Documents in the dataset.' }) datasetSize!: number | null;
  @Field(() => String, { description: "The task's version (its prompt and scoring), as lm-evaluation-harness reports it.", nullable: true }) taskVersion!: string | null;
  @Field(() => DateTimeISOResolver, { description: 'When it was queued.' }) createdAt!: Date;
  @Field(() => DateTimeISOResolver, { description: 'When its status or progress last changed.' }) updatedAt!: Date;
}

@ObjectType('Checkpoint', { description: 'A checkpoint (owned by the inference subgraph); this subgraph adds its evaluations.' })
@Directive('@key(fields: "id")')
export class CheckpointEntity {
  @Field(() => ID, { description: "The checkpoint's id." }) id!: string;
}

export const toBenchmark = (b: BenchmarkInfo): BenchmarkType => ({ ...b });

export const toScore = (s: EvalScore): EvaluationScoreType => ({ metric: s.metric, value: s.value, stderr: s.stderr, n: s.n });

export const toCheckpointEvaluation = (e: CheckpointEvaluation): CheckpointEvaluationType => ({ ...e });

export function toEvaluationJob(j: EvalJob): EvaluationJobType {
  let limit: number | null = null;
  let backend = '(invalid stored parameters)';
  try {
    const p = parseEvalParams(j.params);
    limit = p.limit;
    backend = p.backend.kind === 'onnx' ? 'onnx' : `openai ${p.backend.baseUrl} model=${p.backend.model}`;
  } catch {
    // Shown as such; the worker fails such a job with the parse error.
  }
  return {
    id: j.id,
    checkpointId: j.checkpoint_id,
    task: j.task,
    status: j.status as JobStatusValue,
    done: j.done,
    total: j.total,
    error: j.error,
    limit,
    backend,
    model: j.model,
    run: j.run,
    attempts: j.attempts,
    datasetSize: j.dataset_size,
    taskVersion: j.task_version,
    createdAt: j.created_at,
    updatedAt: j.updated_at,
  };
}

export const toEvaluationItem = (i: EvalItem): EvaluationItemType => ({
  docIndex: i.doc_index,
  docId: i.doc_id,
  group: i.group_name,
  promptHash: i.prompt_hash,
  target: i.target,
  output: i.output,
  extracted: i.extracted,
  scores: i.scores,
  choice: i.choice,
  codeRuns: i.code_runs,
  text: i.text,
  minKPlusPlus: i.min_k_pp,
  embeddingDimension: i.embedding === null ? null : i.embedding.byteLength / 4,
});
