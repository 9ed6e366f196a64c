// Use cases of the metrics service: react to captures by computing the run's metric variants, take
// the mutations that add or cancel computations, run the worker, and answer the read-side queries
// (which never queue work). Resolvers and bus handlers call these.
import { startOutboxRelay, type AnyKysely, type PageWindow } from '@grokwatch/db';
import type { Kysely } from 'kysely';
import { onJobStatusChange, publishStoredEvent, type Bus, type Stoppable } from '@grokwatch/bus';
import { DistanceEngine, scheduleChanges, type ScheduleChange } from '@grokwatch/pathway';
import { BatchLoader, READ_CACHE_DEFAULTS, ServiceReads, type Logger, type ReadCacheOptions } from '@grokwatch/service-kit';
import { DEFAULT_METRICS_PARAMS, parseMetricsParams } from './params.js';
import { correlation, type CorrelationRequest, type CorrelationView } from './queries/correlation-query.js';
import type { QueryDeps, ResultSelector } from './queries/deps.js';
import { memorization, type MemorizationRequest, type MemorizationView } from './queries/memorization-query.js';
import type { MetricName } from './queries/metric-names.js';
import { pathwayMetrics, type PathwayMetricsView } from './queries/pathway-query.js';
import { metricSeries, type MetricSeriesView } from './queries/series.js';
import {
  cancelMetrics,
  queueRunVariants,
  requestVariant,
  runVariants,
  type CancelRequest,
  type CancelView,
  type CommandDeps,
  type RunVariant,
  type VariantRequest,
  type VariantRequestView,
} from './commands/variants.js';
import type { MetricsJob, MetricsStore } from './store/metrics-store.js';
import { AlertStore, type GrokkingAlert } from './store/alert-store.js';
import { checkRunForGrokking, judgedVariant } from './grokking/grokking-watch.js';
import { checkpointHealthQuery, checkRunForCollapse, runHealthQuery, type CheckpointHealth } from './health/routing-health.js';
import { RoutingAlertStore, type RoutingAlert } from './health/routing-alert-store.js';
import type { ProbeSetSelector } from './queries/targets.js';
import { SourceStore, type SourceTables } from './store/source-store.js';
import type { TextEmbedder } from './groups/group-pairing.js';
import { GroupStore, type StoredPairing, type TestItem, type TestItemFilter } from './groups/group-store.js';
import { GroupWatch } from './groups/group-watch.js';
import { groupPairingView, testGroupsView, type TestGroupsView } from './queries/groups-query.js';
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
  /** Opens the sentence-embedding model a run names for group pairing (default: a SentenceEmbedder on onnxruntime). */
  openEmbedder?: (path: string) => Promise<TextEmbedder>;
}

export class MetricsService {
  readonly sources: SourceStore;
  readonly alerts: AlertStore;
  readonly routingAlerts: RoutingAlertStore;
  readonly groups: GroupStore;
  private readonly openEmbedder: ((path: string) => Promise<TextEmbedder>) | undefined;
  private readonly threads: number | undefined;
  /** One pool of distance threads for the worker and the group watch: two would oversubscribe the cores. */
  private distances: { engine: DistanceEngine; users: number } | null = null;
  private readonly webhookUrl: string | undefined;
  private readonly reads = new ServiceReads();
  private readonly jobsOfCheckpoint: BatchLoader<PageWindow, MetricsJob[]>;

  constructor(
    readonly store: MetricsStore,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: MetricsServiceOptions = {},
  ) {
    this.sources = options.sources ?? new SourceStore(store.db as unknown as Kysely<SourceTables>);
    this.threads = options.threads;
    this.alerts = new AlertStore(store.db);
    this.routingAlerts = new RoutingAlertStore(store.db);
    this.groups = new GroupStore(store.db);
    this.jobsOfCheckpoint = new BatchLoader<PageWindow, MetricsJob[]>((ids, page) => store.jobsOfCheckpoints(ids, page), []);
    this.openEmbedder = options.openEmbedder;
    this.webhookUrl = options.webhookUrl;
  }

