// What the read-side use cases need: both stores and a way to queue a missing computation.
import type { MetricsParams } from '../params.js';
import type { MetricsJob, MetricsStore } from '../store/metrics-store.js';
import type { SourceStore } from '../store/source-store.js';
import type { ProbeSetSelector } from './targets.js';

export interface QueryDeps {
  store: MetricsStore;
  sources: SourceStore;
  /** Queues a computation unless one with these parameters exists (MetricsService.requestMetrics). */
  request(checkpointId: string, probeSetId: string, params: MetricsParams): Promise<MetricsJob>;
}

/** Which results a query reads: probe set, parameters (as GraphQL gives them) and group. */
export interface ResultSelector extends ProbeSetSelector {
  threshold: number;
  unit: string;
  normalized: boolean;
  pairs?: number | null;
  seed?: number | null;
  group: string;
}
