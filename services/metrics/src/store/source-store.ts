// Read-only SQL on the schemas other services own: inference (runs, checkpoints, probe sets,
// samples, routing, router matrices) and evaluation (benchmark scores and items). The metrics service
// never writes there; every service uses the same database, so these are plain cross-schema reads of
// the columns read-tables.ts declares.
import type { Kysely } from 'kysely';
import type { MetricsReadTables } from './read-tables.js';
import type { Hyperparameters } from '@grokwatch/pathway';
import { runDefaultParams, type MetricsParams, type RoutingScope, type RoutingWeights } from '../params.js';

export type SourceTables = MetricsReadTables;

export interface CheckpointRef {
  id: string;
  runId: string;
  step: number;
  /** Optimizer settings the trainer reported for the checkpoint (null: none). */
  hyperparameters: Hyperparameters | null;
}

export interface ProbeSetRef {
  id: string;
  name: string;
  domain: string;
  sampleCount: number;
}

/** One sample of a probe set with its routing at one checkpoint (routing null when not captured). */
export interface SampleRoutingRow {
  sampleId: string;
  idx: number;
  group: string | null;
  layers: number | null;
  experts: number | null;
  routing: Uint8Array | null;
  nll: number | null;
  /** NLL of the sample's target (answer) tokens; null when the sample marks none. */
  targetNll: number | null;
}

/** One routed sample's layers x experts selection counts (null when only scores were stored) and score means. */
export interface RoutingLoadRow {
  layers: number;
  experts: number;
  counts: Uint8Array | null;
  routing: Uint8Array;
}

export interface RouterRow {
  layer: number;
  experts: number;
  hidden: number;
  weights: Uint8Array;
}

export interface RoutingCount {
  /** Samples with routing at the checkpoint. */
  routed: number;
  /** Of those, samples with an NLL. */
  withNll: number;
}

export interface ScoreRow {
  checkpointId: string;
  metric: string;
  value: number;
}

/** What a run's settings say about its test groups and their pairing. */
export interface RunGroupSettings {
  tasks: string[];
  contaminationFilter: boolean;
  embeddingModel: string | null;
}

/** One stored test item of a completed evaluation, as test groups read it. */
export interface EvaluatedItemRow {
  checkpointId: string;
  docIndex: number;
  docId: string;
  group: string | null;
  scores: Record<string, number | { sum: number; weight: number }>;
  minKPlusPlus: number | null;
}

export class SourceStore {
  constructor(readonly db: Kysely<SourceTables>) {}

  async getCheckpoint(id: string): Promise<CheckpointRef | undefined> {
    const row = await this.db.selectFrom('inference_read.checkpoint_v1').select(['id', 'run_id', 'step', 'hyperparameters']).where('id', '=', id).executeTakeFirst();
    return row && toCheckpointRef(row);
  }

  /** The pathway thresholds a run asks for (inference.run.settings); undefined when the run does not exist. */
  async runThresholdsOf(runId: string): Promise<number[] | undefined> {
    const row = await this.db.selectFrom('inference_read.run_v1').select('settings').where('id', '=', runId).executeTakeFirst();
    return row === undefined ? undefined : row.settings.thresholds;
  }

  /** The parameters the run's metrics take where a request leaves them out (runDefaultParams of its architecture); undefined when the run does not exist. */
  async runDefaultsOf(runId: string): Promise<MetricsParams | undefined> {
    const row = await this.db.selectFrom('inference_read.run_v1').select('architecture').where('id', '=', runId).executeTakeFirst();
    return row === undefined ? undefined : runDefaultParams(row.architecture);
  }

  /** The run's probe sets: those its settings capture, and any other with routing at its checkpoints. */
  async runProbeSets(runId: string): Promise<ProbeSetRef[]> {
    const run = await this.db.selectFrom('inference_read.run_v1').select('settings').where('id', '=', runId).executeTakeFirst();
    if (!run) return [];
    const routed = await this.db
      .selectFrom('inference_read.sample_routing_v1 as r')
      .innerJoin('inference_read.checkpoint_v1 as c', 'c.id', 'r.checkpoint_id')
      .innerJoin('inference_read.sample_v1 as s', 's.id', 'r.sample_id')
      .select('s.probe_set_id')
      .distinct()
      .where('c.run_id', '=', runId)
      .execute();
    const ids = [...new Set([...run.settings.probeSetIds, ...routed.map((r) => r.probe_set_id)])];
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('inference_read.probe_set_v1').select(['id', 'name', 'domain', 'sample_count']).where('id', 'in', ids).orderBy('name').execute();
    return rows.map(toProbeSet);
  }

