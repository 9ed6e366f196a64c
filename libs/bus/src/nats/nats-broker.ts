import { jetstream, jetstreamManager, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BusNames } from '../names.js';
import type { Broker, ConsumerSpec } from '../runtime/broker.js';
import type { Delivery, DeliverySource } from '../runtime/delivery.js';
import { ensureConsumer, ensureStream, eventsStreamConfig, jobsStreamConfig } from './ensure.js';
import { moveRenamedSubjects, type RenamedSubjectsReport } from './renamed-subjects.js';

/** Shortest pull JetStream accepts; bounds how long stop() waits for an idle consumer. */
const PULL_EXPIRES_MS = 1_000;

export interface NatsBrokerOptions {
  servers: string | string[];
  name?: string;
  /** Told when connecting moved messages off renamed subjects (contracts.ts RENAMED_*). */
  onRenamedSubjects?: (report: RenamedSubjectsReport) => void;
}

/** Jobs and events on JetStream (work-queue and limits streams), progress and control on core NATS. */
export class NatsBroker implements Broker {
  readonly kind = 'nats' as const;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: BusNames,
  ) {}

  static async connect(opts: NatsBrokerOptions, names: BusNames): Promise<NatsBroker> {
    // A service outlives NATS restarts: reconnect for as long as it takes (nats.js gives up after
    // 10 tries, ~20 s, by default, and a closed connection never comes back).
    const nc = await connect({ servers: opts.servers, name: opts.name ?? 'grokwatch', maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, jobsStreamConfig(names.jobsStream, names.jobsWildcard));
      await ensureStream(jsm, eventsStreamConfig(names.eventsStream, names.eventsWildcard));
      const js = jetstream(nc);
      const renamed = await moveRenamedSubjects(jsm, js, names);
      if (renamed.moved + renamed.consumersRemoved > 0) opts.onRenamedSubjects?.(renamed);
      return new NatsBroker(nc, js, jsm, names);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  async publishPersisted(_stream: 'jobs' | 'events', subject: string, data: Uint8Array, msgId?: string): Promise<void> {
    await this.js.publish(subject, data, msgId === undefined ? undefined : { msgID: msgId });
  }

  async consumer(spec: ConsumerSpec): Promise<DeliverySource> {
    const stream = spec.stream === 'jobs' ? this.names.jobsStream : this.names.eventsStream;
    await ensureConsumer(this.jsm, stream, spec);
    const consumer = await this.js.consumers.get(stream, spec.name);
    return { pull: (max) => pull(consumer, max) };
  }

  publishCore(subject: string, data: Uint8Array): void {
    this.nc.publish(subject, data);
  }

  subscribeCore(subject: string, onMessage: (data: Uint8Array, subject: string) => void): () => void {
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (!err) onMessage(msg.data, msg.subject);
      },
    });
    return () => sub.unsubscribe();
  }

  flush(): Promise<void> {
    return this.nc.flush();
  }

  async close(): Promise<void> {
    // drain() flushes pending acks and publishes before closing.
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

/**
 * One pull request for exactly `max` messages; never more than the caller can start, so no
 * message waits in a client buffer while its ackWait runs. Not cut short by stop(): cutting a
 * pending pull could strand a message the server already sent until its ackWait expires.
 */
async function* pull(consumer: Consumer, max: number): AsyncIterable<Delivery> {
  const messages = await consumer.fetch({ max_messages: max, expires: PULL_EXPIRES_MS });
  for await (const m of messages) yield toDelivery(m);
}

function toDelivery(m: JsMsg): Delivery {
  return {
    data: m.data,
    attempt: m.info.deliveryCount,
    ack: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs > 0 ? delayMs : undefined),
    // No reason text: servers before 2.10.4 do not recognise "+TERM <reason>" and would ignore the term.
    term: () => m.term(),
    working: () => m.working(),
  };
}
