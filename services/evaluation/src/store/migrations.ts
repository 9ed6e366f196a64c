import { sql, type Kysely, type Migration } from 'kysely';
import type { SchemaMigrations } from '@grokwatch/db';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('evaluation')
      .createTable('eval_job')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('checkpoint_id', 'uuid', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
      .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('eval_job_checkpoint_task', ['checkpoint_id', 'task'])
      .execute();
    await db.schema
      .withSchema('evaluation')
      .createTable('eval_score')
      .addColumn('eval_job_id', 'uuid', (c) => c.notNull().references('evaluation.eval_job.id').onDelete('cascade'))
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('stderr', 'double precision')
      .addColumn('n', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('eval_score_pk', ['eval_job_id', 'metric'])
      .execute();
  },
};

export const evaluationMigrations: SchemaMigrations = { schema: 'evaluation', migrations: { '0001-initial': initial } };
