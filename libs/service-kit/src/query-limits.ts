// Validation rules that reject oversized queries before any resolver runs.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting allowed (the operation's top-level fields are depth 1). */
  maxDepth: number;
  /** Upper bound on the estimated number of fields resolved, lists multiplied by their page size. */
  maxCost: number;
  /** Page size charged for a list field whose size argument is absent (when the schema is known). */
  defaultListSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 50_000, defaultListSize: 20 };

const LIST_SIZE_ARGS = new Set(['first', 'last', 'limit', 'take', 'pageSize']);

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

/**
 * 1e309 is valid GraphQL and valid JSON but no number: as a literal or a variable it reaches
 * argument coercion as Infinity, which the federated gateway answers with HTTP 500. Refused here as
 * bad input instead.
 */
function refuseNonFiniteNumbers(document: DocumentNode, variables: Record<string, unknown>): void {
  visit(document, {
    FloatValue(node) {
      if (!Number.isFinite(Number(node.value))) throw notANumber(node.value);
    },
    IntValue(node) {
      if (!Number.isFinite(Number(node.value))) throw notANumber(node.value);
    },
  });
  const walk = (v: unknown, path: string, depth: number): void => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw notANumber(`${path} = ${v}`);
    if (depth > 32 || v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, `${path}.${k}`, depth + 1);
  };
  walk(variables, '$', 0);
}

function notANumber(what: string): GraphQLError {
  return new GraphQLError(`${what.slice(0, 60)} is not a finite number`, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

function badPageSize(field: string, arg: string, value: unknown): GraphQLError {
  return new GraphQLError(`${field}(${arg}:) must be a positive integer, got ${String(value).slice(0, 40)}`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

interface Measure { depth: number; cost: number }

/**
 * Walks each operation with fragments inlined. Cost counts one per field, multiplied by the page
 * size of enclosing list fields: the requested size (`first: 1000` is charged for what it can
 * return), or, for a list without a size argument, defaultListSize: a cycle such as
 * `runs { checkpoints { run { checkpoints ...` grows as that size to the power of its levels.
 * A size of zero or less is refused before anything is costed (it would subtract). Without a
 * schema only size arguments multiply.
 */
function measure(
  set: SelectionSetNode,
  parent: GraphQLNamedType | null,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
  variables: Record<string, unknown>,
  seen: Set<string>,
  schema: GraphQLSchema | null,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const def = parent !== null && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
      // A list of objects resolves its selection once per element; a list of scalars (routing weights)
      // is one value to serialize, bounded by the response size cap instead.
      let multiplier = def !== undefined && sel.selectionSet !== undefined && isListType(getNullableType(def.type)) ? limits.defaultListSize : 1;
      // A page size argument left out is charged at its declared default: what the field returns then.
      const sizeArg = def?.args.find((a) => LIST_SIZE_ARGS.has(a.name));
      if (sizeArg !== undefined && typeof sizeArg.defaultValue === 'number' && sizeArg.defaultValue >= 1) multiplier = sizeArg.defaultValue;
      for (const arg of sel.arguments ?? []) {
        if (!LIST_SIZE_ARGS.has(arg.name.value)) continue;
        const v = arg.value;
        const given = v.kind === Kind.INT ? Number(v.value) : v.kind === Kind.VARIABLE ? variables[v.name.value] : undefined;
        if (given === undefined || given === null) continue;
        if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 1) throw badPageSize(sel.name.value, arg.name.value, given);
        multiplier = given;
      }
      const inner = sel.selectionSet
        ? measure(sel.selectionSet, def === undefined ? null : getNamedType(def.type), fragments, limits, variables, seen, schema)
        : { depth: 0, cost: 0 };
      depth = Math.max(depth, inner.depth + 1);
      cost += multiplier * (1 + inner.cost);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? (schema?.getType(sel.typeCondition.name.value) ?? null) : parent;
      const inner = measure(sel.selectionSet, on, fragments, limits, variables, seen, schema);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // A fragment cycle is already a validation error of its own; do not recurse forever.
      if (!frag || seen.has(name)) continue;
      seen.add(name);
      const inner = measure(frag.selectionSet, schema?.getType(frag.typeCondition.name.value) ?? null, fragments, limits, variables, seen, schema);
      seen.delete(name);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth, cost };
}

/** Measures an operation (list fields known when `schema` is given); exported for tests and for logging. */
export function measureOperation(
  op: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
  variables: Record<string, unknown> = {},
  schema: GraphQLSchema | null = null,
): Measure {
  const root = schema === null ? null : (schema.getRootType(op.operation) ?? null);
  return measure(op.selectionSet, root, fragments, limits, variables, new Set(), schema);
}

/**
 * An Apollo Server plugin enforcing the limits once the operation is known, with the request's
 * variables at hand (a validation rule would not see them, so `first: $n` could slip through).
 */
export function queryLimitsPlugin(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ApolloServerPlugin {
  const measuredDocuments = new WeakMap<OperationDefinitionNode, Measure>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const variables = request.variables ?? {};
          // Apollo Server hands the same document object to every request with the same query text:
          // an operation without variables measures the same every time.
          const reusable = (operation.variableDefinitions ?? []).length === 0;
          let measured = reusable ? measuredDocuments.get(operation) : undefined;
          if (measured === undefined) {
            refuseNonFiniteNumbers(document, variables);
            const fragments = new Map<string, FragmentDefinitionNode>();
            for (const def of document.definitions) {
              if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
            }
            measured = measureOperation(operation, fragments, limits, variables, schema);
            if (reusable) measuredDocuments.set(operation, measured);
          }
          const { depth, cost } = measured;
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
