import type { EventName, JobKind } from './contracts.js';
import { BusConfigError } from './errors.js';

/**
 * Subject and stream names under an optional namespace prefix, so tests (and several deployments)
 * can share one NATS server: prefix 't8f3a.' -> subjects 't8f3a.jobs.capture', streams 'T8F3A_JOBS'.
 */
export class BusNames {
  readonly jobsStream: string;
  readonly eventsStream: string;

  constructor(readonly prefix: string = '') {
    if (prefix !== '' && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(prefix)) {
      throw new BusConfigError('prefix', `must be empty or dot-separated [A-Za-z0-9_-] tokens ending in '.', got ${JSON.stringify(prefix)}`);
    }
    const streamPrefix = prefix.replace(/\./g, '_').toUpperCase();
    this.jobsStream = `${streamPrefix}JOBS`;
    this.eventsStream = `${streamPrefix}EVENTS`;
  }

  get jobsWildcard(): string {
    return `${this.prefix}jobs.>`;
  }

  get eventsWildcard(): string {
    return `${this.prefix}events.>`;
  }

  job(kind: JobKind): string {
    return `${this.prefix}jobs.${kind}`;
  }

  event(name: EventName): string {
    return `${this.prefix}events.${name}`;
  }

  progress(kind: JobKind, jobId: string): string {
    return `${this.prefix}progress.${kind}.${jobId}`;
  }

  /** A subscription subject for progress; a missing filter part is a wildcard. */
  progressFilter(filter: { kind?: JobKind; jobId?: string }): string {
    return `${this.prefix}progress.${filter.kind ?? '*'}.${filter.jobId ?? '*'}`;
  }

  get cancel(): string {
    return `${this.prefix}control.cancel`;
  }
}

/** Durable consumer names may not contain '.', '*', '>' or whitespace. */
export function checkDurable(durable: string, setting: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(durable)) {
    throw new BusConfigError(setting, `must be 1-100 characters of [A-Za-z0-9_-], got ${JSON.stringify(durable)}`);
  }
  return durable;
}

/** Event subscriptions: one consumer per (durable, event) so one service can listen to several events. */
export function eventConsumerName(durable: string, name: EventName): string {
  return `${checkDurable(durable, 'durable')}__${name.replace(/\./g, '_')}`;
}

/** Jobs msg-id for JetStream dedupe; the kind is included so equal ids of different kinds never collide. */
export function jobMessageId(kind: JobKind, jobId: string): string {
  return `${kind}:${jobId}`;
}
