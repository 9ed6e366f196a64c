import { sql, type Kysely, type Migration } from 'kysely';
import { outboxMigration, readViewsMigration, type SchemaMigrations } from '@grokwatch/db';
import { INFERENCE_READ_VIEWS, READ_SCHEMA } from './read-views.js';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema.withSchema('inference');
    await s
      .createTable('run')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('architecture', 'text', (c) => c.notNull())
      .addColumn('tokenizer', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await s
      .createTable('checkpoint')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('run_id', 'uuid', (c) => c.notNull().references('inference.run.id').onDelete('cascade'))
      .addColumn('step', 'bigint', (c) => c.notNull().check(sql`step >= 0`))
      .addColumn('tokens_seen', 'double precision')
      .addColumn('uri', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('registered'))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('checkpoint_run_step', ['run_id', 'step'])
      .execute();
    await s
      .createTable('probe_set')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('sample_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await s
      .createTable('sample')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('probe_set_id', 'uuid', (c) => c.notNull().references('inference.probe_set.id').onDelete('cascade'))
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('group_name', 'text')
      .addColumn('meta', 'jsonb')
      .addUniqueConstraint('sample_probe_set_position', ['probe_set_id', 'idx'])
      .execute();
    await s
      .createTable('capture_job')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('checkpoint_id', 'uuid', (c) => c.notNull().references('inference.checkpoint.id').onDelete('cascade'))
      .addColumn('probe_set_id', 'uuid', (c) => c.notNull().references('inference.probe_set.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
      .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('capture_job_checkpoint_probe_set', ['checkpoint_id', 'probe_set_id'])
      .execute();
    await s
      .createTable('sample_routing')
      .addColumn('checkpoint_id', 'uuid', (c) => c.notNull().references('inference.checkpoint.id').onDelete('cascade'))
      .addColumn('sample_id', 'uuid', (c) => c.notNull().references('inference.sample.id').onDelete('cascade'))
      .addColumn('capture_job_id', 'uuid')
      .addColumn('layers', 'integer', (c) => c.notNull())
      .addColumn('experts', 'integer', (c) => c.notNull())
      .addColumn('routing', 'bytea', (c) => c.notNull())
      .addColumn('topk_counts', 'bytea')
      .addColumn('embedding', 'bytea')
      .addColumn('nll', 'double precision')
      .addColumn('token_count', 'integer')
      .addColumn('min_k_pp', 'double precision')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('sample_routing_pk', ['checkpoint_id', 'sample_id'])
      .execute();
    await s
      .createTable('checkpoint_router')
      .addColumn('checkpoint_id', 'uuid', (c) => c.notNull().references('inference.checkpoint.id').onDelete('cascade'))
      .addColumn('layer', 'integer', (c) => c.notNull())
      .addColumn('experts', 'integer', (c) => c.notNull())
      .addColumn('hidden', 'integer', (c) => c.notNull())
      .addColumn('weights', 'bytea', (c) => c.notNull())
      .addPrimaryKeyConstraint('checkpoint_router_pk', ['checkpoint_id', 'layer'])
      .execute();
    await s.createIndex('checkpoint_run_idx').on('checkpoint').column('run_id').execute();
  },
};

const runSettings: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .withSchema('inference')
      .alterTable('run')
      .addColumn('watch_dir', 'text')
      .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{"probeSetIds":[],"tasks":[],"thresholds":[0.7]}'::jsonb`))
      .execute();
  },
};

/** Samples may mark a target span (the answer); captures store its NLL beside the whole-sample NLL. */
const targetSpan: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.withSchema('inference').alterTable('sample').addColumn('target_start', 'integer').addColumn('target_end', 'integer').execute();
    await db.schema.withSchema('inference').alterTable('sample_routing').addColumn('target_nll', 'double precision').execute();
  },
};

/** Routing also summarized over the target's tokens and at the position before them (capture option scopes). */
const spanRouting: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.withSchema('inference').alterTable('sample_routing').addColumn('target_routing', 'bytea').addColumn('position_routing', 'bytea').execute();
  },
};

/** The optimizer settings in effect at a checkpoint: a step change is a confound of every pathway trend. */
const checkpointHyperparameters: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.withSchema('inference').alterTable('checkpoint').addColumn('hyperparameters', 'jsonb').execute();
  },
};

export const inferenceMigrations: SchemaMigrations = {
  schema: 'inference',
  migrations: {
    '0001-initial': initial,
    '0002-run-settings': runSettings,
    '0003-target-span': targetSpan,
    '0004-span-routing': spanRouting,
    '0005-checkpoint-hyperparameters': checkpointHyperparameters,
    '0006-outbox': outboxMigration('inference'),
    '0007-read-views': readViewsMigration('inference', READ_SCHEMA, INFERENCE_READ_VIEWS),
  },
};
