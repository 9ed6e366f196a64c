// Use cases of the metrics service: react to captures, queue metric computations.
import type { Bus, Stoppable } from '@grokwatch/bus';
import type { Logger } from '@grokwatch/service-kit';
import type { MetricsStore } from './store/metrics-store.js';

/** Parameters used when a capture completes and nobody asked for anything else (method.md defaults). */
export const DEFAULT_METRICS_PARAMS: Record<string, unknown> = { threshold: 0.7, unit: 'char' };

export class MetricsService {
  constructor(readonly store: MetricsStore, private readonly bus: Bus, private readonly logger: Logger) {}

  /** Queues a computation unless the same parameters were already computed or queued. */
  async requestMetrics(checkpointId: string, probeSetId: string, params: Record<string, unknown> = DEFAULT_METRICS_PARAMS) {
    const { job, created } = await this.store.upsertJob(checkpointId, probeSetId, params);
    if (created) {
      await this.bus.publishJob('metrics', { jobId: job.id, checkpointId, probeSetId, params });
      this.logger.info({ jobId: job.id, checkpointId, probeSetId }, 'metrics queued');
    }
    return job;
  }

  /** Every completed capture gets the default metrics. */
  listenForCaptures(): Promise<Stoppable> {
    return this.bus.subscribeEvents(
      'capture.completed',
      async (e) => void (await this.requestMetrics(e.checkpointId, e.probeSetId)),
      { durable: 'metrics-on-capture' },
    );
  }
}
