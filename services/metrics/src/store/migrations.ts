import { sql, type Kysely, type Migration } from 'kysely';
import type { SchemaMigrations } from '@grokwatch/db';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('metrics')
      .createTable('metrics_job')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('checkpoint_id', 'uuid', (c) => c.notNull())
      .addColumn('probe_set_id', 'uuid', (c) => c.notNull())
      .addColumn('params_key', 'text', (c) => c.notNull())
      .addColumn('params', 'jsonb', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
      .addColumn('error', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('metrics_job_key', ['checkpoint_id', 'probe_set_id', 'params_key'])
      .execute();
  },
};

export const metricsMigrations: SchemaMigrations = { schema: 'metrics', migrations: { '0001-initial': initial } };
