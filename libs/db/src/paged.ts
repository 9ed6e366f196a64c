// One page of a query's rows; every store pages the same way.

/** An offset and a row count (service-kit's checkPage validates one from GraphQL arguments). */
export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
}

/** The query limited to one page; all rows without one (internal callers that need every row). */
export function paged<Q extends { offset(n: number): Q; limit(n: number): Q }>(q: Q, page: PageWindow | undefined): Q {
  return page === undefined ? q : q.offset(page.offset).limit(page.limit);
}
