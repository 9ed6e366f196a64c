// GraphQL object types owned by the inference subgraph.
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { decodeFloat32 } from '@grokwatch/db';
import { JobStatusValue } from '@grokwatch/service-kit';
import type { CaptureJob, Checkpoint, ProbeSet, Run, Sample, SampleRouting } from '../store/inference-store.js';

export enum CheckpointStatusValue {
  registered = 'registered',
  capturing = 'capturing',
  captured = 'captured',
  failed = 'failed',
}
registerEnumType(CheckpointStatusValue, {
  name: 'CheckpointStatus',
  description: "Where a checkpoint's captures stand.",
  valuesConfig: {
    registered: { description: 'Registered; no capture has started.' },
    capturing: { description: 'A capture is queued or running.' },
    captured: { description: 'Every capture asked for completed.' },
    failed: { description: 'A capture failed (its job says why).' },
  },
});

export { JobStatusValue };

@ObjectType('Run', { description: 'A pretraining run (a model family): its checkpoints share architecture and tokenizer.' })
@Directive('@key(fields: "id")')
export class RunType {
  @Field(() => ID, { description: "The run's id." }) id!: string;
  @Field({ description: "The run's unique name (the CLI accepts it wherever it takes a run)." }) name!: string;
  @Field({ description: 'Hugging Face architecture name, e.g. OlmoeForCausalLM.' }) architecture!: string;
  @Field(() => String, { nullable: true, description: 'Path of the tokenizer.json used for this run.' })
  tokenizer!: string | null;
  @Field(() => String, { nullable: true, description: 'Folder watched for new checkpoints.' }) watchDir!: string | null;
  @Field(() => [ID], { description: 'Probe sets captured at every new checkpoint.' }) probeSetIds!: string[];
  @Field(() => [String], { description: 'Benchmark tasks evaluated at every new checkpoint.' }) tasks!: string[];
  @Field(() => [Float], { description: 'Pathway thresholds the metrics are computed at.' }) thresholds!: number[];
  @Field({ description: 'Whether test groups drop the 10% of test items with the highest Min-K%++ score.' }) contaminationFilter!: boolean;
  @Field(() => String, { nullable: true, description: "The sentence-embedding model folder group pairing embeds with; null: the capture's mean final hidden state." })
  embeddingModel!: string | null;
  @Field(() => DateTimeISOResolver, { description: 'When the run was created.' }) createdAt!: Date;
}

@ObjectType('Checkpoint', { description: 'A saved model state of a run at a training step.' })
@Directive('@key(fields: "id")')
export class CheckpointType {
  @Field(() => ID, { description: "The checkpoint's id." }) id!: string;
  @Field(() => ID, { description: 'The run it belongs to.' }) runId!: string;
  @Field(() => Int, { description: 'Training step it was saved at.' }) step!: number;
  @Field(() => Float, { description: 'Training tokens seen by then, when the trainer reported them.', nullable: true }) tokensSeen!: number | null;
  @Field({ description: 'Folder of the Hugging Face layout (config.json + *.safetensors).' }) uri!: string;
  @Field(() => CheckpointStatusValue, { description: 'Where its captures stand.' }) status!: CheckpointStatusValue;
  @Field(() => HyperparametersType, { nullable: true, description: 'Optimizer settings in effect at this step, when the trainer reported them.' })
  hyperparameters!: HyperparametersType | null;
  @Field(() => DateTimeISOResolver, { description: 'When it was registered.' }) createdAt!: Date;
}

@ObjectType('Hyperparameters', { description: 'Optimizer settings a trainer reported for a checkpoint.' })
export class HyperparametersType {
  @Field(() => Float, { description: 'Learning rate in effect at the step; null when not reported.', nullable: true }) learningRate!: number | null;
  @Field(() => Float, { description: 'Weight decay in effect at the step; null when not reported.', nullable: true }) weightDecay!: number | null;
}

