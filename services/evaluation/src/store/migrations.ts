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
  },
};

export const evaluationMigrations: SchemaMigrations = { schema: 'evaluation', migrations: { '0001-initial': initial } };
