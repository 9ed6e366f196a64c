// Concurrent and repeated reads of what rarely changes (a series, a run's checkpoints: a dashboard
// opened by many people, a script polling) share one database round instead of each doing it again.
// The service that owns the data empties the cache whenever it learns of a change (its own writes,
// job status changes on the bus, which every instance hears); an entry also expires after maxAgeMs,
// in case a message was lost or a change came without one.

export interface ReadCacheOptions {
  maxEntries: number;
  maxAgeMs: number;
}

export const READ_CACHE_DEFAULTS: ReadCacheOptions = { maxEntries: 2_000, maxAgeMs: 5_000 };

export class ReadCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(private readonly opts: ReadCacheOptions = READ_CACHE_DEFAULTS) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  /** The cached answer for `key`, or `load()`'s (shared by every caller until it settles; a failure is not kept). */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at <= this.opts.maxAgeMs) {
      // Most recently used last, so the oldest is evicted first.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}

/**
 * A service's reads through an optional cache: they go straight to `load` until start() and after
 * the stop it returns. The service says when something changed: its own writes (changed()), and
 * whatever `watch` reports (job status changes on the bus).
 */
export class ServiceReads {
  private cache: ReadCache | null = null;

  start(options: ReadCacheOptions, watch: (changed: () => void) => { stop(): Promise<void> }): { stop(): Promise<void> } {
    const cache = new ReadCache(options);
    const watcher = watch(() => cache.clear());
    this.cache = cache;
    return {
      stop: async () => {
        if (this.cache === cache) this.cache = null;
        await watcher.stop();
      },
    };
  }

  read<T>(kind: string, key: readonly unknown[], load: () => Promise<T>): Promise<T> {
    return this.cache === null ? load() : this.cache.get(JSON.stringify([kind, ...key]), load);
  }

  changed(): void {
    this.cache?.clear();
  }
}
