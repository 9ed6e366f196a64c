// All SQL of the inference service. Writes are idempotent so a redelivered job never duplicates rows.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { ConflictError, enqueueEvent, paged, pagePerKey, type OutboxEvent, type PageWindow as Page } from '@grokwatch/db';
import type { ProbeRow } from '../probe-set/probe-rows.js';
import type {
  CaptureJobTable,
  CheckpointHyperparameters,
  CheckpointRouterTable,
  CheckpointTable,
  InferenceTables,
  JobStatus,
  ProbeSetTable,
  RunSettings,
  RunTable,
  SampleRoutingTable,
  SampleTable,
} from './tables.js';

export type Run = Selectable<RunTable>;
export type Checkpoint = Selectable<CheckpointTable>;
export type ProbeSet = Selectable<ProbeSetTable>;
export type Sample = Selectable<SampleTable>;
export type CaptureJob = Selectable<CaptureJobTable>;
export type SampleRouting = Selectable<SampleRoutingTable>;
export type CheckpointRouter = Selectable<CheckpointRouterTable>;
export type NewSampleRouting = Omit<SampleRouting, 'created_at'>;

const SAMPLE_INSERT_BATCH = 500;

export class InferenceStore {
  constructor(readonly db: Kysely<InferenceTables>) {}

  // --- runs ---------------------------------------------------------------------------------

