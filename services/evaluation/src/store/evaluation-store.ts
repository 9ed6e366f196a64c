// All SQL of the evaluation service. Item writes are idempotent per (job, document), so a
// redelivered job never duplicates rows.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { ConflictError, paged, pagePerKey, type PageWindow } from '@grokwatch/db';
import type { ItemSignal } from '../backends/model-provider.js';
import type { EvalItemTable, EvalJobTable, EvalScoreTable, EvaluationReadTables, EvaluationTables, EvalCheckpoint, JobStatus } from './tables.js';

export type EvalJob = Selectable<EvalJobTable>;
export type EvalScore = Selectable<EvalScoreTable>;
export type EvalItem = Selectable<EvalItemTable>;
export type NewEvalItem = Omit<EvalItem, 'eval_job_id' | 'created_at'>;

export interface UpsertDecision {
  job: EvalJob;
  /** true: a run was (re)queued and must be published on the bus. */
  enqueue: boolean;
}

export interface CheckpointEvaluation {
  jobId: string;
  task: string;
  metric: string;
  value: number;
  stderr: number | null;
  n: number;
}

/** The bus job id of a job's current run (run 1 keeps the row id, so progress ids equal job ids). */
export function busJobId(job: Pick<EvalJob, 'id' | 'run'>): string {
  return job.run <= 1 ? job.id : `${job.id}:${job.run}`;
}

/** The row id inside a bus job id (see busJobId). */
export function rowIdOf(busId: string): string {
  const at = busId.indexOf(':');
  return at < 0 ? busId : busId.slice(0, at);
}

export class EvaluationStore {
  /** Drops the evaluations of deleted checkpoints (scores and items cascade); returns how many jobs went. */
  async deleteCheckpoints(checkpointIds: readonly string[]): Promise<number> {
    if (checkpointIds.length === 0) return 0;
    return (await this.db.deleteFrom('evaluation.eval_job').where('checkpoint_id', 'in', checkpointIds).returning('id').execute()).length;
  }

  private readonly read: Kysely<EvaluationReadTables>;

  constructor(readonly db: Kysely<EvaluationTables>) {
    // Every service shares one database; the inference schema is only ever read here.
    this.read = db as unknown as Kysely<EvaluationReadTables>;
  }

  // --- checkpoints (inference schema, read-only) --------------------------------------------

  /** The benchmark tasks the checkpoint's run asks for at every checkpoint (inference.run.settings). */
  async runTasks(checkpointId: string): Promise<string[]> {
    const row = await this.read
      .selectFrom('inference_read.checkpoint_v1 as c')
      .innerJoin('inference_read.run_v1 as r', 'r.id', 'c.run_id')
      .select('r.settings')
      .where('c.id', '=', checkpointId)
      .executeTakeFirst();
    return row?.settings.tasks ?? [];
  }

  getCheckpoint(id: string): Promise<EvalCheckpoint | undefined> {
    return this.read
      .selectFrom('inference_read.checkpoint_v1 as c')
      .innerJoin('inference_read.run_v1 as r', 'r.id', 'c.run_id')
      .select(['c.id', 'c.run_id', 'c.step', 'c.uri', 'r.tokenizer'])
      .where('c.id', '=', id)
      .executeTakeFirst();
  }

  // --- jobs -----------------------------------------------------------------------------------