  /**
   * Each completed computation may complete a grokking phase of its series (method.md section 3).
   * An alert is stored with its grokking.detected event in one transaction; the outbox relay started
   * here publishes it, so an alert is never stored without being announced (or announced unstored).
   */
  async listenForGrokking(): Promise<Stoppable> {
    const relay = startOutboxRelay({
      db: this.store.db as unknown as AnyKysely,
      schema: 'metrics',
      publish: (e) => publishStoredEvent(this.bus, e),
      onError: (err) => this.logger.warn({ err: (err as Error).message }, 'outbox: alerts wait for the bus'),
    });
    const subscription = await this.bus
      .subscribeEvents(
        'metrics.completed',
        async (e) => {
          const job = await this.store.getJob(e.jobId);
          if (job?.status !== 'completed') return;
          const checkpoint = await this.sources.getCheckpoint(job.checkpoint_id);
          if (!checkpoint || !(await judgedVariant(this.queryDeps(), checkpoint.runId, job))) return;
          await checkRunForGrokking(this.queryDeps(), { alerts: this.alerts, outbox: relay, logger: this.logger, webhookUrl: this.webhookUrl }, checkpoint.runId);
        },
        { durable: 'metrics-grokking' },
      )
      .catch(async (err: unknown) => {
        await relay.stop();
        throw err;
      });
    // A probe set complete at a checkpoint may show its routing collapsing (health/routing-health.ts).
    const collapse = await this.bus
      .subscribeEvents(
        'capture.completed',
        async (e) => {
          const checkpoint = await this.sources.getCheckpoint(e.checkpointId);
          if (!checkpoint) return;
          await checkRunForCollapse(this.queryDeps(), { alerts: this.routingAlerts, outbox: relay, logger: this.logger, webhookUrl: this.webhookUrl }, checkpoint.runId);
        },
        { durable: 'metrics-collapse' },
      )
      .catch(async (err: unknown) => {
        await subscription.stop();
        await relay.stop();
        throw err;
      });
    return {
      async stop() {
        await subscription.stop();
        await collapse.stop();
        await relay.stop();
      },
    };
  }

  /**
   * Keeps test groups and group pairings current (groups/group-watch.ts): every completed evaluation
   * or capture, and every change of a run's settings, refreshes what it changed.
   */
  async listenForGroups(): Promise<Stoppable> {
    const { engine, release } = this.distanceEngine();
    const watch = new GroupWatch({ ...this.queryDeps(), groups: this.groups, engine, logger: this.logger, ...(this.openEmbedder ? { openEmbedder: this.openEmbedder } : {}) });
    const refresh = async (runId: string): Promise<void> => {
      const report = await watch.refresh(runId);
      if (report.testGroups.length + report.pairings.length > 0) this.reads.changed();
    };
    const runOf = async (checkpointId: string): Promise<string | undefined> => (await this.sources.getCheckpoint(checkpointId))?.runId;
    const stops: Stoppable[] = [];
    try {
      stops.push(
        await this.bus.subscribeEvents(
          'evaluation.completed',
          async (e) => {
            const runId = await runOf(e.checkpointId);
            if (runId) await refresh(runId);
          },
          { durable: 'metrics-groups-evaluation' },
        ),
      );
      stops.push(
        await this.bus.subscribeEvents(
          'capture.completed',
          async (e) => {
            const runId = await runOf(e.checkpointId);
            if (runId) await refresh(runId);
          },
          { durable: 'metrics-groups-capture' },
        ),
      );
      stops.push(await this.bus.subscribeEvents('run.configured', (e) => refresh(e.runId), { durable: 'metrics-groups-configured' }));
    } catch (err) {
      for (const s of stops) await s.stop();
      await release();
      throw err;
    }
    return {
      async stop() {
        for (const s of stops) await s.stop();
        await release();
      },
    };
  }

  testGroups(runId: string, task: string): Promise<TestGroupsView | null> {
    return this.reads.read('testGroups', [runId, task], () => testGroupsView(this.groups, runId, task));
  }

  testItems(runId: string, task: string, filter: TestItemFilter, page: PageWindow): Promise<TestItem[]> {
    return this.reads.read('testItems', [runId, task, filter, page], () => this.groups.listTestItems(runId, task, filter, page));
  }

  groupPairing(runId: string, sel: ProbeSetSelector): Promise<StoredPairing | null> {
    return this.reads.read('groupPairing', [runId, sel], () => groupPairingView(this.queryDeps(), this.groups, runId, sel));
  }

  /** A page of a checkpoint's computations (batched with its siblings' in one query). */
  checkpointJobs(checkpointId: string, page: PageWindow): Promise<MetricsJob[]> {
    return this.jobsOfCheckpoint.load(checkpointId, page);
  }

