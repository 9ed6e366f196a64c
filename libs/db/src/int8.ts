import { UnsafeInt8Error } from './errors.js';

/**
 * Both drivers return int8 (bigint columns, count(*), sum of int4) as a JS number: every id, step
 * and count this platform stores is far below 2^53, and numbers are what the rest of the code
 * computes with. A value outside the safe range throws UnsafeInt8Error instead of being rounded.
 */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UnsafeInt8Error(text);
  return n;
}

/** int8[] in Postgres text form, e.g. `{1,NULL,3}` (int8 arrays are always one-dimensional here). */
export function parseInt8Array(text: string): (number | null)[] {
  if (text.length < 2 || text[0] !== '{' || text[text.length - 1] !== '}') {
    throw new RangeError(`not a Postgres array literal: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const body = text.slice(1, -1);
  if (body === '') return [];
  return body.split(',').map((item) => (item === 'NULL' ? null : parseInt8(item)));
}

export const INT8_OID = 20;
export const INT8_ARRAY_OID = 1016;
