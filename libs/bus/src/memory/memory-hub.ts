import { MemoryStream, type MemoryStreamConfig } from './memory-stream.js';
import { subjectMatches } from './subject-match.js';

type CoreHandler = (data: Uint8Array, subject: string) => void;

/**
 * The in-process stand-in for a NATS server: streams by name plus core pub/sub. Several buses
 * connected to one hub behave like several connections to one server (shared work queues,
 * fan-out of progress and cancel requests); a bus without a hub gets a private one.
 */
export class MemoryHub {
  private readonly streams = new Map<string, MemoryStream>();
  private readonly subscriptions = new Set<{ pattern: string; handler: CoreHandler }>();

  /** Create the stream or return the existing one (its retention must match). */
  stream(config: MemoryStreamConfig): MemoryStream {
    const existing = this.streams.get(config.name);
    if (existing) {
      if (existing.retention !== config.retention) {
        throw new Error(`stream ${config.name} exists with retention ${existing.retention}, not ${config.retention}`);
      }
      return existing;
    }
    const created = new MemoryStream(config);
    this.streams.set(config.name, created);
    return created;
  }

  /** Removes a stream with its messages and consumers (test cleanup). */
  deleteStream(name: string): boolean {
    return this.streams.delete(name);
  }

  publish(subject: string, data: Uint8Array): void {
    for (const sub of this.subscriptions) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      const copy = data.slice();
      // Asynchronous like a network round trip, so publishers never run subscriber code inline.
      queueMicrotask(() => {
        if (this.subscriptions.has(sub)) sub.handler(copy, subject);
      });
    }
  }

  subscribe(pattern: string, handler: CoreHandler): () => void {
    const sub = { pattern, handler };
    this.subscriptions.add(sub);
    return () => void this.subscriptions.delete(sub);
  }
}
