// One page of a query's rows; every store pages the same way.
import { sql, type Kysely } from 'kysely';

/** An offset and a row count (service-kit's checkPage validates one from GraphQL arguments). */
export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
}

/** The query limited to one page; all rows without one (internal callers that need every row). */
export function paged<Q extends { offset(n: number): Q; limit(n: number): Q }>(q: Q, page: PageWindow | undefined): Q {
  return page === undefined ? q : q.offset(page.offset).limit(page.limit);
}

/**
 * One page of rows per key in one query (a page of jobs for each of 50 checkpoints): rows are numbered
 * per key in `orderBy` order and each key's window is kept. Answers batched child lists (service-kit
 * BatchLoader) with the same rows the per-key paged query would return.
 */
export async function pagePerKey<R extends Record<string, unknown>, DB>(
  db: Kysely<DB>,
  table: string,
  keyColumn: keyof R & string,
  keys: readonly string[],
  orderBy: readonly (keyof R & string)[],
  page: PageWindow,
): Promise<Map<string, R[]>> {
  const out = new Map<string, R[]>();
  if (keys.length === 0) return out;
  const order = sql.join(orderBy.map((c) => sql.ref(c)));
  const key = sql.ref(keyColumn);
  const result = await sql<R & { page_row: number | string }>`
    select * from (
      select t.*, row_number() over (partition by ${key} order by ${order}) as page_row
      from ${sql.table(table)} t where ${key} in (${sql.join([...keys])})
    ) w where page_row > ${page.offset} and page_row <= ${page.offset + page.limit} order by ${key}, page_row`.execute(db);
  for (const { page_row: _, ...rest } of result.rows) {
    const row = rest as unknown as R;
    const k = String(row[keyColumn]);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
