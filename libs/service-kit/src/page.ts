// One page of a list field: offset and limit as GraphQL arguments, checked the same way everywhere.
import { badInput } from './errors.js';

/** The most rows one list field returns in one page. */
export const MAX_PAGE = 1000;

/** Rows a list field returns when the client names no limit (the query cost charges this too). */
export const DEFAULT_PAGE = 100;

/**
 * Rows a list under a listed parent returns when the client names no limit (a checkpoint's jobs and
 * scores): every parent of a page multiplies it, in the answer and in the query cost.
 */
export const DEFAULT_CHILD_PAGE = 20;

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

/** Validates a page; a bad one is BAD_USER_INPUT naming the argument. */
export function checkPage(offset: number, limit: number, max = MAX_PAGE): Page {
  if (!Number.isSafeInteger(offset) || offset < 0) throw badInput('offset must be an integer >= 0', { field: 'offset' });
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) throw badInput(`limit must be within 1..${max}`, { field: 'limit' });
  return { offset, limit };
}
