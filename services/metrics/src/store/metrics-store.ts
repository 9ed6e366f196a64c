// All SQL of the metrics service.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { JobStatus, MetricsJobTable, MetricsTables } from './tables.js';

export type MetricsJob = Selectable<MetricsJobTable>;

/** Canonical JSON (sorted keys) so equal parameter sets give equal cache keys. */
export function paramsKey(params: Record<string, unknown>): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
        : v;
  return JSON.stringify(sort(params));
}

export class MetricsStore {
  constructor(readonly db: Kysely<MetricsTables>) {}

  /** Returns the job for these parameters, creating it when new (`created` tells which). */
  async upsertJob(checkpointId: string, probeSetId: string, params: Record<string, unknown>): Promise<{ job: MetricsJob; created: boolean }> {
    const key = paramsKey(params);
    const inserted = await this.db
      .insertInto('metrics.metrics_job')
      .values({ id: randomUUID(), checkpoint_id: checkpointId, probe_set_id: probeSetId, params_key: key, params: key })
      .onConflict((oc) => oc.columns(['checkpoint_id', 'probe_set_id', 'params_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { job: inserted, created: true };
    const job = await this.db
      .selectFrom('metrics.metrics_job')
      .selectAll()
      .where('checkpoint_id', '=', checkpointId)
      .where('probe_set_id', '=', probeSetId)
      .where('params_key', '=', key)
      .executeTakeFirstOrThrow();
    return { job, created: false };
  }

  getJob(id: string): Promise<MetricsJob | undefined> {
    return this.db.selectFrom('metrics.metrics_job').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listJobs(filter: { checkpointId?: string; status?: JobStatus }): Promise<MetricsJob[]> {
    let q = this.db.selectFrom('metrics.metrics_job').selectAll();
    if (filter.checkpointId !== undefined) q = q.where('checkpoint_id', '=', filter.checkpointId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    return q.orderBy('created_at').execute();
  }

  async setStatus(id: string, status: JobStatus, error: string | null = null): Promise<void> {
    await this.db.updateTable('metrics.metrics_job').set({ status, error, updated_at: new Date() }).where('id', '=', id).execute();
  }
}