  /** Creates the run and, in the same transaction, queues `announce(run)` in the outbox. */
  async createRun(
    input: { name: string; architecture: string; tokenizer: string | null; watchDir: string | null; settings: RunSettings },
    announce: (run: Run) => OutboxEvent,
  ): Promise<Run> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('inference.run')
        .values({
          id: randomUUID(),
          name: input.name,
          architecture: input.architecture,
          tokenizer: input.tokenizer,
          watch_dir: input.watchDir,
          settings: JSON.stringify(input.settings),
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new ConflictError(`a run named "${input.name}" already exists`);
      await enqueueEvent(tx, 'inference', announce(row));
      return row;
    });
  }

  getRun(id: string): Promise<Run | undefined> {
    return this.db.selectFrom('inference.run').selectAll().where('id', '=', id).executeTakeFirst();
  }

  getRunByName(name: string): Promise<Run | undefined> {
    return this.db.selectFrom('inference.run').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /**
   * Deletes the run with its checkpoints, captures and routing (the schema cascades), announcing the
   * deleted checkpoint ids in the same transaction; undefined when there is no such run.
   */
  async deleteRun(id: string, announce: (runId: string, checkpointIds: string[]) => OutboxEvent): Promise<{ checkpointIds: string[] } | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const checkpointIds = (await tx.selectFrom('inference.checkpoint').select('id').where('run_id', '=', id).execute()).map((r) => r.id);
      const deleted = await tx.deleteFrom('inference.run').where('id', '=', id).returning('id').executeTakeFirst();
      if (!deleted) return undefined;
      await enqueueEvent(tx, 'inference', announce(id, checkpointIds));
      return { checkpointIds };
    });
  }

  async configureRun(id: string, patch: { watchDir?: string | null; tokenizer?: string | null; settings: RunSettings }): Promise<Run | undefined> {
    return this.db
      .updateTable('inference.run')
      .set({
        settings: JSON.stringify(patch.settings),
        ...(patch.watchDir !== undefined ? { watch_dir: patch.watchDir } : {}),
        ...(patch.tokenizer !== undefined ? { tokenizer: patch.tokenizer } : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  listWatchedRuns(): Promise<Run[]> {
    return this.db.selectFrom('inference.run').selectAll().where('watch_dir', 'is not', null).execute();
  }

  listRuns(page?: Page): Promise<Run[]> {
    return paged(this.db.selectFrom('inference.run').selectAll().orderBy('created_at').orderBy('name'), page).execute();
  }

  async countRuns(): Promise<number> {
    const row = await this.db
      .selectFrom('inference.run')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // --- checkpoints --------------------------------------------------------------------------

  /**
   * Registering the same (run, step, uri) twice returns the first row: training loops retry their
   * announcements. The same step with another uri is a conflict, not an overwrite.
   */
  async registerCheckpoint(
    input: {
      runId: string;
      step: number;
      tokensSeen: number | null;
      uri: string;
      hyperparameters: CheckpointHyperparameters | null;
    },
    announce: (checkpoint: Checkpoint) => OutboxEvent,
  ): Promise<{ checkpoint: Checkpoint; created: boolean }> {
    const hyperparameters = input.hyperparameters === null ? null : JSON.stringify(input.hyperparameters);
    const inserted = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('inference.checkpoint')
        .values({ id: randomUUID(), run_id: input.runId, step: input.step, tokens_seen: input.tokensSeen, uri: input.uri, hyperparameters })
        .onConflict((oc) => oc.columns(['run_id', 'step']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) await enqueueEvent(tx, 'inference', announce(row));
      return row;
    });
    if (inserted) return { checkpoint: inserted, created: true };
    const existing = await this.db.selectFrom('inference.checkpoint').selectAll().where('run_id', '=', input.runId).where('step', '=', input.step).executeTakeFirstOrThrow();
    if (existing.uri !== input.uri) {
      throw new ConflictError(`step ${input.step} is already registered with uri ${existing.uri}`);
    }
    // A second announcement (the trainer's hook after the folder watch) may bring what the first lacked.
    if (existing.hyperparameters === null && hyperparameters !== null) {
      const updated = await this.db.updateTable('inference.checkpoint').set({ hyperparameters }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
      return { checkpoint: updated, created: false };
    }
    return { checkpoint: existing, created: false };
  }

  getCheckpoint(id: string): Promise<Checkpoint | undefined> {
    return this.db.selectFrom('inference.checkpoint').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async checkpointsById(ids: readonly string[]): Promise<Map<string, Checkpoint>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('inference.checkpoint').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** A page of each run's checkpoints (ascending step), in one query. */
  checkpointsOfRuns(runIds: readonly string[], page: Page): Promise<Map<string, Checkpoint[]>> {
    return pagePerKey<Checkpoint, InferenceTables>(this.db, 'inference.checkpoint', 'run_id', runIds, ['step'], page);
  }

  async checkpointCounts(runIds: readonly string[]): Promise<Map<string, number>> {
    if (runIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('inference.checkpoint')
      .select(['run_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('run_id', 'in', runIds)
      .groupBy('run_id')
      .execute();
    return new Map(rows.map((r) => [r.run_id, Number(r.n)]));
  }

  async runsById(ids: readonly string[]): Promise<Map<string, Run>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('inference.run').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r]));
  }

  listCheckpoints(runId: string, page?: Page): Promise<Checkpoint[]> {
    return paged(this.db.selectFrom('inference.checkpoint').selectAll().where('run_id', '=', runId).orderBy('step'), page).execute();
  }

  latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    return this.db.selectFrom('inference.checkpoint').selectAll().where('run_id', '=', runId).orderBy('step', 'desc').limit(1).executeTakeFirst();
  }

  async countCheckpoints(runId: string): Promise<number> {
    const row = await this.db
      .selectFrom('inference.checkpoint')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async setCheckpointStatus(id: string, status: Checkpoint['status']): Promise<void> {
    await this.db.updateTable('inference.checkpoint').set({ status }).where('id', '=', id).execute();
  }

  // --- probe sets and samples ---------------------------------------------------------------

  /** Creates the probe set with its samples and, in the same transaction, queues `announce(probeSet)` in the outbox. */
  /**
   * Deletes a probe set with its samples, routing and captures (the schema cascades), drops it from
   * every run's settings, and announces it in the same transaction; false when there is none.
   */
  async deleteProbeSet(id: string, announce: OutboxEvent): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const runs = await tx.selectFrom('inference.run').select(['id', 'settings']).execute();
      for (const run of runs.filter((r) => r.settings.probeSetIds.includes(id))) {
        const settings = { ...run.settings, probeSetIds: run.settings.probeSetIds.filter((p) => p !== id) };
        await tx
          .updateTable('inference.run')
          .set({ settings: JSON.stringify(settings) })
          .where('id', '=', run.id)
          .execute();
      }
      const deleted = await tx.deleteFrom('inference.probe_set').where('id', '=', id).returning('id').executeTakeFirst();
      if (!deleted) return false;
      await enqueueEvent(tx, 'inference', announce);
      return true;
    });
  }

  async createProbeSet(input: { name: string; domain: string; source: string; rows: ProbeRow[] }, announce: (probeSet: ProbeSet) => OutboxEvent): Promise<ProbeSet> {
    return this.db.transaction().execute(async (tx) => {
      const probeSet = await tx
        .insertInto('inference.probe_set')
        .values({ id: randomUUID(), name: input.name, domain: input.domain, source: input.source, sample_count: input.rows.length })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!probeSet) throw new ConflictError(`a probe set named "${input.name}" already exists`);
      for (let start = 0; start < input.rows.length; start += SAMPLE_INSERT_BATCH) {
        const batch = input.rows.slice(start, start + SAMPLE_INSERT_BATCH).map((row, i) => ({
          id: randomUUID(),
          probe_set_id: probeSet.id,
          idx: start + i,
          external_id: row.externalId,
          text: row.text,
          group_name: row.group,
          meta: row.meta === null ? null : JSON.stringify(row.meta),
          target_start: row.target?.start ?? null,
          target_end: row.target?.end ?? null,
        }));
        await tx.insertInto('inference.sample').values(batch).execute();
      }
      await enqueueEvent(tx, 'inference', announce(probeSet));
      return probeSet;
    });
  }

  getProbeSet(id: string): Promise<ProbeSet | undefined> {
    return this.db.selectFrom('inference.probe_set').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listProbeSets(domain?: string, page?: Page): Promise<ProbeSet[]> {
    let q = this.db.selectFrom('inference.probe_set').selectAll();
    if (domain !== undefined) q = q.where('domain', '=', domain);
    return paged(q.orderBy('name').orderBy('id'), page).execute();
  }

  listSamples(probeSetId: string, offset = 0, limit?: number): Promise<Sample[]> {
    let q = this.db.selectFrom('inference.sample').selectAll().where('probe_set_id', '=', probeSetId).orderBy('idx').offset(offset);
    if (limit !== undefined) q = q.limit(limit);
    return q.execute();
  }

  getSample(id: string): Promise<Sample | undefined> {
    return this.db.selectFrom('inference.sample').selectAll().where('id', '=', id).executeTakeFirst();
  }

  // --- capture jobs -------------------------------------------------------------------------

  /**
   * One job per (checkpoint, probe set). Asking again returns the live job; a failed or cancelled
   * one is re-queued, keeping the samples already captured.
   */
  async upsertCaptureJob(checkpointId: string, probeSetId: string, total: number): Promise<{ job: CaptureJob; enqueue: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('inference.capture_job')
        .values({ id: randomUUID(), checkpoint_id: checkpointId, probe_set_id: probeSetId, total })
        .onConflict((oc) => oc.columns(['checkpoint_id', 'probe_set_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { job: inserted, enqueue: true };
      const existing = await tx
        .selectFrom('inference.capture_job')
        .selectAll()
        .where('checkpoint_id', '=', checkpointId)
        .where('probe_set_id', '=', probeSetId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (existing.status !== 'failed' && existing.status !== 'cancelled') return { job: existing, enqueue: false };
      const requeued = await tx
        .updateTable('inference.capture_job')
        .set({ status: 'queued', error: null, updated_at: new Date() })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { job: requeued, enqueue: true };
    });
  }

  getCaptureJob(id: string): Promise<CaptureJob | undefined> {
    return this.db.selectFrom('inference.capture_job').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A page of each checkpoint's capture jobs (oldest first), in one query. */
  captureJobsOf(checkpointIds: readonly string[], page: Page): Promise<Map<string, CaptureJob[]>> {
    return pagePerKey<CaptureJob, InferenceTables>(this.db, 'inference.capture_job', 'checkpoint_id', checkpointIds, ['created_at', 'id'], page);
  }

  listCaptureJobs(filter: { checkpointId?: string; probeSetId?: string; status?: JobStatus }, page?: Page): Promise<CaptureJob[]> {
    let q = this.db.selectFrom('inference.capture_job').selectAll();
    if (filter.checkpointId !== undefined) q = q.where('checkpoint_id', '=', filter.checkpointId);
    if (filter.probeSetId !== undefined) q = q.where('probe_set_id', '=', filter.probeSetId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    return paged(q.orderBy('created_at').orderBy('id'), page).execute();
  }

  async updateCaptureJob(id: string, patch: { status?: JobStatus; done?: number; error?: string | null; attemptStarted?: boolean }): Promise<CaptureJob | undefined> {
    return this.db
      .updateTable('inference.capture_job')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.done !== undefined ? { done: patch.done } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        ...(patch.attemptStarted ? { attempts: sql<number>`attempts + 1` } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  // --- routing ------------------------------------------------------------------------------

  /** Idempotent: a sample already captured at this checkpoint keeps its first row. */
  async insertRouting(rows: NewSampleRouting[]): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await this.db
      .insertInto('inference.sample_routing')
      .values(rows)
      .onConflict((oc) => oc.columns(['checkpoint_id', 'sample_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  /** Ids of the probe set's samples that already have routing at this checkpoint. */
  async capturedSampleIds(checkpointId: string, probeSetId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('inference.sample_routing as r')
      .innerJoin('inference.sample as s', 's.id', 'r.sample_id')
      .select('r.sample_id')
      .where('r.checkpoint_id', '=', checkpointId)
      .where('s.probe_set_id', '=', probeSetId)
      .execute();
    return new Set(rows.map((r) => r.sample_id));
  }

  /** Idempotent, like insertRouting: the first stored matrices of a checkpoint stay. */
  async insertRouterWeights(checkpointId: string, layers: { layer: number; experts: number; hidden: number; weights: Uint8Array }[]): Promise<void> {
    if (layers.length === 0) return;
    await this.db
      .insertInto('inference.checkpoint_router')
      .values(layers.map((l) => ({ checkpoint_id: checkpointId, ...l })))
      .onConflict((oc) => oc.columns(['checkpoint_id', 'layer']).doNothing())
      .execute();
  }

  listRouterWeights(checkpointId: string): Promise<CheckpointRouter[]> {
    return this.db.selectFrom('inference.checkpoint_router').selectAll().where('checkpoint_id', '=', checkpointId).orderBy('layer').execute();
  }

  /** One sample's stored routing at several checkpoints, by checkpoint id, in one query. */
  async routingOfSample(sampleId: string, checkpointIds: readonly string[]): Promise<Map<string, SampleRouting>> {
    if (checkpointIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('inference.sample_routing').selectAll().where('sample_id', '=', sampleId).where('checkpoint_id', 'in', checkpointIds).execute();
    return new Map(rows.map((r) => [r.checkpoint_id, r]));
  }

  getRouting(checkpointId: string, sampleId: string): Promise<SampleRouting | undefined> {
    return this.db.selectFrom('inference.sample_routing').selectAll().where('checkpoint_id', '=', checkpointId).where('sample_id', '=', sampleId).executeTakeFirst();
  }

  async countRouting(checkpointId: string, probeSetId: string): Promise<number> {
    const row = await this.db
      .selectFrom('inference.sample_routing as r')
      .innerJoin('inference.sample as s', 's.id', 'r.sample_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('r.checkpoint_id', '=', checkpointId)
      .where('s.probe_set_id', '=', probeSetId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
