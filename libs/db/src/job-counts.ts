// How many jobs of a job table are in each status: what /metrics reports as queue depth and backlog.
import { sql } from 'kysely';
import type { AnyKysely } from './migrate.js';

/** `table` is schema-qualified ("inference.capture_job"); it must have a text `status` column. */
export async function jobStatusCounts(db: AnyKysely, table: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; n: number }>`select status, count(*)::int as n from ${sql.table(table)} group by status`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