@ObjectType('ProbeSet', { description: 'Training samples of one domain whose routing is captured at every checkpoint.' })
@Directive('@key(fields: "id")')
export class ProbeSetType {
  @Field(() => ID, { description: "The probe set's id." }) id!: string;
  @Field({ description: "The probe set's unique name." }) name!: string;
  @Field({ description: "Its domain (math, code, knowledge, ...): what a run's metrics and benchmarks are paired by." }) domain!: string;
  @Field({ description: 'The JSONL path the samples came from, or "inline".' }) source!: string;
  @Field(() => Int, { description: 'How many samples it holds.' }) sampleCount!: number;
  @Field(() => DateTimeISOResolver, { description: 'When it was created.' }) createdAt!: Date;
}

@ObjectType('Sample', { description: 'One probe sample: a text (and optionally its target span) whose routing is captured at every checkpoint.' })
@Directive('@key(fields: "id")')
export class SampleType {
  @Field(() => ID, { description: "The sample's id." }) id!: string;
  @Field(() => ID, { description: 'The probe set it belongs to.' }) probeSetId!: string;
  @Field(() => Int, { description: 'Position in the probe set, from 0.' }) index!: number;
  @Field(() => String, { nullable: true, description: 'The "id" given in the source row.' }) externalId!: string | null;
  @Field({ description: 'The text fed to the model.' }) text!: string;
  @Field(() => String, { nullable: true, description: 'Data group within the domain.' }) group!: string | null;
  @Field(() => TargetSpanType, { nullable: true, description: 'The characters of text that are its target (the answer); null: none marked.' })
  target!: TargetSpanType | null;
}

@ObjectType('TargetSpan', { description: "Characters [start, end) of a sample's text: its target, e.g. the completion of a prompt." })
export class TargetSpanType {
  @Field(() => Int, { description: 'First character of the target.' }) start!: number;
  @Field(() => Int, { description: "One past the target's last character." }) end!: number;
}

@ObjectType('CaptureJob', { description: 'Routing capture of one probe set at one checkpoint.' })
@Directive('@key(fields: "id")')
export class CaptureJobType {
  @Field(() => ID, { description: "The job's id." }) id!: string;
  @Field(() => ID, { description: 'The checkpoint captured.' }) checkpointId!: string;
  @Field(() => ID, { description: 'The probe set captured.' }) probeSetId!: string;
  @Field(() => JobStatusValue, { description: 'Where the job stands.' }) status!: JobStatusValue;
  @Field(() => Int, { description: 'Samples captured so far.' }) done!: number;
  @Field(() => Int, { description: 'Samples to capture.' }) total!: number;
  @Field(() => Int, { description: 'Deliveries so far (a worker that died mid-job leaves it to be redelivered).' }) attempts!: number;
  @Field(() => String, { description: 'Why it failed; null otherwise.', nullable: true }) error!: string | null;
  @Field(() => DateTimeISOResolver, { description: 'When it was queued.' }) createdAt!: Date;
  @Field(() => DateTimeISOResolver, { description: 'When its status or progress last changed.' }) updatedAt!: Date;
}

@ObjectType('RoutingLayer', { description: "A sample's routing at one layer." })
export class RoutingLayerType {
  @Field(() => Int, { description: 'Routed layer, from 0.' }) layer!: number;
  @Field(() => [Float], { description: 'Token-mean router softmax over all experts (method.md section 2).' })
  weights!: number[];
}

@ObjectType('SamplePathway', { description: "A sample's pathway at one checkpoint (method.md 3): per layer, its experts by weight until their sum exceeds tau." })
export class SamplePathwayType {
  @Field(() => [[Int]], { description: 'Expert indices per layer, each in rank order.' }) layers!: number[][];
  @Field({ description: 'Serialized: experts joined by "," within a layer, layers by "-" (what the pathway distance compares).' }) text!: string;
}

@ObjectType('DeletedRun', { description: 'What deleteRun removed here; the metrics, alerts and evaluations of its checkpoints follow through the run.deleted event.' })
export class DeletedRunType {
  @Field(() => ID, { description: 'The deleted run.' }) runId!: string;
  @Field(() => Int, { description: 'Checkpoints deleted with it (their captures and routing too).' }) checkpoints!: number;
}

