// Validation rules that reject oversized queries before any resolver runs.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting allowed (the operation's top-level fields are depth 1). */
  maxDepth: number;
  /** Upper bound on the estimated number of fields resolved, lists multiplied by their page size. */
  maxCost: number;
  /** Page size assumed for a list field whose size argument is absent. */
  defaultListSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 50_000, defaultListSize: 20 };

const LIST_SIZE_ARGS = new Set(['first', 'last', 'limit', 'take', 'pageSize']);

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

interface Measure { depth: number; cost: number }

/**
 * Walks each operation with fragments inlined. Cost counts one per field, multiplied by the
 * requested page size of enclosing fields that take a size argument, so `first: 1000` on a
 * nested list is charged for what it can return rather than for one row.
 */
function measure(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
  variables: Record<string, unknown>,
  seen: Set<string>,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      let multiplier = 1;
      for (const arg of sel.arguments ?? []) {
        if (!LIST_SIZE_ARGS.has(arg.name.value)) continue;
        const v = arg.value;
        if (v.kind === Kind.INT) multiplier = Number(v.value);
        else if (v.kind === Kind.VARIABLE) {
          const n = Number(variables[v.name.value]);
          multiplier = Number.isFinite(n) ? n : limits.defaultListSize;
        }
      }
      const inner = sel.selectionSet
        ? measure(sel.selectionSet, fragments, limits, variables, seen)
        : { depth: 0, cost: 0 };
      depth = Math.max(depth, inner.depth + 1);
      cost += multiplier * (1 + inner.cost);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(sel.selectionSet, fragments, limits, variables, seen);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // A fragment cycle is already a validation error of its own; do not recurse forever.
      if (!frag || seen.has(name)) continue;
      seen.add(name);
      const inner = measure(frag.selectionSet, fragments, limits, variables, seen);
      seen.delete(name);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth, cost };
}

/** Measures an operation; exported for tests and for logging. */
export function measureOperation(
  op: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
  variables: Record<string, unknown> = {},
): Measure {
  return measure(op.selectionSet, fragments, limits, variables, new Set());
}

/**
 * An Apollo Server plugin enforcing the limits once the operation is known, with the request's
 * variables at hand (a validation rule would not see them, so `first: $n` could slip through).
 */
export function queryLimitsPlugin(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const def of document.definitions) {
            if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
          }
          const { depth, cost } = measureOperation(operation, fragments, limits, request.variables ?? {});
          if (depth > limits.maxDepth) {
            throw tooComplex(`query depth ${depth} exceeds the limit of ${limits.maxDepth}`);
          }
          if (cost > limits.maxCost) {
            throw tooComplex(`query cost ${cost} exceeds the limit of ${limits.maxCost}`);
          }
        },
      };
    },
  };
}