  getJob(id: string): Promise<EvalJob | undefined> {
    return this.db.selectFrom('evaluation.eval_job').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A page of each checkpoint's jobs (by task), in one query. */
  jobsOfCheckpoints(checkpointIds: readonly string[], page: PageWindow): Promise<Map<string, EvalJob[]>> {
    return pagePerKey<EvalJob, EvaluationTables>(this.db, 'evaluation.eval_job', 'checkpoint_id', checkpointIds, ['task', 'id'], page);
  }

  listJobs(checkpointId: string, page?: PageWindow): Promise<EvalJob[]> {
    return paged(this.db.selectFrom('evaluation.eval_job').selectAll().where('checkpoint_id', '=', checkpointId).orderBy('task').orderBy('id'), page).execute();
  }

  /** Every matching job, or one page of them. */
  listJobsByStatus(status?: JobStatus, page?: PageWindow): Promise<EvalJob[]> {
    let q = this.db.selectFrom('evaluation.eval_job').selectAll();
    if (status !== undefined) q = q.where('status', '=', status);
    return paged(q.orderBy('created_at').orderBy('id'), page).execute();
  }

  /**
   * One job per (checkpoint, task). A new pair is queued. A live job (queued/running) with the same
   * parameters is returned as it is; with other parameters it is a conflict. A completed job with
   * the same parameters is returned as it is (nothing to do). Otherwise the job is re-queued as
   * its next run: scores are cleared, and items are kept when the backend is the same (so a
   * re-run skips them) but deleted when the backend changed (another model answered them).
   */
  async upsertJob(
    checkpointId: string,
    task: string,
    params: Record<string, unknown>,
    sameParams: (stored: Record<string, unknown>) => boolean,
    sameBackend: (stored: Record<string, unknown>) => boolean,
  ): Promise<UpsertDecision> {
    return this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('evaluation.eval_job')
        .values({ id: randomUUID(), checkpoint_id: checkpointId, task, error: null, params: JSON.stringify(params) })
        .onConflict((oc) => oc.columns(['checkpoint_id', 'task']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { job: inserted, enqueue: true };
      const existing = await tx
        .selectFrom('evaluation.eval_job')
        .selectAll()
        .where('checkpoint_id', '=', checkpointId)
        .where('task', '=', task)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const same = sameParams(existing.params);
      if (existing.status === 'queued' || existing.status === 'running') {
        if (same) return { job: existing, enqueue: false };
        throw new ConflictError(`task ${task} is already ${existing.status} at this checkpoint with other parameters (${JSON.stringify(existing.params)}); cancel it first`);
      }
      if (existing.status === 'completed' && same) return { job: existing, enqueue: false };
      if (!sameBackend(existing.params)) await tx.deleteFrom('evaluation.eval_item').where('eval_job_id', '=', existing.id).execute();
      await tx.deleteFrom('evaluation.eval_score').where('eval_job_id', '=', existing.id).execute();
      const requeued = await tx
        .updateTable('evaluation.eval_job')
        .set({
          status: 'queued',
          error: null,
          params: JSON.stringify(params),
          run: sql<number>`run + 1`,
          done: 0,
          result: null,
          updated_at: new Date(),
        })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { job: requeued, enqueue: true };
    });
  }

  /** A delivery starts: the job is running and the attempt counted. */
  async beginAttempt(id: string): Promise<void> {
    await this.db
      .updateTable('evaluation.eval_job')
      .set({ status: 'running', error: null, attempts: sql<number>`attempts + 1`, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  /** What the worker found: the documents of this run, how many are already scored, the backend. */
  async recordRun(id: string, info: { total: number; done: number; datasetSize: number; taskVersion: string; model: string }): Promise<void> {
    await this.db
      .updateTable('evaluation.eval_job')
      .set({
        total: info.total,
        done: info.done,
        dataset_size: info.datasetSize,
        task_version: info.taskVersion,
        model: info.model,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  async setStatus(id: string, status: JobStatus, error: string | null = null): Promise<EvalJob | undefined> {
    return this.db.updateTable('evaluation.eval_job').set({ status, error, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Cancels a live job; returns the row as it is after the call (unchanged if already settled). */
  async cancelJob(id: string): Promise<EvalJob | undefined> {
    const updated = await this.db
      .updateTable('evaluation.eval_job')
      .set({ status: 'cancelled', error: 'cancelled', updated_at: new Date() })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst();
    return updated ?? this.getJob(id);
  }

  // --- items ----------------------------------------------------------------------------------

  /** doc_index -> prompt hash of the job's stored items. */
  async itemHashes(jobId: string): Promise<Map<number, string>> {
    const rows = await this.db.selectFrom('evaluation.eval_item').select(['doc_index', 'prompt_hash']).where('eval_job_id', '=', jobId).execute();
    return new Map(rows.map((r) => [r.doc_index, r.prompt_hash]));
  }

  /**
   * Stores scored items and the job's new `done` in one transaction. A (job, document) pair
   * already stored is overwritten (only reached when its prompt changed, or by a concurrent
   * duplicate delivery): never a second row.
   */
  async saveItems(jobId: string, total: number, items: readonly NewEvalItem[]): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      if (items.length > 0) {
        await tx
          .insertInto('evaluation.eval_item')
          .values(
            items.map((it) => ({
              eval_job_id: jobId,
              doc_index: it.doc_index,
              doc_id: it.doc_id,
              group_name: it.group_name,
              prompt_hash: it.prompt_hash,
              target: it.target,
              output: JSON.stringify(it.output),
              extracted: JSON.stringify(it.extracted),
              scores: JSON.stringify(it.scores),
              choice: it.choice === null ? null : JSON.stringify(it.choice),
              code_runs: it.code_runs === null ? null : JSON.stringify(it.code_runs),
              text: it.text,
              embedding: it.embedding,
              min_k_pp: it.min_k_pp,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['eval_job_id', 'doc_index']).doUpdateSet((eb) => ({
              doc_id: eb.ref('excluded.doc_id'),
              group_name: eb.ref('excluded.group_name'),
              prompt_hash: eb.ref('excluded.prompt_hash'),
              target: eb.ref('excluded.target'),
              output: eb.ref('excluded.output'),
              extracted: eb.ref('excluded.extracted'),
              scores: eb.ref('excluded.scores'),
              choice: eb.ref('excluded.choice'),
              code_runs: eb.ref('excluded.code_runs'),
              text: eb.ref('excluded.text'),
              embedding: eb.ref('excluded.embedding'),
              min_k_pp: eb.ref('excluded.min_k_pp'),
            })),
          )
          .execute();
      }
      const row = await tx
        .selectFrom('evaluation.eval_item')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('eval_job_id', '=', jobId)
        .where('doc_index', '<', total)
        .executeTakeFirstOrThrow();
      const done = Number(row.n);
      await tx.updateTable('evaluation.eval_job').set({ done, updated_at: new Date() }).where('id', '=', jobId).execute();
      return done;
    });
  }

  /** The job's items among its first `below` documents, in document order. */
  /** Documents below `total` stored without an embedding, ascending. */
  async itemsWithoutSignals(jobId: string, total: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('evaluation.eval_item')
      .select('doc_index')
      .where('eval_job_id', '=', jobId)
      .where('doc_index', '<', total)
      .where('embedding', 'is', null)
      .orderBy('doc_index')
      .execute();
    return rows.map((r) => r.doc_index);
  }

  /** Stores items' embeddings and Min-K%++ scores in one transaction. */
  async saveItemSignals(jobId: string, signals: readonly { docIndex: number; signal: ItemSignal }[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const { docIndex, signal } of signals) {
        const e = signal.embedding;
        await tx
          .updateTable('evaluation.eval_item')
          .set({ embedding: new Uint8Array(e.buffer, e.byteOffset, e.byteLength), min_k_pp: signal.minKPlusPlus })
          .where('eval_job_id', '=', jobId)
          .where('doc_index', '=', docIndex)
          .execute();
      }
    });
  }

  listItems(jobId: string, below: number, offset = 0, limit?: number): Promise<EvalItem[]> {
    let q = this.db.selectFrom('evaluation.eval_item').selectAll().where('eval_job_id', '=', jobId).where('doc_index', '<', below).orderBy('doc_index').offset(offset);
    if (limit !== undefined) q = q.limit(limit);
    return q.execute();
  }

  // --- scores ---------------------------------------------------------------------------------

  /** Writes the aggregates and completes the job in one transaction (a redelivery rewrites the same values). */
  async completeJob(jobId: string, done: number, result: Record<string, unknown>, scores: readonly Omit<EvalScore, 'eval_job_id'>[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('evaluation.eval_score').where('eval_job_id', '=', jobId).execute();
      if (scores.length > 0) {
        await tx
          .insertInto('evaluation.eval_score')
          .values(scores.map((s) => ({ eval_job_id: jobId, ...s })))
          .execute();
      }
      await tx
        .updateTable('evaluation.eval_job')
        .set({ status: 'completed', error: null, done, result: JSON.stringify(result), updated_at: new Date() })
        .where('id', '=', jobId)
        .execute();
    });
  }

  listScores(jobId: string): Promise<EvalScore[]> {
    return this.db.selectFrom('evaluation.eval_score').selectAll().where('eval_job_id', '=', jobId).orderBy('metric').execute();
  }

  /** Scores of the checkpoint's completed jobs, by task then metric. */
  async checkpointEvaluations(checkpointId: string, page?: PageWindow): Promise<CheckpointEvaluation[]> {
    const rows = await paged(
      this.db
        .selectFrom('evaluation.eval_score as s')
        .innerJoin('evaluation.eval_job as j', 'j.id', 's.eval_job_id')
        .select(['j.id as jobId', 'j.task', 's.metric', 's.value', 's.stderr', 's.n'])
        .where('j.checkpoint_id', '=', checkpointId)
        .where('j.status', '=', 'completed')
        .orderBy('j.task')
        .orderBy('s.metric')
        .orderBy('j.id'),
      page,
    ).execute();
    return rows;
  }
}
