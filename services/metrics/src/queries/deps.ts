// What the read-side use cases need: both stores, read-only. A read never queues a computation.
import type { MetricsStore } from '../store/metrics-store.js';
import type { SourceStore } from '../store/source-store.js';
import type { ParamArgs, ProbeSetSelector } from './targets.js';

export interface QueryDeps {
  store: MetricsStore;
  sources: SourceStore;
}

/** Which results a query reads: probe set, parameters (as GraphQL gives them) and group. */
export interface ResultSelector extends ProbeSetSelector, ParamArgs {
  group: string;
}
