// SQL of test groups and group pairings: written whole by the pipeline (groups/group-watch.ts),
// read by queries. A (run, task)'s items and summary, and a (run, probe set)'s pairing, are each
// replaced in one transaction, so a read sees the old result or the new one.
import type { Kysely, Selectable } from 'kysely';
import { paged, type PageWindow } from '@grokwatch/db';
import type { GroupPairingTable, MetricsTables, TestGroupSummaryTable, TestItemTable } from '../store/tables.js';
import type { PairingResult } from './group-pairing.js';
import type { TestGroupsResult } from './test-groups.js';

export type TestGroupSummary = Selectable<TestGroupSummaryTable>;
export type TestItem = Selectable<TestItemTable>;
export type StoredPairing = Omit<Selectable<GroupPairingTable>, 'result'> & { result: PairingResult };

/** Which test items a listing returns. */
export interface TestItemFilter {
  /** Items of the Test@t group at this step. */
  step?: number | null;
  /** Items that never generalize (and were not dropped). */
  never?: boolean;
  /** Items the contamination filter dropped. */
  contaminated?: boolean;
}

const INSERT_CHUNK = 1000;

export class GroupStore {
  constructor(readonly db: Kysely<MetricsTables>) {}

  async testFingerprint(runId: string, task: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('metrics.test_group_summary').select('fingerprint').where('run_id', '=', runId).where('task', '=', task).executeTakeFirst();
    return row?.fingerprint;
  }

  async replaceTestGroups(runId: string, task: string, result: TestGroupsResult, expectedCheckpoints: number, fingerprint: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('metrics.test_item').where('run_id', '=', runId).where('task', '=', task).execute();
      for (let at = 0; at < result.items.length; at += INSERT_CHUNK) {
        await tx
          .insertInto('metrics.test_item')
          .values(
            result.items.slice(at, at + INSERT_CHUNK).map((it) => ({
              run_id: runId,
              task,
              doc_index: it.docIndex,
              doc_id: it.docId,
              group_name: it.group,
              generalized_step: it.generalizedStep,
              min_k_pp: it.minKPlusPlus,
              contaminated: it.contaminated,
            })),
          )
          .execute();
      }
      const summary = {
        score_metric: result.scoreMetric,
        steps: JSON.stringify(result.steps),
        expected_checkpoints: expectedCheckpoints,
        items: result.items.length,
        generalized: result.items.filter((it) => it.generalizedStep !== null && !it.contaminated).length,
        filter_applied: result.filterApplied,
        fraction: result.fraction,
        dropped: result.dropped,
        unscored: result.unscored,
        threshold: result.threshold,
        score_step: result.scoreStep,
        fingerprint,
        computed_at: new Date(),
      };
      await tx
        .insertInto('metrics.test_group_summary')
        .values({ run_id: runId, task, ...summary })
        .onConflict((oc) => oc.columns(['run_id', 'task']).doUpdateSet(summary))
        .execute();
    });
  }

  async deleteTestGroups(runId: string, task: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('metrics.test_item').where('run_id', '=', runId).where('task', '=', task).execute();
      await tx.deleteFrom('metrics.test_group_summary').where('run_id', '=', runId).where('task', '=', task).execute();
    });
  }

  testSummary(runId: string, task: string): Promise<TestGroupSummary | undefined> {
    return this.db.selectFrom('metrics.test_group_summary').selectAll().where('run_id', '=', runId).where('task', '=', task).executeTakeFirst();
  }

  /** Test@t sizes (kept items only), ascending step, and how many kept items never generalize. */
  async testGroupSizes(runId: string, task: string): Promise<{ groups: { step: number; size: number }[]; never: number }> {
    const rows = await this.db
      .selectFrom('metrics.test_item')
      .select(['generalized_step', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('run_id', '=', runId)
      .where('task', '=', task)
      .where('contaminated', '=', false)
      .groupBy('generalized_step')
      .orderBy('generalized_step')
      .execute();
    return {
      groups: rows.filter((r) => r.generalized_step !== null).map((r) => ({ step: Number(r.generalized_step), size: Number(r.n) })),
      never: Number(rows.find((r) => r.generalized_step === null)?.n ?? 0),
    };
  }

  /** The items the filter kept: document index, data group and t# (null: never generalizes). */
  async keptItems(runId: string, task: string): Promise<{ docIndex: number; group: string | null; step: number | null }[]> {
    const rows = await this.db
      .selectFrom('metrics.test_item')
      .select(['doc_index', 'group_name', 'generalized_step'])
      .where('run_id', '=', runId)
      .where('task', '=', task)
      .where('contaminated', '=', false)
      .orderBy('doc_index')
      .execute();
    return rows.map((r) => ({ docIndex: r.doc_index, group: r.group_name, step: r.generalized_step === null ? null : Number(r.generalized_step) }));
  }

  listTestItems(runId: string, task: string, filter: TestItemFilter, page: PageWindow): Promise<TestItem[]> {
    let q = this.db.selectFrom('metrics.test_item').selectAll().where('run_id', '=', runId).where('task', '=', task);
    if (filter.contaminated !== undefined) q = q.where('contaminated', '=', filter.contaminated);
    if (filter.never === true) q = q.where('generalized_step', 'is', null);
    if (filter.step != null) q = q.where('generalized_step', '=', filter.step);
    return paged(q.orderBy('doc_index'), page)
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, generalized_step: r.generalized_step === null ? null : Number(r.generalized_step) })));
  }

  /** The tasks of a run with stored test groups. */
  async testTasks(runId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('metrics.test_group_summary').select('task').where('run_id', '=', runId).orderBy('task').execute();
    return rows.map((r) => r.task);
  }

  async pairingFingerprint(runId: string, probeSetId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('metrics.group_pairing').select('fingerprint').where('run_id', '=', runId).where('probe_set_id', '=', probeSetId).executeTakeFirst();
    return row?.fingerprint;
  }

  async replacePairing(runId: string, result: PairingResult, fingerprint: string): Promise<void> {
    const values = { domain: result.domain, result: JSON.stringify(result), fingerprint, computed_at: new Date() };
    await this.db
      .insertInto('metrics.group_pairing')
      .values({ run_id: runId, probe_set_id: result.probeSetId, ...values })
      .onConflict((oc) => oc.columns(['run_id', 'probe_set_id']).doUpdateSet(values))
      .execute();
  }

  async deletePairing(runId: string, probeSetId: string): Promise<void> {
    await this.db.deleteFrom('metrics.group_pairing').where('run_id', '=', runId).where('probe_set_id', '=', probeSetId).execute();
  }

  async pairing(runId: string, probeSetId: string): Promise<StoredPairing | undefined> {
    const row = await this.db.selectFrom('metrics.group_pairing').selectAll().where('run_id', '=', runId).where('probe_set_id', '=', probeSetId).executeTakeFirst();
    return row && { ...row, result: row.result as unknown as PairingResult };
  }
}
