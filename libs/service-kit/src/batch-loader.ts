// Batching of the lookups GraphQL makes once per parent (a checkpoint's jobs, a run's checkpoints,
// an entity by id): every load() made before the event loop turns is answered by one fetch per
// group of arguments (e.g. per page window). Nothing is cached: a later load fetches again, so a
// read never sees a result older than its own request.

interface Waiter<V> {
  resolve(value: V): void;
  reject(err: unknown): void;
}

interface PendingGroup<G, V> {
  group: G;
  keys: Map<string, Waiter<V>[]>;
}

export class BatchLoader<G, V> {
  private pending = new Map<string, PendingGroup<G, V>>();
  private scheduled = false;

  /**
   * `fetch` answers many keys of one group at once; a key missing from its answer gets `absent`.
   * `groupKey` says which loads share a fetch (default: equal JSON).
   */
  constructor(
    private readonly fetch: (keys: readonly string[], group: G) => Promise<ReadonlyMap<string, V>>,
    private readonly absent: V,
    private readonly groupKey: (group: G) => string = (g) => JSON.stringify(g) ?? '',
  ) {}

  load(key: string, group: G): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const id = this.groupKey(group);
      let pending = this.pending.get(id);
      if (!pending) this.pending.set(id, (pending = { group, keys: new Map() }));
      const waiters = pending.keys.get(key) ?? [];
      waiters.push({ resolve, reject });
      pending.keys.set(key, waiters);
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current turn's microtasks: a list's resolvers all ask before the batch goes out.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batches = [...this.pending.values()];
    this.pending = new Map();
    this.scheduled = false;
    await Promise.all(
      batches.map(async ({ group, keys }) => {
        try {
          const found = await this.fetch([...keys.keys()], group);
          for (const [key, waiters] of keys) for (const w of waiters) w.resolve(found.get(key) ?? this.absent);
        } catch (err) {
          for (const waiters of keys.values()) for (const w of waiters) w.reject(err);
        }
      }),
    );
  }
}

/** Rows grouped by a key, in their order; for answering a batch from one query. */
export function groupRows<R>(rows: readonly R[], keyOf: (row: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = out.get(key);
    if (list) list.push(row);
    else out.set(key, [row]);
  }
  return out;
}
