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

/** Results per (job, group); a job's note says why some metrics are null. */
const pathwayResult: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.withSchema('metrics').alterTable('metrics_job').addColumn('note', 'text').execute();
    await db.schema
      .withSchema('metrics')
      .createTable('pathway_result')
      .addColumn('job_id', 'uuid', (c) => c.notNull().references('metrics.metrics_job.id').onDelete('cascade'))
      .addColumn('group_name', 'text', (c) => c.notNull())
      .addColumn('samples', 'integer', (c) => c.notNull().check(sql`samples >= 1`))
      .addColumn('distance_mean', 'double precision')
      .addColumn('distance_std', 'double precision')
      .addColumn('distance_ci_low', 'double precision')
      .addColumn('distance_ci_high', 'double precision')
      .addColumn('distance_pairs', 'bigint')
      .addColumn('distance_total_pairs', 'bigint')
      .addColumn('distance_exact', 'boolean')
      .addColumn('consistency', 'double precision')
      .addColumn('complexity', 'double precision')
      .addColumn('raw_cosine', 'double precision')
      .addColumn('undefined_consistency', 'integer')
      .addColumn('effective_dimension', 'double precision', (c) => c.notNull())
      .addColumn('bound', 'double precision', (c) => c.notNull())
      .addColumn('bias', 'double precision')
      .addColumn('mean_nll', 'double precision')
      .addColumn('nll_samples', 'integer', (c) => c.notNull())
      .addColumn('layerwise', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('pathway_result_pk', ['job_id', 'group_name'])
      .execute();
    // Series over a run read completed jobs by (probe set, params) and then their checkpoints.
    await db.schema.withSchema('metrics').createIndex('metrics_job_probe_set_params_idx').on('metrics_job').columns(['probe_set_id', 'params_key']).execute();
  },
};

const grokkingAlert: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('metrics')
      .createTable('grokking_alert')
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('probe_set_id', 'uuid', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('params_key', 'text', (c) => c.notNull())
      .addColumn('start_step', 'bigint', (c) => c.notNull())
      .addColumn('end_step', 'bigint', (c) => c.notNull())
      .addColumn('evidence', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('grokking_alert_pk', ['run_id', 'probe_set_id', 'params_key'])
      .execute();
  },
};

export const metricsMigrations: SchemaMigrations = {
  schema: 'metrics',
  migrations: { '0001-initial': initial, '0002-pathway-result': pathwayResult, '0003-grokking-alert': grokkingAlert },
};
