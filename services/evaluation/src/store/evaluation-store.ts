// All SQL of the evaluation service.
import type { Kysely, Selectable } from 'kysely';
import type { EvalJobTable, EvaluationTables } from './tables.js';

export type EvalJob = Selectable<EvalJobTable>;

export class EvaluationStore {
  constructor(readonly db: Kysely<EvaluationTables>) {}

  getJob(id: string): Promise<EvalJob | undefined> {
    return this.db.selectFrom('evaluation.eval_job').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listJobs(checkpointId: string): Promise<EvalJob[]> {
    return this.db.selectFrom('evaluation.eval_job').selectAll().where('checkpoint_id', '=', checkpointId).orderBy('task').execute();
  }
}
