import type { ConsumerSpec } from '../runtime/broker.js';
import type { Delivery } from '../runtime/delivery.js';
import type { MemoryStream } from './memory-stream.js';

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly time: number;
  removed: boolean;
}

/** Delivery bookkeeping of one message on one consumer. */
interface MessageState {
  msg: StoredMessage;
  count: number;
  /** Identifies the latest delivery; nak/working from an older one are ignored, like JetStream. */
  deliveryId: number;
  inFlight: boolean;
  timer?: NodeJS.Timeout;
}

/** How long one pull waits for messages, as the NATS source's pull expiry. */
const PULL_WAIT_MS = 1_000;

/**
 * A durable pull consumer in memory, mirroring JetStream's explicit-ack consumer: a delivered
 * message is redelivered if it is nak'ed (after the given delay) or neither acked nor heartbeated
 * within ackWait, until it has been delivered maxDeliver times. Consumers sharing it share work.
 */
export class MemoryConsumer {
  private cursor: number;
  private nextDeliveryId = 1;
  private readonly states = new Map<number, MessageState>();
  /** Seqs due for redelivery, lowest first. */
  private readonly due: number[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly stream: MemoryStream,
    public spec: ConsumerSpec,
    startAfterSeq: number,
  ) {
    this.cursor = startAfterSeq;
  }

  update(spec: ConsumerSpec): void {
    if (spec.filterSubject !== this.spec.filterSubject) {
      throw new Error(`consumer ${spec.name}: filter subject is ${this.spec.filterSubject}, cannot change to ${spec.filterSubject}`);
    }
    this.spec = { ...spec, deliver: this.spec.deliver };
  }

  notify(): void {
    for (const wake of this.waiters) wake();
  }

  async *pull(max: number, signal: AbortSignal): AsyncIterable<Delivery> {
    const deadline = Date.now() + PULL_WAIT_MS;
    let yielded = 0;
    while (yielded < max && !signal.aborted) {
      const d = this.take();
      if (d) {
        yielded++;
        yield d;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) return;
      await this.waitForWork(left, signal);
    }
  }

  private take(): Delivery | undefined {
    while (this.due.length > 0) {
      const state = this.states.get(this.due.shift()!);
      if (state && !state.msg.removed && !state.inFlight) return this.deliver(state);
    }
    const msg = this.stream.nextAfter(this.spec.filterSubject, this.cursor);
    if (!msg) return undefined;
    this.cursor = msg.seq;
    const state: MessageState = { msg, count: 0, deliveryId: 0, inFlight: false };
    this.states.set(msg.seq, state);
    return this.deliver(state);
  }

  private deliver(state: MessageState): Delivery {
    state.count++;
    state.inFlight = true;
    const id = (state.deliveryId = this.nextDeliveryId++);
    this.armAckWait(state);
    const current = () => state.deliveryId === id && state.inFlight && this.states.get(state.msg.seq) === state;
    return {
      data: state.msg.data.slice(),
      attempt: state.count,
      // An ack (or term) from an older delivery still settles the message, as on JetStream.
      ack: () => this.settle(state),
      term: () => this.settle(state),
      nak: (delayMs) => {
        if (!current()) return;
        clearTimeout(state.timer);
        state.inFlight = false;
        this.scheduleRedelivery(state, delayMs);
      },
      working: () => {
        if (current()) this.armAckWait(state);
      },
    };
  }

  private armAckWait(state: MessageState): void {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.inFlight = false;
      this.scheduleRedelivery(state, 0);
    }, this.spec.ackWaitMs);
    state.timer.unref();
  }

  private scheduleRedelivery(state: MessageState, delayMs: number): void {
    // Delivered maxDeliver times: JetStream stops delivering it (it stays in the stream).
    if (state.count >= this.spec.maxDeliver) return;
    const enqueue = () => {
      if (this.states.get(state.msg.seq) !== state || state.inFlight) return;
      insertSorted(this.due, state.msg.seq);
      this.notify();
    };
    if (delayMs <= 0) return enqueue();
    state.timer = setTimeout(enqueue, delayMs);
    state.timer.unref();
  }

  private settle(state: MessageState): void {
    if (this.states.get(state.msg.seq) !== state) return;
    clearTimeout(state.timer);
    this.states.delete(state.msg.seq);
    if (this.stream.retention === 'workqueue') this.stream.remove(state.msg);
  }

  private waitForWork(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1] > value) i--;
  if (list[i - 1] !== value) list.splice(i, 0, value);
}
