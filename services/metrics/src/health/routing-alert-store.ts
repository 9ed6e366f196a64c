// SQL for routing collapse alerts: one per layer of a run, written once with its event.
import type { Kysely, Selectable } from 'kysely';
import { enqueueEvent, paged, type OutboxEvent, type PageWindow } from '@grokwatch/db';
import type { MetricsTables, RoutingAlertTable } from '../store/tables.js';

export type RoutingAlert = Selectable<RoutingAlertTable>;

export class RoutingAlertStore {
  constructor(readonly db: Kysely<MetricsTables>) {}

  /** The new alert, or undefined when this layer's collapse was already reported; stored and announced together. */
  insert(alert: Omit<RoutingAlert, 'created_at' | 'recovered_step'>, announce: (alert: RoutingAlert) => OutboxEvent): Promise<RoutingAlert | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('metrics.routing_alert')
        .values(alert)
        .onConflict((oc) => oc.columns(['run_id', 'layer']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) await enqueueEvent(tx, 'metrics', announce(row));
      return row;
    });
  }

  /** Records when a collapsed layer got its experts back (once: a later relapse keeps the first recovery). */
  async markRecovered(runId: string, layer: number, step: number): Promise<void> {
    await this.db
      .updateTable('metrics.routing_alert')
      .set({ recovered_step: step })
      .where('run_id', '=', runId)
      .where('layer', '=', layer)
      .where('recovered_step', 'is', null)
      .execute();
  }

  listForRun(runId: string, page?: PageWindow): Promise<RoutingAlert[]> {
    return paged(this.db.selectFrom('metrics.routing_alert').selectAll().where('run_id', '=', runId).orderBy('step').orderBy('layer'), page).execute();
  }
}