@ObjectType('DeletedProbeSet', { description: 'What deleteProbeSet removed here; the metrics computed on it follow through the probeSet.deleted event.' })
export class DeletedProbeSetType {
  @Field(() => ID, { description: 'The deleted probe set.' }) probeSetId!: string;
  @Field(() => Int, { description: 'Samples deleted with it (their routing and captures too).' }) samples!: number;
}

@ObjectType('IngestResult', { description: 'What an ingestRouting call stored.' })
export class IngestResultType {
  @Field(() => Int, { description: 'Samples stored by this call.' }) stored!: number;
  @Field(() => Int, { description: 'Samples that already had routing at this checkpoint (kept as they were).' }) skipped!: number;
}

@ObjectType('SampleRouting', { description: "A sample's routing summary at one checkpoint." })
export class SampleRoutingType {
  @Field(() => ID, { description: 'The checkpoint this routing was captured (or ingested) at.' }) checkpointId!: string;
  @Field(() => Int, { description: 'Experts per layer.' }) experts!: number;
  @Field(() => [RoutingLayerType], { description: 'One entry per routed layer.' }) layers!: RoutingLayerType[];
  @Field(() => Float, { nullable: true, description: 'Per-token mean negative log-likelihood of the next token.' })
  nll!: number | null;
  @Field(() => Float, { nullable: true, description: "Mean NLL of the sample's target tokens (its answer); null when it marks none." })
  targetNll!: number | null;
  @Field(() => Int, { description: 'Tokens the sample had (after truncation); null when not reported.', nullable: true }) tokenCount!: number | null;
}

export const toRun = (r: Run): RunType => ({
  id: r.id,
  name: r.name,
  architecture: r.architecture,
  tokenizer: r.tokenizer,
  watchDir: r.watch_dir,
  probeSetIds: r.settings.probeSetIds,
  tasks: r.settings.tasks,
  thresholds: r.settings.thresholds,
  contaminationFilter: r.settings.contaminationFilter ?? true,
  embeddingModel: r.settings.embeddingModel ?? null,
  createdAt: r.created_at,
});

export const toCheckpoint = (c: Checkpoint): CheckpointType => ({
  id: c.id,
  runId: c.run_id,
  step: Number(c.step),
  tokensSeen: c.tokens_seen,
  uri: c.uri,
  status: c.status as CheckpointStatusValue,
  hyperparameters: c.hyperparameters === null ? null : { ...c.hyperparameters },
  createdAt: c.created_at,
});

export const toProbeSet = (p: ProbeSet): ProbeSetType => ({
  id: p.id,
  name: p.name,
  domain: p.domain,
  source: p.source,
  sampleCount: p.sample_count,
  createdAt: p.created_at,
});

export const toSample = (s: Sample): SampleType => ({
  id: s.id,
  probeSetId: s.probe_set_id,
  index: s.idx,
  externalId: s.external_id,
  text: s.text,
  group: s.group_name,
  target: s.target_start === null || s.target_end === null ? null : { start: s.target_start, end: s.target_end },
});

export const toCaptureJob = (j: CaptureJob): CaptureJobType => ({
  id: j.id,
  checkpointId: j.checkpoint_id,
  probeSetId: j.probe_set_id,
  status: j.status as JobStatusValue,
  done: j.done,
  total: j.total,
  attempts: j.attempts,
  error: j.error,
  createdAt: j.created_at,
  updatedAt: j.updated_at,
});

export function toSampleRouting(r: SampleRouting): SampleRoutingType {
  const weights = decodeFloat32(r.routing, 'routing');
  const layers: RoutingLayerType[] = [];
  for (let l = 0; l < r.layers; l++) {
    layers.push({ layer: l, weights: Array.from(weights.subarray(l * r.experts, (l + 1) * r.experts)) });
  }
  return { checkpointId: r.checkpoint_id, experts: r.experts, layers, nll: r.nll, targetNll: r.target_nll, tokenCount: r.token_count };
}
