import { GraphQLError } from 'graphql';

/** Stable `extensions.code` values clients can branch on. */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED' | 'QUERY_TOO_COMPLEX';

export function userError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

export const badInput = (message: string, details: Record<string, unknown> = {}): GraphQLError => userError('BAD_USER_INPUT', message, details);

/** A client's value inside an error message: at most `max` characters, so an error never echoes a megabyte. */
export function clip(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}... (${value.length} characters)`;
}

export const notFound = (what: string, id: string): GraphQLError => userError('NOT_FOUND', `${what} ${clip(id)} not found`, { id: clip(id) });
