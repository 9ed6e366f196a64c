// SQL for grokking alerts: one per (run, probe set, parameter set), written once.
import type { Kysely, Selectable } from 'kysely';
import type { GrokkingAlertTable, MetricsTables } from './tables.js';

export type GrokkingAlert = Selectable<GrokkingAlertTable>;

export class AlertStore {
  constructor(readonly db: Kysely<MetricsTables>) {}

  /** Returns the new alert, or undefined when this phase was already reported. */
  insert(alert: Omit<GrokkingAlert, 'created_at' | 'evidence'> & { evidence: Record<string, number> }): Promise<GrokkingAlert | undefined> {
    return this.db
      .insertInto('metrics.grokking_alert')
      .values({ ...alert, evidence: JSON.stringify(alert.evidence) })
      .onConflict((oc) => oc.columns(['run_id', 'probe_set_id', 'params_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  listForRun(runId: string): Promise<GrokkingAlert[]> {
    return this.db.selectFrom('metrics.grokking_alert').selectAll().where('run_id', '=', runId).orderBy('created_at').execute();
  }
}
