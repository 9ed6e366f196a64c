// A service's read contract: versioned read-only views (`<schema>_read.<name>_v1`) that other services
// read instead of its tables. The owner declares them, creates them with readViewsMigration, and
// checks them with readViewColumns (a view's columns are its version: a change is a `_v2` beside it).
import { sql, type Migration } from 'kysely';
import type { AnyKysely } from './migrate.js';

/** View name -> the owner's table it selects from and the columns it exposes, in order. */
export type ReadViews = Readonly<Record<string, { readonly from: string; readonly columns: readonly string[] }>>;

export function readViewsMigration(schema: string, readSchema: string, views: ReadViews): Migration {
  return {
    async up(db: AnyKysely) {
      await sql`create schema if not exists ${sql.id(readSchema)}`.execute(db);
      for (const [name, view] of Object.entries(views)) {
        const columns = sql.join(view.columns.map((c) => sql.id(c)));
        await sql`create view ${sql.id(readSchema, name)} as select ${columns} from ${sql.id(schema, view.from)}`.execute(db);
      }
    },
  };
}

/** What the database has in a read schema: each view's columns in order, and whether every relation there is a view. */
export async function readViewColumns(db: AnyKysely, readSchema: string): Promise<{ columns: Record<string, string[]>; onlyViews: boolean }> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns where table_schema = ${readSchema} order by table_name, ordinal_position`.execute(db);
  const columns: Record<string, string[]> = {};
  for (const r of rows.rows) (columns[r.table_name] ??= []).push(r.column_name);
  const kinds = await sql<{ table_type: string }>`select table_type from information_schema.tables where table_schema = ${readSchema}`.execute(db);
  return { columns, onlyViews: kinds.rows.every((r) => r.table_type === 'VIEW') };
}
