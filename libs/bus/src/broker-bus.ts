import { CANCEL, EVENTS, JOBS, PROGRESS, jobIdOf, type EventName, type EventPayload, type JobKind, type JobPayload, type JobProgress } from './contracts.js';
import { BusClosedError, BusConfigError, BusPayloadError } from './errors.js';
import { validate, type Shape } from './fields.js';
import { type BusNames, checkDurable, eventConsumerName, jobMessageId } from './names.js';
import type { Broker } from './runtime/broker.js';
import { CancelRegistry } from './runtime/cancel-registry.js';
import { decodeJson, encodeJson } from './runtime/decode.js';
import { runEvent } from './runtime/event-runner.js';
import { runJob } from './runtime/job-runner.js';
import { startPool } from './runtime/worker-pool.js';
import type { Bus, BusLogger, ConsumeOptions, JobHandler, Stoppable, SubscribeOptions } from './types.js';

const DEFAULTS = { concurrency: 1, ackWaitMs: 30_000, maxDeliver: 5, retryDelayMs: 1_000, drainTimeoutMs: 10_000 };

/** The Bus semantics, over any Broker (NATS JetStream or the in-memory hub). */
export class BrokerBus implements Bus {
  readonly kind: 'nats' | 'memory';
  private readonly cancels = new CancelRegistry();
  private readonly open = new Set<Stoppable>();
  private readonly jobDurables = new Map<JobKind, string>();
  private readonly unsubscribeCancel: () => void;
  private closed = false;

  constructor(
    private readonly broker: Broker,
    readonly names: BusNames,
    private readonly logger: BusLogger,
  ) {
    this.kind = broker.kind;
    this.unsubscribeCancel = broker.subscribeCore(names.cancel, (data) => {
      const r = parse(CANCEL, data);
      if (r.ok) this.cancels.cancel(r.value.kind, r.value.jobId);
      else logger.warn({ subject: names.cancel, field: r.field, problem: r.problem }, 'bus: ignoring invalid cancel request');
    });
  }

  async publishJob<K extends JobKind>(kind: K, payload: JobPayload<K>): Promise<void> {
    this.assertOpen('publishJob');
    const subject = this.names.job(kind);
    if (!(kind in JOBS)) throw new BusPayloadError(subject, '(kind)', `is not a job kind: ${JSON.stringify(kind)}`);
    const value = check(JOBS[kind], payload, subject);
    await this.broker.publishPersisted('jobs', subject, encodeJson(value), jobMessageId(kind, jobIdOf<K>(value as JobPayload<K>)));
  }

  async consumeJobs<K extends JobKind>(kind: K, handler: JobHandler<K>, opts: ConsumeOptions = {}): Promise<Stoppable> {
    this.assertOpen('consumeJobs');
    if (!(kind in JOBS)) throw new BusConfigError('kind', `is not a job kind: ${JSON.stringify(kind)}`);
    const o = withDefaults(opts);
    const durable = checkDurable(opts.durable ?? `${kind}-workers`, 'durable');
    // A work-queue stream allows one consumer per subject (NATS enforces it); fail the same way in memory.
    const existing = this.jobDurables.get(kind);
    if (existing !== undefined && existing !== durable) {
      throw new BusConfigError('durable', `${kind} jobs are already consumed through durable ${existing}; use one durable per job kind`);
    }
    const subject = this.names.job(kind);
    const source = await this.broker.consumer({
      stream: 'jobs',
      name: durable,
      filterSubject: subject,
      ackWaitMs: o.ackWaitMs,
      maxDeliver: o.maxDeliver,
      deliver: 'all',
    });
    this.jobDurables.set(kind, durable);
    const runnerOptions = {
      kind,
      subject,
      handler,
      maxDeliver: o.maxDeliver,
      ackWaitMs: o.ackWaitMs,
      retryDelayMs: o.retryDelayMs,
      cancels: this.cancels,
      publishProgress: (p: JobProgress) => this.publishProgress(p),
      logger: this.logger,
    };
    return this.track(
      startPool(source, (d, shutdown) => runJob(d, runnerOptions, shutdown), {
        concurrency: o.concurrency,
        drainTimeoutMs: o.drainTimeoutMs,
        what: `${durable}(${subject})`,
        logger: this.logger,
      }),
    );
  }

  async publishEvent<E extends EventName>(name: E, payload: EventPayload<E>): Promise<void> {
    this.assertOpen('publishEvent');
    const subject = this.names.event(name);
    if (!(name in EVENTS)) throw new BusPayloadError(subject, '(name)', `is not an event name: ${JSON.stringify(name)}`);
    await this.broker.publishPersisted('events', subject, encodeJson(check(EVENTS[name], payload, subject)));
  }

