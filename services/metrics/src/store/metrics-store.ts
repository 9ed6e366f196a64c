// All SQL of the metrics service.
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { paged, pagePerKey, type PageWindow } from '@grokwatch/db';
import type { JobStatus, MetricsJobTable, MetricsTables, PathwayResultTable } from './tables.js';

export type MetricsJob = Selectable<MetricsJobTable>;
export type PathwayResult = Selectable<PathwayResultTable>;
/** A result row as the worker produces it (job_id is filled in by completeJob). */
export type NewPathwayResult = Omit<Insertable<PathwayResultTable>, 'job_id' | 'created_at'>;
/** A result row with the checkpoint of its job, for series over a run. */
export type CheckpointResult = PathwayResult & { checkpoint_id: string };

/** Canonical JSON (sorted keys) so equal parameter sets give equal cache keys. */
export function paramsKey(params: Record<string, unknown>): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
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

  /** A page of each checkpoint's jobs (oldest first), in one query. */
  jobsOfCheckpoints(checkpointIds: readonly string[], page: PageWindow): Promise<Map<string, MetricsJob[]>> {
    return pagePerKey<MetricsJob, MetricsTables>(this.db, 'metrics.metrics_job', 'checkpoint_id', checkpointIds, ['created_at', 'id'], page);
  }

  listJobs(filter: { checkpointId?: string; probeSetId?: string; status?: JobStatus }, page?: PageWindow): Promise<MetricsJob[]> {
    let q = this.db.selectFrom('metrics.metrics_job').selectAll();
    if (filter.checkpointId !== undefined) q = q.where('checkpoint_id', '=', filter.checkpointId);
    if (filter.probeSetId !== undefined) q = q.where('probe_set_id', '=', filter.probeSetId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    return paged(q.orderBy('created_at').orderBy('id'), page).execute();
  }

  async setStatus(id: string, status: JobStatus, error: string | null = null): Promise<void> {
    await this.db.updateTable('metrics.metrics_job').set({ status, error, updated_at: new Date() }).where('id', '=', id).execute();
  }

  /**
   * Replaces a failed job by a fresh queued one under the same cache key. A new id, because the
   * bus drops a second publish of the same job id for a while (dedupe). Returns undefined when the
   * job is no longer failed (someone else retried it first).
   */
  async replaceFailedJob(id: string): Promise<MetricsJob | undefined> {
    return this.replaceSettledJob(id, ['failed']);
  }

  /** replaceFailedJob for a job that ended in one of `statuses` (a cancelled job asked for again). */
  async replaceSettledJob(id: string, statuses: readonly ('failed' | 'cancelled')[]): Promise<MetricsJob | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const old = await tx.deleteFrom('metrics.metrics_job').where('id', '=', id).where('status', 'in', statuses).returningAll().executeTakeFirst();
      if (!old) return undefined;
      return tx
        .insertInto('metrics.metrics_job')
        .values({
          id: randomUUID(),
          checkpoint_id: old.checkpoint_id,
          probe_set_id: old.probe_set_id,
          params_key: old.params_key,
          params: old.params_key,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  /** Removes a job that is still queued (its message could not be published). */
  async deleteQueuedJob(id: string): Promise<void> {
    await this.db.deleteFrom('metrics.metrics_job').where('id', '=', id).where('status', '=', 'queued').execute();
  }

  listFailedJobs(checkpointId: string, probeSetId: string): Promise<MetricsJob[]> {
    return this.db
      .selectFrom('metrics.metrics_job')
      .selectAll()
      .where('checkpoint_id', '=', checkpointId)
      .where('probe_set_id', '=', probeSetId)
      .where('status', '=', 'failed')
      .execute();
  }

  /**
   * Stores a job's results and marks it completed, in one transaction. Earlier rows of the job
   * (a redelivered job that was recomputed) are replaced, never duplicated.
   */
  async completeJob(id: string, results: readonly NewPathwayResult[], note: string | null): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('metrics.pathway_result').where('job_id', '=', id).execute();
      if (results.length > 0) {
        await tx
          .insertInto('metrics.pathway_result')
          .values(results.map((r) => ({ ...r, job_id: id })))
          .execute();
      }
      await tx.updateTable('metrics.metrics_job').set({ status: 'completed', error: null, note, updated_at: new Date() }).where('id', '=', id).execute();
    });
  }

  getResult(jobId: string, group: string): Promise<PathwayResult | undefined> {
    return this.db.selectFrom('metrics.pathway_result').selectAll().where('job_id', '=', jobId).where('group_name', '=', group).executeTakeFirst();
  }

  listResults(jobId: string): Promise<PathwayResult[]> {
    return this.db.selectFrom('metrics.pathway_result').selectAll().where('job_id', '=', jobId).orderBy('group_name').execute();
  }

  /** Completed results of one group for one probe set and parameter set, at the given checkpoints. */
  async resultsAt(checkpointIds: readonly string[], probeSetId: string, params: Record<string, unknown>, group: string): Promise<CheckpointResult[]> {
    if (checkpointIds.length === 0) return [];
    return this.db
      .selectFrom('metrics.pathway_result as r')
      .innerJoin('metrics.metrics_job as j', 'j.id', 'r.job_id')
      .selectAll('r')
      .select('j.checkpoint_id')
      .where('j.probe_set_id', '=', probeSetId)
      .where('j.params_key', '=', paramsKey(params))
      .where('j.status', '=', 'completed')
      .where('j.checkpoint_id', 'in', checkpointIds)
      .where('r.group_name', '=', group)
      .execute();
  }

  /** Variants the run requested on top of its defaults, oldest first. */
  async listRunVariants(runId: string): Promise<Record<string, unknown>[]> {
    const rows = await this.db.selectFrom('metrics.run_variant').select('params').where('run_id', '=', runId).orderBy('created_at').execute();
    return rows.map((r) => r.params);
  }

  /** Records a requested variant; false when the run already had it. */
  async addRunVariant(runId: string, params: Record<string, unknown>): Promise<boolean> {
    const key = paramsKey(params);
    const row = await this.db
      .insertInto('metrics.run_variant')
      .values({ run_id: runId, params_key: key, params: key })
      .onConflict((oc) => oc.columns(['run_id', 'params_key']).doNothing())
      .returning('run_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async removeRunVariant(runId: string, params: Record<string, unknown>): Promise<boolean> {
    const res = await this.db.deleteFrom('metrics.run_variant').where('run_id', '=', runId).where('params_key', '=', paramsKey(params)).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Queued or running jobs at the given checkpoints, optionally of one parameter set. */
  /** Drops what a deleted run had here: its checkpoints' jobs (results cascade), alerts and requested variants. */
  async deleteRun(runId: string, checkpointIds: readonly string[]): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const jobs = checkpointIds.length === 0 ? [] : await tx.deleteFrom('metrics.metrics_job').where('checkpoint_id', 'in', checkpointIds).returning('id').execute();
      await tx.deleteFrom('metrics.grokking_alert').where('run_id', '=', runId).execute();
      await tx.deleteFrom('metrics.routing_alert').where('run_id', '=', runId).execute();
      await tx.deleteFrom('metrics.run_variant').where('run_id', '=', runId).execute();
      await tx.deleteFrom('metrics.test_item').where('run_id', '=', runId).execute();
      await tx.deleteFrom('metrics.test_group_summary').where('run_id', '=', runId).execute();
      await tx.deleteFrom('metrics.group_pairing').where('run_id', '=', runId).execute();
      return jobs.length;
    });
  }

  /** Drops what was computed on a deleted probe set: its jobs (results cascade) and grokking alerts. */
  async deleteProbeSet(probeSetId: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const jobs = await tx.deleteFrom('metrics.metrics_job').where('probe_set_id', '=', probeSetId).returning('id').execute();
      await tx.deleteFrom('metrics.grokking_alert').where('probe_set_id', '=', probeSetId).execute();
      await tx.deleteFrom('metrics.group_pairing').where('probe_set_id', '=', probeSetId).execute();
      return jobs.length;
    });
  }

  async activeJobsAt(checkpointIds: readonly string[], params?: Record<string, unknown>): Promise<MetricsJob[]> {
    if (checkpointIds.length === 0) return [];
    let q = this.db.selectFrom('metrics.metrics_job').selectAll().where('checkpoint_id', 'in', checkpointIds).where('status', 'in', ['queued', 'running']);
    if (params !== undefined) q = q.where('params_key', '=', paramsKey(params));
    return q.orderBy('created_at').execute();
  }

  /** Jobs of one probe set and parameter set at the given checkpoints (any status). */
  async jobsAt(checkpointIds: readonly string[], probeSetId: string, params: Record<string, unknown>): Promise<MetricsJob[]> {
    if (checkpointIds.length === 0) return [];
    return this.db
      .selectFrom('metrics.metrics_job')
      .selectAll()
      .where('probe_set_id', '=', probeSetId)
      .where('params_key', '=', paramsKey(params))
      .where('checkpoint_id', 'in', checkpointIds)
      .execute();
  }
}
