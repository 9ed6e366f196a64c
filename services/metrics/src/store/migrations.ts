import { sql, type Kysely, type Migration } from 'kysely';
import { outboxMigration, type SchemaMigrations } from '@grokwatch/db';
import { paramsKey } from './metrics-store.js';

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

const routingAlert: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('metrics')
      .createTable('routing_alert')
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('layer', 'integer', (c) => c.notNull())
      .addColumn('step', 'bigint', (c) => c.notNull())
      .addColumn('checkpoint_id', 'uuid', (c) => c.notNull())
      .addColumn('dead_experts', 'integer', (c) => c.notNull())
      .addColumn('baseline_dead', 'integer', (c) => c.notNull())
      .addColumn('experts', 'integer', (c) => c.notNull())
      .addColumn('recovered_step', 'bigint')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('routing_alert_pk', ['run_id', 'layer'])
      .execute();
  },
};

/** Test groups and their pairing with training groups (method.md 6). */
const groups: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema.withSchema('metrics');
    await s
      .createTable('test_item')
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('doc_index', 'integer', (c) => c.notNull())
      .addColumn('doc_id', 'text', (c) => c.notNull())
      .addColumn('group_name', 'text')
      .addColumn('generalized_step', 'bigint')
      .addColumn('min_k_pp', 'double precision')
      .addColumn('contaminated', 'boolean', (c) => c.notNull())
      .addPrimaryKeyConstraint('test_item_pk', ['run_id', 'task', 'doc_index'])
      .execute();
    await s
      .createTable('test_group_summary')
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('score_metric', 'text', (c) => c.notNull())
      .addColumn('steps', 'jsonb', (c) => c.notNull())
      .addColumn('expected_checkpoints', 'integer', (c) => c.notNull())
      .addColumn('items', 'integer', (c) => c.notNull())
      .addColumn('generalized', 'integer', (c) => c.notNull())
      .addColumn('filter_applied', 'boolean', (c) => c.notNull())
      .addColumn('fraction', 'double precision', (c) => c.notNull())
      .addColumn('dropped', 'integer', (c) => c.notNull())
      .addColumn('unscored', 'integer', (c) => c.notNull())
      .addColumn('threshold', 'double precision')
      .addColumn('score_step', 'bigint')
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('computed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('test_group_summary_pk', ['run_id', 'task'])
      .execute();
    await s
      .createTable('group_pairing')
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('probe_set_id', 'uuid', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('result', 'jsonb', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('computed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('group_pairing_pk', ['run_id', 'probe_set_id'])
      .execute();
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

const runVariant: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('metrics')
      .createTable('run_variant')
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('params_key', 'text', (c) => c.notNull())
      .addColumn('params', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('run_variant_pk', ['run_id', 'params_key'])
      .execute();
  },
};

/**
 * The group's mean NLL over its samples' target spans, beside the whole-sample NLL; and what a raw
 * distance is confounded by: mean pathway length and routing entropy (null for older rows).
 */
const targetLossAndConfounds: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('metrics')
      .alterTable('pathway_result')
      .addColumn('mean_target_nll', 'double precision')
      .addColumn('target_nll_samples', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('pathway_length', 'double precision')
      .addColumn('routing_entropy', 'double precision')
      .execute();
  },
};

/**
 * One alert per phase of a probe set (not one per parameter set: a phase found by four distance
 * variants was four alerts). Older rows of one phase collapse to the earliest.
 */
const alertPerPhase: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`delete from metrics.grokking_alert a using metrics.grokking_alert b
               where a.run_id = b.run_id and a.probe_set_id = b.probe_set_id and a.start_step = b.start_step
                 and (a.created_at, a.params_key) > (b.created_at, b.params_key)`.execute(db);
    await sql`alter table metrics.grokking_alert drop constraint grokking_alert_pk`.execute(db);
    await db.schema.withSchema('metrics').alterTable('grokking_alert').dropColumn('params_key').execute();
    await db.schema
      .withSchema('metrics')
      .alterTable('grokking_alert')
      .addColumn('agreeing', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .execute();
    await sql`alter table metrics.grokking_alert add constraint grokking_alert_pk primary key (run_id, probe_set_id, start_step)`.execute(db);
  },
};

/**
 * Parameters gained a field with a default: stored keys are canonical JSON of every field, so rows
 * from before name the default explicitly, or their cached results would read as not computed.
 */
function paramsGained(field: string, value: unknown): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const table of ['metrics_job', 'run_variant']) {
        const rows = await sql<{ params_key: string }>`select distinct params_key from ${sql.table(`metrics.${table}`)}`.execute(db);
        for (const { params_key: key } of rows.rows) {
          const params = JSON.parse(key) as Record<string, unknown>;
          if (field in params) continue;
          const next = paramsKey({ ...params, [field]: value });
          await sql`update ${sql.table(`metrics.${table}`)} set params_key = ${next}, params = ${next}::jsonb where params_key = ${key}`.execute(db);
        }
      }
    },
  };
}

export const metricsMigrations: SchemaMigrations = {
  schema: 'metrics',
  migrations: {
    '0001-initial': initial,
    '0002-pathway-result': pathwayResult,
    '0003-grokking-alert': grokkingAlert,
    '0004-run-variant': runVariant,
    '0005-target-loss-and-confounds': targetLossAndConfounds,
    '0006-alert-per-phase': alertPerPhase,
    '0007-routing-scope': paramsGained('scope', 'sample'),
    '0008-outbox': outboxMigration('metrics'),
    '0009-routing-weights': paramsGained('weights', 'scores'),
    '0010-routing-alert': routingAlert,
    '0011-groups': groups,
  },
};
