import { sql, type Kysely, type Migration } from 'kysely';
import { readViewsMigration, type SchemaMigrations } from '@grokwatch/db';
import { EVALUATION_READ_VIEWS, READ_SCHEMA } from './read-views.js';

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

/**
 * Per-item results (idempotent by (job, document)) and what a worker needs to resume and export a
 * job. New job columns have defaults or are nullable, so rows written by older code stay valid.
 */
const items: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema.withSchema('evaluation');
    await s
      .alterTable('eval_job')
      .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('run', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('dataset_size', 'integer')
      .addColumn('task_version', 'text')
      .addColumn('model', 'text')
      .addColumn('result', 'jsonb')
      .execute();
    await s
      .createTable('eval_item')
      .addColumn('eval_job_id', 'uuid', (c) => c.notNull().references('evaluation.eval_job.id').onDelete('cascade'))
      .addColumn('doc_index', 'integer', (c) => c.notNull().check(sql`doc_index >= 0`))
      .addColumn('doc_id', 'text', (c) => c.notNull())
      .addColumn('group_name', 'text')
      .addColumn('prompt_hash', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('output', 'jsonb', (c) => c.notNull())
      .addColumn('extracted', 'jsonb', (c) => c.notNull())
      .addColumn('scores', 'jsonb', (c) => c.notNull())
      .addColumn('choice', 'jsonb')
      .addColumn('code_runs', 'jsonb')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('eval_item_pk', ['eval_job_id', 'doc_index'])
      .execute();
  },
};

/** Per item its text as one string, and what the model's internals say of it (method.md 6): its embedding and Min-K%++ score. */
const itemSignals: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.withSchema('evaluation').alterTable('eval_item').addColumn('text', 'text').addColumn('embedding', 'bytea').addColumn('min_k_pp', 'double precision').execute();
  },
};

export const evaluationMigrations: SchemaMigrations = {
  schema: 'evaluation',
  migrations: {
    '0001-initial': initial,
    '0002-items': items,
    '0003-item-signals': itemSignals,
    '0004-read-views': readViewsMigration('evaluation', READ_SCHEMA, EVALUATION_READ_VIEWS),
  },
};
