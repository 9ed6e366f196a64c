import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { MigrationError } from './errors.js';

/** A service's migrations, applied in name order inside its own Postgres schema. */
export interface SchemaMigrations {
  schema: string;
  migrations: Record<string, Migration>;
}

// Kysely's own Migration.up(db: Kysely<any>) signature: a migration sees an untyped database.
export type AnyKysely = Kysely<any>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** First key of the two-int advisory lock; the second is a hash of the schema name. */
const MIGRATION_LOCK_CLASS = 0x67776d67; // "gwmg"

/**
 * Creates `m.schema` if absent and applies its pending migrations, tracking them in
 * `<schema>.kysely_migration`. Two processes starting at once serialize on a session advisory
 * lock keyed by the schema name, so the loser finds the migrations already applied (a no-op).
 * The same path runs on PGlite, where the lock is uncontended (one connection).
 */
export async function migrateSchema(db: AnyKysely, m: SchemaMigrations): Promise<void> {
  if (!SCHEMA_NAME.test(m.schema)) {
    throw new MigrationError(m.schema, undefined, new Error('schema name must match /^[a-z_][a-z0-9_]{0,62}$/'));
  }
  const key = schemaLockKey(m.schema);
  // A session-level lock must be taken and released on the same connection, hence connection().
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_CLASS}::int4, ${key}::int4)`.execute(conn);
    try {
      await sql`create schema if not exists ${sql.id(m.schema)}`.execute(conn);
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => m.migrations },
        migrationTableSchema: m.schema,
      });
      check(m.schema, await migrator.migrateToLatest());
    } catch (err) {
      throw err instanceof MigrationError ? err : new MigrationError(m.schema, undefined, err);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_CLASS}::int4, ${key}::int4)`.execute(conn);
    }
  });
}

function check(schema: string, { error, results }: MigrationResultSet): void {
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new MigrationError(schema, failed, error);
}

/** 32-bit FNV-1a of the schema name as a signed int4 (pg_advisory_lock's second key). */
export function schemaLockKey(schema: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(schema)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
