// Every subject the platform uses and its payload contract. Adding a job kind or an event is one
// line here; types, validation, subjects and stream filters all derive from these tables.
import { anyText, count, list, nonNegative, oneOf, optional, record, text, token, type Infer } from './fields.js';

export const JOBS = {
  capture: { jobId: token, checkpointId: text, probeSetId: text },
  metrics: { jobId: token, checkpointId: text, probeSetId: text, params: optional(record) },
  evaluation: { jobId: token, checkpointId: text, task: text, params: optional(record) },
  /** Routing captured outside grokwatch; `samples` rows as the inference service's ingestRouting takes them. */
  ingest: { jobId: token, checkpointId: text, probeSetId: text, samples: list, routerWeights: optional(list) },
} as const;

export const EVENTS = {
  'run.created': { runId: text },
  /** A run's settings changed (tasks, thresholds, contamination filter, embedding model): derived results are recomputed. */
  'run.configured': { runId: text },
  /** A run and its checkpoints were deleted; each service drops what it holds for them. */
  'run.deleted': { runId: text, checkpointIds: list },
  /** Published by the inference service (with checkpointId), or by a training loop announcing a save (without). */
  'checkpoint.registered': { checkpointId: optional(text), runId: text, step: count, uri: text, tokensSeen: optional(nonNegative) },
  'probeSet.created': { probeSetId: text },
  /** A probe set and its samples' routing were deleted; the metrics computed on it go too. */
  'probeSet.deleted': { probeSetId: text },
  'capture.completed': { jobId: token, checkpointId: text, probeSetId: text, samples: count },
  'capture.failed': { jobId: token, checkpointId: text, probeSetId: text, error: anyText },
  'metrics.completed': { jobId: token, checkpointId: text, probeSetId: text },
  'evaluation.completed': { jobId: token, checkpointId: text, task: text },
  /** One alert per phase of a probe set, in the shape every channel serves (metrics' GrokkingAlertPayload). */
  'grokking.detected': { runId: text, probeSetId: text, domain: text, startStep: count, endStep: count, detectedAt: text, agreeing: list, evidence: record },
  /** A layer of a run lost experts to dead routing, over all its probe sets (metrics' RoutingAlertPayload). */
  'routing.collapsed': { runId: text, layer: count, step: count, checkpointId: text, deadExperts: count, baselineDead: count, experts: count, detectedAt: text },
} as const;

/**
 * Names an earlier release used on the bus (`eval`, `probeset`), kept only so NatsBroker.connect can
 * move what a running deployment still holds under them (nats/renamed-subjects.ts); nothing publishes them.
 */
export const RENAMED_JOBS: Readonly<Record<string, JobKind>> = { eval: 'evaluation' };
export const RENAMED_EVENTS: Readonly<Record<string, EventName>> = {
  'eval.completed': 'evaluation.completed',
  'probeset.created': 'probeSet.created',
  'probeset.deleted': 'probeSet.deleted',
};

/** An event as data (for an outbox row), its payload checked against the contract at compile time. */
export function eventOf<E extends EventName>(name: E, payload: EventPayload<E>): { name: E; payload: EventPayload<E> } {
  return { name, payload };
}

/** Publishes an event stored as data (an outbox row): the name is checked here, the payload by publishEvent. */
export function publishStoredEvent(
  bus: { publishEvent<E extends EventName>(name: E, payload: EventPayload<E>): Promise<void> },
  e: { name: string; payload: unknown },
): Promise<void> {
  if (!(e.name in EVENTS)) return Promise.reject(new Error(`stored event ${JSON.stringify(e.name.slice(0, 60))} is not an event name`));
  return bus.publishEvent(e.name as EventName, e.payload as EventPayload<EventName>);
}

export type JobKind = keyof typeof JOBS;
export type EventName = keyof typeof EVENTS;
export type JobPayload<K extends JobKind> = Infer<(typeof JOBS)[K]>;
export type EventPayload<E extends EventName> = Infer<(typeof EVENTS)[E]>;

// Every job contract must carry a jobId (dedupe id, progress subject, cancel key): a compile error here otherwise.
type EveryJobHasId = { [K in JobKind]: JobPayload<K> extends { jobId: string } ? true : never }[JobKind];
const everyJobHasId: EveryJobHasId = true;
void everyJobHasId;

/** TypeScript cannot see through JobPayload<K> for a generic K; EveryJobHasId above guarantees this. */
export function jobIdOf<K extends JobKind>(payload: JobPayload<K>): string {
  return (payload as unknown as JobPayload<JobKind>).jobId;
}

export const JOB_KINDS = Object.keys(JOBS) as JobKind[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Calls `fn` on every job status change anywhere on the bus (queued, completed, failed, cancelled;
 * not the progress ticks of running jobs). Progress messages reach every instance, so each one's
 * caches hear every change.
 */
export function onJobStatusChange(
  bus: { subscribeProgress(filter: { kind?: JobKind; jobId?: string }, handler: (p: JobProgress) => void): { stop(): Promise<void> } },
  fn: () => void,
): { stop(): Promise<void> } {
  return bus.subscribeProgress({}, (p) => {
    if (p.status !== 'running') fn();
  });
}

export const PROGRESS = {
  kind: oneOf(JOB_KINDS as unknown as readonly JobKind[]),
  jobId: token,
  done: nonNegative,
  total: nonNegative,
  status: oneOf(JOB_STATUSES),
  message: optional(anyText),
} as const;

/** High-frequency, not persisted: `progress.<kind>.<jobId>`. */
export type JobProgress = Infer<typeof PROGRESS>;

export const CANCEL = { kind: oneOf(JOB_KINDS as unknown as readonly JobKind[]), jobId: token } as const;
export type CancelRequest = Infer<typeof CANCEL>;
