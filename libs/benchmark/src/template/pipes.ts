import type { JsonValue } from '../json.js';
import { typeName } from '../json.js';

/** Misuse of a pipe (wrong type or arity); the renderer adds the template and document. */
export class PipeMisuse extends Error {}

/** A pipe transforms a value; it throws PipeMisuse on bad input. */
type Pipe = (value: JsonValue, args: readonly JsonValue[]) => JsonValue;

function str(v: JsonValue, pipe: string): string {
  if (typeof v !== 'string') throw new PipeMisuse(`pipe '${pipe}' expects a string, got ${typeName(v)}`);
  return v;
}
function list(v: JsonValue, pipe: string): JsonValue[] {
  if (!Array.isArray(v)) throw new PipeMisuse(`pipe '${pipe}' expects a list, got ${typeName(v)}`);
  return v;
}
function arity(args: readonly JsonValue[], n: number, pipe: string): void {
  if (args.length !== n) throw new PipeMisuse(`pipe '${pipe}' takes ${n} argument(s), got ${args.length}`);
}
function strArg(v: JsonValue, pipe: string): string {
  if (typeof v !== 'string') throw new PipeMisuse(`pipe '${pipe}' expects a string argument, got ${typeName(v)}`);
  return v;
}

/** Whitespace as Python's str.strip() sees it (ASCII and Unicode spaces). */
const PY_SPACE = /^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/g;

const PIPES: Record<string, Pipe> = {
  strip: (v, a) => (arity(a, 0, 'strip'), str(v, 'strip').replace(PY_SPACE, '')),
  lower: (v, a) => (arity(a, 0, 'lower'), str(v, 'lower').toLowerCase()),
  upper: (v, a) => (arity(a, 0, 'upper'), str(v, 'upper').toUpperCase()),
  join: (v, a) => {
    arity(a, 1, 'join');
    return list(v, 'join')
      .map((x) => {
        if (typeof x !== 'string' && typeof x !== 'number') throw new PipeMisuse(`pipe 'join' expects a list of strings, found ${typeName(x)}`);
        return String(x);
      })
      .join(strArg(a[0], 'join'));
  },
  split: (v, a) => (arity(a, 1, 'split'), str(v, 'split').split(strArg(a[0], 'split'))),
  replace: (v, a) => (arity(a, 2, 'replace'), str(v, 'replace').replaceAll(strArg(a[0], 'replace'), strArg(a[1], 'replace'))),
  after_last: (v, a) => {
    arity(a, 1, 'after_last');
    const s = str(v, 'after_last');
    const sep = strArg(a[0], 'after_last');
    const at = s.lastIndexOf(sep);
    return at < 0 ? s : s.slice(at + sep.length);
  },
  first: (v, a) => {
    arity(a, 0, 'first');
    const l = list(v, 'first');
    if (l.length === 0) throw new PipeMisuse("pipe 'first' on an empty list");
    return l[0];
  },
  last: (v, a) => {
    arity(a, 0, 'last');
    const l = list(v, 'last');
    if (l.length === 0) throw new PipeMisuse("pipe 'last' on an empty list");
    return l[l.length - 1];
  },
  map: (v, a) => {
    arity(a, 1, 'map');
    const key = strArg(a[0], 'map');
    return list(v, 'map').map((x) => {
      if (typeof x !== 'object' || x === null || Array.isArray(x) || !(key in x)) {
        throw new PipeMisuse(`pipe 'map' needs mappings with field '${key}', found ${typeName(x)}`);
      }
      return x[key];
    });
  },
  index_of: (v, a) => {
    arity(a, 1, 'index_of');
    const l = list(v, 'index_of');
    const at = l.findIndex((x) => x === a[0]);
    if (at < 0) throw new PipeMisuse(`pipe 'index_of': ${JSON.stringify(a[0])} is not in ${JSON.stringify(l)}`);
    return at;
  },
};

export const PIPE_NAMES: readonly string[] = Object.keys(PIPES);

export function applyPipe(name: string, value: JsonValue, args: readonly JsonValue[]): JsonValue {
  const pipe = PIPES[name];
  if (!pipe) throw new PipeMisuse(`unknown pipe '${name}'`);
  return pipe(value, args);
}
