import { MemoryConsumer, type StoredMessage } from './memory-consumer.js';
import type { ConsumerSpec } from '../runtime/broker.js';

export interface MemoryStreamConfig {
  name: string;
  retention: 'workqueue' | 'limits';
  duplicateWindowMs: number;
  /** limits retention only: oldest messages beyond these are dropped. */
  maxMessages?: number;
  maxAgeMs?: number;
}

/**
 * A JetStream stream in memory. Work-queue retention: a message is removed once its consumer acks
 * or terminates it. Limits retention: messages stay (up to maxMessages / maxAgeMs) and every
 * consumer keeps its own position.
 */
export class MemoryStream {
  private lastSeq = 0;
  /** Per subject, ascending by seq; removed messages are flagged and compacted away from the front. */
  private readonly bySubject = new Map<string, StoredMessage[]>();
  private readonly order: StoredMessage[] = [];
  private readonly dedupe = new Map<string, number>();
  private live = 0;
  readonly consumers = new Map<string, MemoryConsumer>();

  constructor(readonly config: MemoryStreamConfig) {}

  get retention(): 'workqueue' | 'limits' {
    return this.config.retention;
  }

  get sequence(): number {
    return this.lastSeq;
  }

  /** Returns false if `msgId` was already published inside the duplicate window. */
  publish(subject: string, data: Uint8Array, msgId: string | undefined, now = Date.now()): boolean {
    if (msgId !== undefined) {
      for (const [id, until] of this.dedupe) if (until < now) this.dedupe.delete(id);
      if (this.dedupe.has(msgId)) return false;
      this.dedupe.set(msgId, now + this.config.duplicateWindowMs);
    }
    const msg: StoredMessage = { seq: ++this.lastSeq, subject, data: data.slice(), time: now, removed: false };
    let list = this.bySubject.get(subject);
    if (!list) this.bySubject.set(subject, (list = []));
    list.push(msg);
    this.order.push(msg);
    this.live++;
    this.enforceLimits(now);
    for (const c of this.consumers.values()) if (c.spec.filterSubject === subject) c.notify();
    return true;
  }

  /** The first live message on `subject` with seq > `afterSeq`. */
  nextAfter(subject: string, afterSeq: number): StoredMessage | undefined {
    const list = this.bySubject.get(subject);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length; i++) if (!list[i].removed) return list[i];
    return undefined;
  }

  remove(msg: StoredMessage): void {
    if (msg.removed) return;
    msg.removed = true;
    this.live--;
    this.compact();
  }

  ensureConsumer(spec: ConsumerSpec): MemoryConsumer {
    const existing = this.consumers.get(spec.name);
    if (existing) {
      existing.update(spec);
      return existing;
    }
    if (this.retention === 'workqueue') {
      for (const c of this.consumers.values()) {
        if (c.spec.filterSubject === spec.filterSubject) {
          throw new Error(`work-queue stream ${this.config.name}: subject ${spec.filterSubject} already has consumer ${c.spec.name}`);
        }
      }
    }
    const consumer = new MemoryConsumer(this, spec, spec.deliver === 'new' ? this.lastSeq : 0);
    this.consumers.set(spec.name, consumer);
    return consumer;
  }

  private enforceLimits(now: number): void {
    const { maxMessages, maxAgeMs } = this.config;
    if (this.retention !== 'limits') return;
    for (const m of this.order) {
      if (m.removed) continue;
      const tooMany = maxMessages !== undefined && this.live > maxMessages;
      const tooOld = maxAgeMs !== undefined && now - m.time > maxAgeMs;
      if (!tooMany && !tooOld) break;
      m.removed = true;
      this.live--;
    }
    this.compact();
  }

  /** Drop removed messages from the front of the lists (amortized; a removed message in the middle waits). */
  private compact(): void {
    let n = 0;
    while (n < this.order.length && this.order[n].removed) n++;
    if (n > 0 && n * 2 >= this.order.length) {
      this.order.splice(0, n);
      for (const [subject, list] of this.bySubject) {
        let k = 0;
        while (k < list.length && list[k].removed) k++;
        if (k === list.length) this.bySubject.delete(subject);
        else if (k > 0) list.splice(0, k);
      }
    }
  }
}
