// Failures the page reports in place of a view, with what they concern.

/** The API answered with data the page cannot use (names the layer, expert or field). */
export class DashboardDataError extends Error {
  override readonly name = 'DashboardDataError';
}

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

/** A GraphQL request that failed as a whole (HTTP, network, or errors without data). */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  constructor(
    readonly operation: string,
    message: string,
    readonly errors: GraphQLErrorItem[] = [],
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(`${operation}: ${message}`, options);
  }
}
