import type { BusNames } from '../names.js';
import { DUPLICATE_WINDOW_MS, EVENT_MAX_AGE_MS } from '../nats/ensure.js';
import type { Broker, ConsumerSpec } from '../runtime/broker.js';
import type { DeliverySource } from '../runtime/delivery.js';
import type { MemoryHub } from './memory-hub.js';
import type { MemoryStream } from './memory-stream.js';

/** Bound on retained events in memory (the NATS stream is bounded by age only). */
const EVENT_MAX_MESSAGES = 100_000;

/** One bus's connection to a MemoryHub. */
export class MemoryBroker implements Broker {
  readonly kind = 'memory' as const;
  private readonly jobs: MemoryStream;
  private readonly events: MemoryStream;
  private readonly unsubscribes = new Set<() => void>();

  constructor(
    readonly hub: MemoryHub,
    names: BusNames,
  ) {
    this.jobs = hub.stream({ name: names.jobsStream, retention: 'workqueue', duplicateWindowMs: DUPLICATE_WINDOW_MS });
    this.events = hub.stream({
      name: names.eventsStream,
      retention: 'limits',
      duplicateWindowMs: DUPLICATE_WINDOW_MS,
      maxAgeMs: EVENT_MAX_AGE_MS,
      maxMessages: EVENT_MAX_MESSAGES,
    });
  }

  async publishPersisted(stream: 'jobs' | 'events', subject: string, data: Uint8Array, msgId?: string): Promise<void> {
    (stream === 'jobs' ? this.jobs : this.events).publish(subject, data, msgId);
  }

  async consumer(spec: ConsumerSpec): Promise<DeliverySource> {
    const consumer = (spec.stream === 'jobs' ? this.jobs : this.events).ensureConsumer(spec);
    return { pull: (max, signal) => consumer.pull(max, signal) };
  }

  publishCore(subject: string, data: Uint8Array): void {
    this.hub.publish(subject, data);
  }

  subscribeCore(subject: string, onMessage: (data: Uint8Array, subject: string) => void): () => void {
    const unsubscribe = this.hub.subscribe(subject, onMessage);
    this.unsubscribes.add(unsubscribe);
    return () => {
      unsubscribe();
      this.unsubscribes.delete(unsubscribe);
    };
  }

  async flush(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes.clear();
  }
}