  async subscribeEvents<E extends EventName>(name: E, handler: (p: EventPayload<E>) => Promise<void>, opts: SubscribeOptions): Promise<Stoppable> {
    this.assertOpen('subscribeEvents');
    if (!(name in EVENTS)) throw new BusConfigError('name', `is not an event name: ${JSON.stringify(name)}`);
    const o = withDefaults(opts);
    const consumer = eventConsumerName(opts.durable, name);
    const subject = this.names.event(name);
    const source = await this.broker.consumer({
      stream: 'events',
      name: consumer,
      filterSubject: subject,
      ackWaitMs: o.ackWaitMs,
      maxDeliver: o.maxDeliver,
      deliver: opts.deliver ?? 'all',
    });
    const runnerOptions = { name, subject, consumer, handler, maxDeliver: o.maxDeliver, retryDelayMs: o.retryDelayMs, logger: this.logger };
    return this.track(
      startPool(source, (d) => runEvent(d, runnerOptions), {
        concurrency: 1,
        drainTimeoutMs: o.drainTimeoutMs,
        what: `${consumer}(${subject})`,
        logger: this.logger,
      }),
    );
  }

  publishProgress(p: JobProgress): void {
    this.assertOpen('publishProgress');
    const subject = this.names.progress(p.kind, p.jobId);
    this.broker.publishCore(subject, encodeJson(check(PROGRESS, p, subject)));
  }

  subscribeProgress(filter: { kind?: JobKind; jobId?: string }, handler: (p: JobProgress) => void): Stoppable {
    this.assertOpen('subscribeProgress');
    if (filter.kind !== undefined && !(filter.kind in JOBS)) {
      throw new BusConfigError('filter.kind', `is not a job kind: ${JSON.stringify(filter.kind)}`);
    }
    if (filter.jobId !== undefined) check({ jobId: PROGRESS.jobId }, { jobId: filter.jobId }, this.names.progressFilter({}));
    const subject = this.names.progressFilter(filter);
    const unsubscribe = this.broker.subscribeCore(subject, (data, actual) => {
      const r = parse(PROGRESS, data);
      if (!r.ok) {
        this.logger.warn({ subject: actual, field: r.field, problem: r.problem }, 'bus: ignoring invalid progress message');
        return;
      }
      try {
        handler(r.value);
      } catch (err) {
        this.logger.error({ subject: actual, err: String(err) }, 'bus: progress handler threw');
      }
    });
    const stoppable: Stoppable = {
      stop: async () => {
        unsubscribe();
        this.open.delete(stoppable);
      },
    };
    this.open.add(stoppable);
    return stoppable;
  }

  async cancelJob(kind: JobKind, jobId: string): Promise<void> {
    this.assertOpen('cancelJob');
    const subject = this.names.cancel;
    this.broker.publishCore(subject, encodeJson(check(CANCEL, { kind, jobId }, subject)));
    await this.broker.flush();
  }

  async ping(): Promise<void> {
    this.assertOpen('ping');
    await this.broker.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.open].map((s) => s.stop()));
    this.unsubscribeCancel();
    await this.broker.close();
  }

  private track(inner: Stoppable): Stoppable {
    const stoppable: Stoppable = {
      stop: async () => {
        await inner.stop();
        this.open.delete(stoppable);
      },
    };
    this.open.add(stoppable);
    return stoppable;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new BusClosedError(operation);
  }
}

function withDefaults(opts: ConsumeOptions | SubscribeOptions) {
  const o = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = (opts as Partial<Record<keyof typeof DEFAULTS, number>>)[key];
    if (v === undefined) continue;
    const min = key === 'retryDelayMs' || key === 'drainTimeoutMs' ? 0 : 1;
    if (!Number.isInteger(v) || v < min) throw new BusConfigError(key, `must be an integer >= ${min}, got ${v}`);
    o[key] = v;
  }
  return o;
}

function check<S extends Shape>(shape: S, payload: unknown, subject: string) {
  const r = validate(shape, payload, true);
  if (!r.ok) throw new BusPayloadError(subject, r.field, r.problem);
  return r.value;
}

function parse<S extends Shape>(shape: S, data: Uint8Array) {
  const decoded = decodeJson(data);
  if (!decoded.ok) return { ok: false as const, field: '(payload)', problem: decoded.problem };
  return validate(shape, decoded.value, false);
}
