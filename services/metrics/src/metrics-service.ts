// Use cases of the metrics service: react to captures, queue metric computations, run the worker,
// and answer the read-side queries. Resolvers and bus handlers call these.
import type { Kysely } from 'kysely';
import type { Bus, Stoppable } from '@grokwatch/bus';
import { DistanceEngine } from '@grokwatch/pathway';
import type { Logger } from '@grokwatch/service-kit';
import { DEFAULT_METRICS_PARAMS, parseMetricsParams } from './params.js';
import { correlation, type CorrelationRequest, type CorrelationView } from './queries/correlation-query.js';
import type { QueryDeps, ResultSelector } from './queries/deps.js';
import { memorization, type MemorizationRequest, type MemorizationView } from './queries/memorization-query.js';
import type { MetricName } from './queries/metric-names.js';
import { pathwayMetrics, type PathwayMetricsView } from './queries/pathway-query.js';
import { metricSeries, type MetricPoint } from './queries/series.js';
import type { MetricsJob, MetricsStore } from './store/metrics-store.js';
import { AlertStore, type GrokkingAlert } from './store/alert-store.js';
import { checkForGrokking } from './grokking/grokking-watch.js';
import { SourceStore, type SourceTables } from './store/source-store.js';
import { startMetricsWorker, type MetricsWorkerOptions } from './worker/metrics-worker.js';

export { DEFAULT_METRICS_PARAMS } from './params.js';

export interface MetricsServiceOptions {
  /**
   * Read access to the inference and evaluation schemas. Default: the metrics store's own
   * connection, since every service's schema lives in the same database.
   */
  sources?: SourceStore;
  /** Distance worker threads; default os.availableParallelism(). */
  threads?: number;
  /** Receives a JSON POST for every detected grokking phase. */
  webhookUrl?: string;
}

export class MetricsService {
  readonly sources: SourceStore;
  readonly alerts: AlertStore;
  private readonly threads: number | undefined;
  private readonly webhookUrl: string | undefined;

  constructor(
    readonly store: MetricsStore,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: MetricsServiceOptions = {},
  ) {
    this.sources = options.sources ?? new SourceStore(store.db as unknown as Kysely<SourceTables>);
    this.threads = options.threads;
    this.alerts = new AlertStore(store.db);
    this.webhookUrl = options.webhookUrl;
  }

  /** Each completed computation may complete a grokking phase of its series (method.md section 3). */
  listenForGrokking(): Promise<Stoppable> {
    return this.bus.subscribeEvents(
      'metrics.completed',
      async (e) => {
        const job = await this.store.getJob(e.jobId);
        if (job?.status !== 'completed') return;
        await checkForGrokking(this.queryDeps(), { bus: this.bus, alerts: this.alerts, logger: this.logger, webhookUrl: this.webhookUrl }, job);
      },
      { durable: 'metrics-grokking' },
    );
  }

  grokkingAlerts(runId: string): Promise<GrokkingAlert[]> {
    return this.alerts.listForRun(runId);
  }

  /** Queues a computation unless the same parameters were already computed or queued. */
  async requestMetrics(checkpointId: string, probeSetId: string, params: Record<string, unknown> = DEFAULT_METRICS_PARAMS): Promise<MetricsJob> {
    const canonical = parseMetricsParams(params);
    const { job, created } = await this.store.upsertJob(checkpointId, probeSetId, canonical);
    if (created) {
      try {
        await this.publish(job);
      } catch (err) {
        // A job row nobody will ever receive would block these parameters for good: drop it, so
        // the next request queues it again.
        await this.store.deleteQueuedJob(job.id);
        throw err;
      }
    }
    return job;
  }

  /** Failed computations of a (checkpoint, probe set) are queued again, under new job ids. */
  async retryFailedJobs(checkpointId: string, probeSetId: string): Promise<MetricsJob[]> {
    const retried: MetricsJob[] = [];
    for (const failed of await this.store.listFailedJobs(checkpointId, probeSetId)) {
      const job = await this.store.replaceFailedJob(failed.id);
      if (job) {
        await this.publish(job);
        retried.push(job);
      }
    }
    return retried;
  }

  /**
   * Every completed capture gets the default metrics at each of its run's thresholds, and a new
   * chance for computations that failed on its data.
   */
  listenForCaptures(): Promise<Stoppable> {
    return this.bus.subscribeEvents(
      'capture.completed',
      async (e) => {
        await this.retryFailedJobs(e.checkpointId, e.probeSetId);
        const thresholds = await this.sources.runThresholds(e.checkpointId);
        for (const threshold of thresholds.length > 0 ? thresholds : [DEFAULT_METRICS_PARAMS.threshold]) {
          await this.requestMetrics(e.checkpointId, e.probeSetId, { ...DEFAULT_METRICS_PARAMS, threshold });
        }
      },
      { durable: 'metrics-on-capture' },
    );
  }

  /**
   * Consumes jobs.metrics in this process, with distance threads of its own that stop with it. With the
   * in-process bus, jobs that were queued or running when the process last stopped exist only in
   * the database, so they are published again (JetStream keeps its own messages).
   */
  async startWorker(opts: MetricsWorkerOptions = {}): Promise<Stoppable> {
    if (this.bus.kind === 'memory') {
      for (const status of ['queued', 'running'] as const) {
        for (const job of await this.store.listJobs({ status })) await this.publish(job);
      }
    }
    // Threads start on the first large group, not here; idle ones do not keep the process alive.
    const engine = new DistanceEngine(this.threads === undefined ? {} : { threads: this.threads });
    const consumer = await startMetricsWorker({ store: this.store, sources: this.sources, bus: this.bus, engine, logger: this.logger }, opts);
    return {
      stop: async () => {
        await consumer.stop();
        await engine.close();
      },
    };
  }

  pathwayMetrics(checkpointId: string, sel: ResultSelector): Promise<PathwayMetricsView> {
    return pathwayMetrics(this.queryDeps(), checkpointId, sel);
  }

  metricSeries(runId: string, metric: MetricName, sel: ResultSelector): Promise<MetricPoint[]> {
    return metricSeries(this.queryDeps(), runId, metric, sel);
  }

  memorization(runId: string, req: MemorizationRequest): Promise<MemorizationView | null> {
    return memorization(this.queryDeps(), runId, req);
  }

  correlation(runId: string, req: CorrelationRequest): Promise<CorrelationView> {
    return correlation(this.queryDeps(), runId, req);
  }

  private queryDeps(): QueryDeps {
    return { store: this.store, sources: this.sources, request: (c, p, params) => this.requestMetrics(c, p, params) };
  }

  private async publish(job: MetricsJob): Promise<void> {
    const { id: jobId, checkpoint_id: checkpointId, probe_set_id: probeSetId } = job;
    await this.bus.publishJob('metrics', { jobId, checkpointId, probeSetId, params: job.params });
    this.logger.info({ jobId, checkpointId, probeSetId, params: job.params }, 'metrics queued');
  }
}
