// The page's only data source: the public GraphQL API of the same origin.
import { GraphQLRequestError, type GraphQLErrorItem } from './errors.js';

export interface GraphQLAnswer<T> {
  data: T;
  /** Errors of fields that failed while the rest of the answer came back. */
  errors: GraphQLErrorItem[];
}

/** Relative to the page, so the dashboard also works behind a path prefix. */
const ENDPOINT = new URL('graphql', document.baseURI).toString();

export async function query<T>(operation: string, text: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: text, variables, operationName: operation }),
    });
  } catch (err) {
    throw new GraphQLRequestError(operation, `the API at ${ENDPOINT} is unreachable (${err instanceof Error ? err.message : String(err)})`, [], null, {
      cause: err,
    });
  }
  let body: { data?: T | null; errors?: GraphQLErrorItem[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError(operation, `the API answered HTTP ${res.status} without JSON`, [], res.status);
  }
  const errors = body.errors ?? [];
  if (body.data === null || body.data === undefined) {
    throw new GraphQLRequestError(operation, errors.map((e) => e.message).join('; ') || `HTTP ${res.status} without data`, errors, res.status);
  }
  return { data: body.data, errors };
}

/** One line per failed field: "run.correlation: message". */
export function describeErrors(errors: readonly GraphQLErrorItem[]): string[] {
  return errors.map((e) => `${e.path?.join('.') ?? 'query'}: ${e.message}`);
}