  async runExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('inference_read.run_v1').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** The run's checkpoints, ascending step. */
  async listRunCheckpoints(runId: string): Promise<CheckpointRef[]> {
    const rows = await this.db.selectFrom('inference_read.checkpoint_v1').select(['id', 'run_id', 'step', 'hyperparameters']).where('run_id', '=', runId).orderBy('step').execute();
    return rows.map(toCheckpointRef);
  }

  async getProbeSet(id: string): Promise<ProbeSetRef | undefined> {
    const row = await this.db.selectFrom('inference_read.probe_set_v1').select(['id', 'name', 'domain', 'sample_count']).where('id', '=', id).executeTakeFirst();
    return row && toProbeSet(row);
  }

  async probeSetsOfDomain(domain: string): Promise<ProbeSetRef[]> {
    const rows = await this.db.selectFrom('inference_read.probe_set_v1').select(['id', 'name', 'domain', 'sample_count']).where('domain', '=', domain).orderBy('name').execute();
    return rows.map(toProbeSet);
  }

  async listDomains(): Promise<string[]> {
    const rows = await this.db.selectFrom('inference_read.probe_set_v1').select('domain').distinct().orderBy('domain').execute();
    return rows.map((r) => r.domain);
  }

  /** Sample count per data group of a probe set (group null: samples without a group). */
  async groupSizes(probeSetId: string): Promise<Map<string | null, number>> {
    const rows = await this.db
      .selectFrom('inference_read.sample_v1')
      .select(['group_name', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('probe_set_id', '=', probeSetId)
      .groupBy('group_name')
      .execute();
    return new Map(rows.map((r) => [r.group_name, Number(r.n)]));
  }

  /**
   * Every sample of the probe set, in index order, with its routing at the checkpoint when stored:
   * the summary over the tokens `scope` names, or with `weights` "selection" the top-k selection
   * counts (null where that summary is missing).
   */
  async loadRouting(checkpointId: string, probeSetId: string, scope: RoutingScope = 'sample', weights: RoutingWeights = 'scores'): Promise<SampleRoutingRow[]> {
    const column = weights === 'selection' ? 'r.topk_counts' : ({ sample: 'r.routing', target: 'r.target_routing', position: 'r.position_routing' } as const)[scope];
    const rows = await this.db
      .selectFrom('inference_read.sample_v1 as s')
      .leftJoin('inference_read.sample_routing_v1 as r', (j) => j.onRef('r.sample_id', '=', 's.id').on('r.checkpoint_id', '=', checkpointId))
      .select(['s.id as sample_id', 's.idx', 's.group_name', 'r.layers', 'r.experts', `${column} as routing`, 'r.nll', 'r.target_nll'])
      .where('s.probe_set_id', '=', probeSetId)
      .orderBy('s.idx')
      .execute();
    return rows.map((r) => ({
      sampleId: r.sample_id,
      idx: r.idx,
      group: r.group_name,
      layers: r.layers,
      experts: r.experts,
      routing: r.routing,
      nll: r.nll,
      targetNll: r.target_nll,
    }));
  }

  /** The probe set's stored routing at the checkpoint with what routing health reads: selection counts, else the score means. */
  async loadRoutingLoad(checkpointId: string, probeSetId: string): Promise<RoutingLoadRow[]> {
    return this.db
      .selectFrom('inference_read.sample_routing_v1 as r')
      .innerJoin('inference_read.sample_v1 as s', 's.id', 'r.sample_id')
      .select(['r.layers', 'r.experts', 'r.topk_counts as counts', 'r.routing'])
      .where('r.checkpoint_id', '=', checkpointId)
      .where('s.probe_set_id', '=', probeSetId)
      .orderBy('s.idx')
      .execute();
  }

  async routerWeights(checkpointId: string): Promise<RouterRow[]> {
    return this.db
      .selectFrom('inference_read.checkpoint_router_v1')
      .select(['layer', 'experts', 'hidden', 'weights'])
      .where('checkpoint_id', '=', checkpointId)
      .orderBy('layer')
      .execute();
  }

  /** Per checkpoint, how many samples of the probe set have routing (and an NLL). */
  async routingCounts(checkpointIds: readonly string[], probeSetId: string): Promise<Map<string, RoutingCount>> {
    if (checkpointIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('inference_read.sample_routing_v1 as r')
      .innerJoin('inference_read.sample_v1 as s', 's.id', 'r.sample_id')
      .select(['r.checkpoint_id', (eb) => eb.fn.countAll<string | number>().as('routed'), (eb) => eb.fn.count<string | number>('r.nll').as('with_nll')])
      .where('s.probe_set_id', '=', probeSetId)
      .where('r.checkpoint_id', 'in', checkpointIds)
      .groupBy('r.checkpoint_id')
      .execute();
    return new Map(rows.map((r) => [r.checkpoint_id, { routed: Number(r.routed), withNll: Number(r.with_nll) }]));
  }

  /** NLL of every sample of the probe set at the given checkpoints (rows without an NLL left out). */
  /**
   * NLL of every sample of the probe set at the given checkpoints: the whole-sample mean, or the
   * target span's (`target`). Rows without that NLL are left out.
   */
  async nllAt(checkpointIds: readonly string[], probeSetId: string, loss: 'sample' | 'target' = 'sample'): Promise<{ checkpointId: string; idx: number; nll: number }[]> {
    if (checkpointIds.length === 0) return [];
    const column = loss === 'target' ? 'r.target_nll' : 'r.nll';
    const rows = await this.db
      .selectFrom('inference_read.sample_routing_v1 as r')
      .innerJoin('inference_read.sample_v1 as s', 's.id', 'r.sample_id')
      .select(['r.checkpoint_id', 's.idx', `${column} as nll`])
      .where('s.probe_set_id', '=', probeSetId)
      .where('r.checkpoint_id', 'in', checkpointIds)
      .where(column, 'is not', null)
      .execute();
    return rows.map((r) => ({ checkpointId: r.checkpoint_id, idx: r.idx, nll: r.nll as number }));
  }

  /** Samples of the probe set that mark a target span. */
  async targetCount(probeSetId: string): Promise<number> {
    const row = await this.db
      .selectFrom('inference_read.sample_v1')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('probe_set_id', '=', probeSetId)
      .where('target_start', 'is not', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async runGroupSettings(runId: string): Promise<RunGroupSettings | undefined> {
    const row = await this.db.selectFrom('inference_read.run_v1').select('settings').where('id', '=', runId).executeTakeFirst();
    if (row === undefined) return undefined;
    return { tasks: row.settings.tasks, contaminationFilter: row.settings.contaminationFilter ?? true, embeddingModel: row.settings.embeddingModel ?? null };
  }

  /** Every stored item of the completed evaluations of `task` at the given checkpoints (embeddings left out). */
  async evaluatedItems(checkpointIds: readonly string[], task: string): Promise<EvaluatedItemRow[]> {
    if (checkpointIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('evaluation_read.eval_item_v1 as i')
      .innerJoin('evaluation_read.eval_job_v1 as j', 'j.id', 'i.eval_job_id')
      .select(['j.checkpoint_id', 'i.doc_index', 'i.doc_id', 'i.group_name', 'i.scores', 'i.min_k_pp'])
      .where('j.task', '=', task)
      .where('j.status', '=', 'completed')
      .where('j.checkpoint_id', 'in', checkpointIds)
      .whereRef('i.doc_index', '<', 'j.total')
      .execute();
    return rows.map((r) => ({
      checkpointId: r.checkpoint_id,
      docIndex: r.doc_index,
      docId: r.doc_id,
      group: r.group_name,
      scores: r.scores as EvaluatedItemRow['scores'],
      minKPlusPlus: r.min_k_pp,
    }));
  }

  /** The completed evaluations of `tasks` at the checkpoints, as "task@checkpoint@updated" keys (what changes when one is redone). */
  async completedEvaluations(checkpointIds: readonly string[], tasks: readonly string[]): Promise<string[]> {
    if (checkpointIds.length === 0 || tasks.length === 0) return [];
    const rows = await this.db
      .selectFrom('evaluation_read.eval_job_v1')
      .select(['task', 'checkpoint_id', 'updated_at'])
      .where('task', 'in', tasks)
      .where('status', '=', 'completed')
      .where('checkpoint_id', 'in', checkpointIds)
      .execute();
    return rows.map((r) => `${r.task}@${r.checkpoint_id}@${r.updated_at.toISOString()}`).sort();
  }

  /** Embeddings (float32 bytes) of the items of the completed evaluation of `task` at the checkpoint, by document. */
  async itemEmbeddings(checkpointId: string, task: string): Promise<Map<number, Uint8Array>> {
    const rows = await this.db
      .selectFrom('evaluation_read.eval_item_v1 as i')
      .innerJoin('evaluation_read.eval_job_v1 as j', 'j.id', 'i.eval_job_id')
      .select(['i.doc_index', 'i.embedding'])
      .where('j.task', '=', task)
      .where('j.status', '=', 'completed')
      .where('j.checkpoint_id', '=', checkpointId)
      .where('i.embedding', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.doc_index, r.embedding as Uint8Array]));
  }

  /** Texts of the items of `task`'s completed evaluations at the checkpoints (the latest stored per document). */
  async itemTexts(checkpointIds: readonly string[], task: string): Promise<Map<number, string>> {
    if (checkpointIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('evaluation_read.eval_item_v1 as i')
      .innerJoin('evaluation_read.eval_job_v1 as j', 'j.id', 'i.eval_job_id')
      .select(['i.doc_index', 'i.text'])
      .where('j.task', '=', task)
      .where('j.status', '=', 'completed')
      .where('j.checkpoint_id', 'in', checkpointIds)
      .where('i.text', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.doc_index, r.text as string]));
  }

  /** Stored sample embeddings (float32 bytes) of the probe set at the checkpoint, by sample index. */
  async sampleEmbeddings(checkpointId: string, probeSetId: string): Promise<Map<number, Uint8Array>> {
    const rows = await this.db
      .selectFrom('inference_read.sample_routing_v1 as r')
      .innerJoin('inference_read.sample_v1 as s', 's.id', 'r.sample_id')
      .select(['s.idx', 'r.embedding'])
      .where('r.checkpoint_id', '=', checkpointId)
      .where('s.probe_set_id', '=', probeSetId)
      .where('r.embedding', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.idx, r.embedding as Uint8Array]));
  }

  /** The probe set's data groups (inference.sample.group_name), by sample index. */
  async sampleGroups(probeSetId: string): Promise<Map<number, string | null>> {
    const rows = await this.db.selectFrom('inference_read.sample_v1').select(['idx', 'group_name']).where('probe_set_id', '=', probeSetId).execute();
    return new Map(rows.map((r) => [r.idx, r.group_name]));
  }

  /** The probe set's sample texts, by sample index. */
  async sampleTexts(probeSetId: string): Promise<Map<number, string>> {
    const rows = await this.db.selectFrom('inference_read.sample_v1').select(['idx', 'text']).where('probe_set_id', '=', probeSetId).execute();
    return new Map(rows.map((r) => [r.idx, r.text]));
  }

  /** Aggregate scores of completed evaluations of `task` at the given checkpoints. */
  async scoresAt(checkpointIds: readonly string[], task: string): Promise<ScoreRow[]> {
    if (checkpointIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('evaluation_read.eval_score_v1 as s')
      .innerJoin('evaluation_read.eval_job_v1 as j', 'j.id', 's.eval_job_id')
      .select(['j.checkpoint_id', 's.metric', 's.value'])
      .where('j.task', '=', task)
      .where('j.status', '=', 'completed')
      .where('j.checkpoint_id', 'in', checkpointIds)
      .execute();
    return rows.map((r) => ({ checkpointId: r.checkpoint_id, metric: r.metric, value: r.value }));
  }
}

function toProbeSet(r: { id: string; name: string; domain: string; sample_count: number }): ProbeSetRef {
  return { id: r.id, name: r.name, domain: r.domain, sampleCount: r.sample_count };
}

function toCheckpointRef(r: { id: string; run_id: string; step: number; hyperparameters: Hyperparameters | null }): CheckpointRef {
  return { id: r.id, runId: r.run_id, step: Number(r.step), hyperparameters: r.hyperparameters };
}