  grokkingAlerts(runId: string, page?: PageWindow): Promise<GrokkingAlert[]> {
    return this.alerts.listForRun(runId, page);
  }

  routingCollapseAlerts(runId: string, page?: PageWindow): Promise<RoutingAlert[]> {
    return this.routingAlerts.listForRun(runId, page);
  }

  checkpointRoutingHealth(checkpointId: string, sel: ProbeSetSelector): Promise<CheckpointHealth> {
    return checkpointHealthQuery(this.queryDeps(), checkpointId, sel);
  }

  runRoutingHealth(runId: string, sel: ProbeSetSelector, page: PageWindow): Promise<CheckpointHealth[]> {
    return runHealthQuery(this.queryDeps(), runId, sel, page);
  }

  /** Step changes of the optimizer settings the run's checkpoints report. */
  async scheduleChanges(runId: string): Promise<ScheduleChange[]> {
    return scheduleChanges(await this.sources.listRunCheckpoints(runId));
  }

  /** Queues a computation unless the same parameters were already computed or queued. */
  async queueMetrics(checkpointId: string, probeSetId: string, params: Record<string, unknown> = DEFAULT_METRICS_PARAMS): Promise<MetricsJob> {
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
      const job = await this.requeue(failed);
      if (job) retried.push(job);
    }
    return retried;
  }

  /**
   * Every completed capture gets each of its run's metric variants (defaults at the run's
   * thresholds, plus requested ones), and a new chance for computations that failed on its data.
   */
  async listenForCaptures(): Promise<Stoppable> {
    // A deleted run's checkpoints lose their computations here too (running ones cancelled first).
    const deletions = await this.bus.subscribeEvents(
      'run.deleted',
      async (e) => {
        const ids = e.checkpointIds.filter((x): x is string => typeof x === 'string');
        for (const job of await this.store.activeJobsAt(ids)) await this.cancelJob(job);
        const deleted = await this.store.deleteRun(e.runId, ids);
        this.reads.changed();
        this.logger.info({ runId: e.runId, deleted }, 'metrics of a deleted run dropped');
      },
      { durable: 'metrics-run-deleted' },
    );
    const probeSetDeletions = await this.bus
      .subscribeEvents(
        'probeSet.deleted',
        async (e) => {
          for (const job of await this.store.listJobs({ probeSetId: e.probeSetId })) {
            if (job.status === 'queued' || job.status === 'running') await this.cancelJob(job);
          }
          const deleted = await this.store.deleteProbeSet(e.probeSetId);
          this.reads.changed();
          this.logger.info({ probeSetId: e.probeSetId, deleted }, 'metrics of a deleted probe set dropped');
        },
        { durable: 'metrics-probe-set-deleted' },
      )
      .catch(async (err: unknown) => {
        await deletions.stop();
        throw err;
      });
    const captures = await this.bus
      .subscribeEvents(
        'capture.completed',
        async (e) => {
          await this.retryFailedJobs(e.checkpointId, e.probeSetId);
          const checkpoint = await this.sources.getCheckpoint(e.checkpointId);
          const probeSet = await this.sources.getProbeSet(e.probeSetId);
          if (!checkpoint || !probeSet) return;
          await queueRunVariants(this.commandDeps(), checkpoint.runId, checkpoint.id, probeSet);
        },
        { durable: 'metrics-on-capture' },
      )
      .catch(async (err: unknown) => {
        await deletions.stop();
        await probeSetDeletions.stop();
        throw err;
      });
    return {
      async stop() {
        await captures.stop();
        await deletions.stop();
        await probeSetDeletions.stop();
      },
    };
  }

  runVariants(runId: string): Promise<RunVariant[]> {
    return runVariants(this.commandDeps(), runId);
  }

  // A mutation changes what reads report (a series' pending count): the cache goes with it.
  async requestVariant(runId: string, req: VariantRequest): Promise<VariantRequestView> {
    const view = await requestVariant(this.commandDeps(), runId, req);
    this.reads.changed();
    return view;
  }

  async cancelMetrics(runId: string, req: CancelRequest): Promise<CancelView> {
    const view = await cancelMetrics(this.commandDeps(), runId, req);
    this.reads.changed();
    return view;
  }

  /** Cancels one queued or running computation; a settled one is returned as it is. */
  async cancelJob(job: MetricsJob): Promise<MetricsJob> {
    if (job.status !== 'queued' && job.status !== 'running') return job;
    await this.store.setStatus(job.id, 'cancelled', 'cancelled');
    await this.bus.cancelJob('metrics', job.id);
    this.bus.publishProgress({ kind: 'metrics', jobId: job.id, done: 0, total: 1, status: 'cancelled' });
    this.logger.info({ jobId: job.id }, 'metrics cancelled');
    this.reads.changed();
    return (await this.store.getJob(job.id)) ?? job;
  }

  /**
   * Consumes jobs.metrics in this process, on the distance threads it shares with the group watch. With the
   * in-process bus, jobs that were queued or running when the process last stopped exist only in
   * the database, so they are published again (JetStream keeps its own messages).
   */
  async startWorker(opts: MetricsWorkerOptions = {}): Promise<Stoppable> {
    if (this.bus.kind === 'memory') {
      for (const status of ['queued', 'running'] as const) {
        for (const job of await this.store.listJobs({ status })) await this.publish(job);
      }
    }
    const { engine, release } = this.distanceEngine();
    let consumer: Stoppable;
    try {
      consumer = await startMetricsWorker({ store: this.store, sources: this.sources, bus: this.bus, engine, logger: this.logger }, opts);
    } catch (err) {
      await release();
      throw err;
    }
    return {
      stop: async () => {
        await consumer.stop();
        await release();
      },
    };
  }

  /**
   * Caches reads (series, memorization, correlation, a checkpoint's metrics) until the next job status
   * change heard on the bus. Without this the reads are not cached: nothing would tell the cache
   * that a result changed.
   */
  startReadCache(options: ReadCacheOptions = READ_CACHE_DEFAULTS): Stoppable {
    return this.reads.start(options, (changed) => onJobStatusChange(this.bus, changed));
  }

  pathwayMetrics(checkpointId: string, sel: ResultSelector): Promise<PathwayMetricsView> {
    return this.reads.read('pathwayMetrics', [checkpointId, sel], () => pathwayMetrics(this.queryDeps(), checkpointId, sel));
  }

  metricSeries(runId: string, metric: MetricName, sel: ResultSelector): Promise<MetricSeriesView> {
    return this.reads.read('metricSeries', [runId, metric, sel], () => metricSeries(this.queryDeps(), runId, metric, sel));
  }

  memorization(runId: string, req: MemorizationRequest): Promise<MemorizationView | null> {
    return this.reads.read('memorization', [runId, req], () => memorization(this.queryDeps(), runId, req));
  }

  correlation(runId: string, req: CorrelationRequest): Promise<CorrelationView> {
    return this.reads.read('correlation', [runId, req], () => correlation(this.queryDeps(), runId, req));
  }

  /**
   * The shared distance engine, created on first use and closed when its last user releases it.
   * Threads start on the first large group, not here; idle ones do not keep the process alive.
   */
  private distanceEngine(): { engine: DistanceEngine; release(): Promise<void> } {
    this.distances ??= { engine: new DistanceEngine(this.threads === undefined ? {} : { threads: this.threads }), users: 0 };
    const shared = this.distances;
    shared.users += 1;
    let released = false;
    return {
      engine: shared.engine,
      release: async () => {
        if (released) return;
        released = true;
        shared.users -= 1;
        if (shared.users > 0) return;
        if (this.distances === shared) this.distances = null;
        await shared.engine.close();
      },
    };
  }

  private queryDeps(): QueryDeps {
    return { store: this.store, sources: this.sources };
  }

  private commandDeps(): CommandDeps {
    return {
      store: this.store,
      sources: this.sources,
      queue: (c, p, params) => this.queueMetrics(c, p, params),
      requeue: (job) => this.requeue(job),
      cancel: async (job) => {
        await this.cancelJob(job);
      },
    };
  }

  /** A failed or cancelled job's parameters queued again under a new id (the bus dedupes a reused one). */
  private async requeue(old: MetricsJob): Promise<MetricsJob | undefined> {
    const job = await this.store.replaceSettledJob(old.id, ['failed', 'cancelled']);
    if (job) await this.publish(job);
    return job;
  }

  private async publish(job: MetricsJob): Promise<void> {
    const { id: jobId, checkpoint_id: checkpointId, probe_set_id: probeSetId } = job;
    await this.bus.publishJob('metrics', { jobId, checkpointId, probeSetId, params: job.params });
    this.logger.info({ jobId, checkpointId, probeSetId, params: job.params }, 'metrics queued');
  }
}
