// SQL for grokking alerts: one per phase of a run's probe set, written once.
import type { Kysely, Selectable } from 'kysely';
import { enqueueEvent, paged, type OutboxEvent, type PageWindow } from '@grokwatch/db';
import type { GrokkingAlertTable, MetricsTables } from './tables.js';

export type GrokkingAlert = Selectable<GrokkingAlertTable>;

export class AlertStore {
  constructor(readonly db: Kysely<MetricsTables>) {}

  /**
   * Returns the new alert, or undefined when this phase was already reported. A new alert's
   * `announce(alert)` goes into the outbox in the same transaction: stored and announced, or neither.
   */
  insert(
    alert: Omit<GrokkingAlert, 'created_at' | 'evidence' | 'agreeing'> & { agreeing: string[]; evidence: Record<string, unknown> },
    announce: (alert: GrokkingAlert) => OutboxEvent,
  ): Promise<GrokkingAlert | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('metrics.grokking_alert')
        .values({ ...alert, agreeing: JSON.stringify(alert.agreeing), evidence: JSON.stringify(alert.evidence) })
        .onConflict((oc) => oc.columns(['run_id', 'probe_set_id', 'start_step']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) await enqueueEvent(tx, 'metrics', announce(row));
      return row;
    });
  }

  listForRun(runId: string, page?: PageWindow): Promise<GrokkingAlert[]> {
    return paged(
      this.db.selectFrom('metrics.grokking_alert').selectAll().where('run_id', '=', runId).orderBy('created_at').orderBy('probe_set_id').orderBy('start_step'),
      page,
    ).execute();
  }
}
