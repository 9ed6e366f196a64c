import type { EventName, EventPayload, JobKind, JobPayload, JobProgress } from './contracts.js';
import type { MemoryHub } from './memory/memory-hub.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface JobContext<K extends JobKind> {
  readonly payload: JobPayload<K>;
  /** 1-based delivery count: 2 means the first attempt threw, timed out or its worker died. */
  readonly attempt: number;
  /** Aborted when cancelJob() names this job (reason: JobCancelledError) or the consumer shuts down (BusShutdownError). */
  readonly signal: AbortSignal;
  /** Publishes progress (status 'running') and tells the broker the job is alive, postponing ackWait redelivery. */
  progress(done: number, total: number, message?: string): void;
}

export type JobHandler<K extends JobKind> = (job: JobContext<K>) => Promise<void>;

export interface ConsumeOptions {
  /** Jobs run at once by this consumer; default 1. */
  concurrency?: number;
  /** A delivered job not acked nor heartbeated within this is redelivered; default 30000. */
  ackWaitMs?: number;
  /** Deliveries before a failing job is given up (terminated and logged); default 5. */
  maxDeliver?: number;
  /** Consumers sharing a durable share the work; default `${kind}-workers`. One durable per job kind. */
  durable?: string;
  /** First retry delay after a throw, doubled per attempt, capped at 60 s; default 1000. */
  retryDelayMs?: number;
  /** stop() waits this long for running handlers before aborting them; default 10000. */
  drainTimeoutMs?: number;
}

export interface SubscribeOptions {
  /** Subscribers sharing a durable share the events; every distinct durable gets every event. */
  durable: string;
  /** A new durable starts at the oldest retained event ('all', default) or only at new ones. */
  deliver?: 'all' | 'new';
  ackWaitMs?: number;
  maxDeliver?: number;
  retryDelayMs?: number;
}

/** pino-compatible: `logger.error({ ...context }, 'message')`. */
export interface BusLogger {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

export type BusConfig =
  | { kind: 'nats'; servers: string | string[]; prefix?: string; logger?: BusLogger; name?: string }
  | { kind: 'memory'; prefix?: string; logger?: BusLogger; hub?: MemoryHub };

export interface Bus {
  readonly kind: 'nats' | 'memory';
  /** Queues a job; a second publish with the same kind and jobId within 2 minutes is dropped (dedupe). */
  publishJob<K extends JobKind>(kind: K, payload: JobPayload<K>): Promise<void>;
  /** Acks a job only after `handler` resolves; see the README for throw / JobFailed / cancel semantics. */
  consumeJobs<K extends JobKind>(kind: K, handler: JobHandler<K>, opts?: ConsumeOptions): Promise<Stoppable>;
  publishEvent<E extends EventName>(name: E, payload: EventPayload<E>): Promise<void>;
  /** Durable, at-least-once: acked after `handler` resolves, redelivered (with backoff) if it throws. */
  subscribeEvents<E extends EventName>(name: E, handler: (p: EventPayload<E>) => Promise<void>, opts: SubscribeOptions): Promise<Stoppable>;
  /** Fire and forget (not persisted). */
  publishProgress(p: JobProgress): void;
  subscribeProgress(filter: { kind?: JobKind; jobId?: string }, handler: (p: JobProgress) => void): Stoppable;
  /** Aborts the job's signal wherever it is running; a worker that receives it later terminates it unrun. */
  cancelJob(kind: JobKind, jobId: string): Promise<void>;
  /** Resolves after a round trip to the broker: /healthz's bus check (it waits while disconnected). */
  ping(): Promise<void>;
  /** Stops every consumer and subscription of this bus (draining running jobs) and disconnects. */
  close(): Promise<void>;
}
