import type { DeliverySource } from './delivery.js';

/** A durable consumer on one of the two persisted streams. Created or updated idempotently. */
export interface ConsumerSpec {
  stream: 'jobs' | 'events';
  name: string;
  filterSubject: string;
  ackWaitMs: number;
  maxDeliver: number;
  deliver: 'all' | 'new';
}

/**
 * What a message broker must provide for BrokerBus; everything else (contracts, retries, cancel,
 * progress) is shared, so the NATS and in-memory buses behave the same by construction.
 */
export interface Broker {
  readonly kind: 'nats' | 'memory';
  /** Persists to the jobs/events stream; a repeated `msgId` inside the dedupe window is dropped. */
  publishPersisted(stream: 'jobs' | 'events', subject: string, data: Uint8Array, msgId?: string): Promise<void>;
  consumer(spec: ConsumerSpec): Promise<DeliverySource>;
  /** Not persisted; subscribers that are not connected miss it. */
  publishCore(subject: string, data: Uint8Array): void;
  /** `subject` may hold `*` wildcards. Returns an unsubscribe function. */
  subscribeCore(subject: string, onMessage: (data: Uint8Array, subject: string) => void): () => void;
  /** Resolves once everything published so far has reached the broker. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
