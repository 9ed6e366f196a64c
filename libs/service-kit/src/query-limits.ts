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
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What one field costs beyond the default rule; declared by the subgraph that resolves it. */
export interface FieldCost {
  /** Elements charged for a list of objects without a page-size argument: the most it can hold. */
  readonly assumedSize?: number;
  /** The field's own cost, for a scalar whose resolver does I/O (a count, a document built on read). */
  readonly weight?: number;
}

/** Declared costs by `Type.field`. */
export type FieldCosts = Readonly<Record<string, FieldCost>>;

export interface QueryLimits {
  /** Deepest field nesting allowed (the operation's top-level fields are depth 1). */
  readonly maxDepth: number;
  /** Upper bound on the objects an answer can hold (lists multiplied by their page size). */
  readonly maxCost: number;
  /** Elements charged for a list of objects with neither a page-size argument nor a declared size. */
  readonly assumedListSize: number;
  readonly fields: FieldCosts;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 50_000, assumedListSize: 1000, fields: {} };

/** The limits with more declared field costs (the gateway merges every subgraph's). */
export function withFieldCosts(limits: QueryLimits, ...costs: FieldCosts[]): QueryLimits {
  return { ...limits, fields: Object.assign({}, limits.fields, ...costs) as FieldCosts };
}

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

interface Measure {
  depth: number;
  cost: number;
}

function representationCount(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === 'representations');
  if (arg === undefined) return undefined;
  if (arg.value.kind === Kind.LIST) return arg.value.values.length;
  if (arg.value.kind === Kind.VARIABLE) {
    const given = variables[arg.value.name.value];
    return Array.isArray(given) ? given.length : undefined;
  }
  return undefined;
}

/**
 * Walks each operation with fragments inlined and counts what the answer can hold, the way
 * demand-control cost models do: one per object and per top-level field, nothing for a scalar read
 * from its parent's row (unless its declared weight says its resolver does I/O), and each list of
 * objects multiplied by its page size: the requested size (`limit: 1000` is charged for what it
 * can return), the size argument's declared default, the list's declared assumedSize, or else
 * assumedListSize. A cycle such as `runs { checkpoints { run { checkpoints ...` grows as the
 * product of its levels' sizes. A size of zero or less is refused before anything is costed (it
 * would subtract). Without a schema only size arguments multiply.
 */
function measure(
  set: SelectionSetNode,
  parent: GraphQLNamedType | null,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
  variables: Record<string, unknown>,
  seen: Set<string>,
  schema: GraphQLSchema | null,
  atRoot: boolean,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const def = parent !== null && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
      const declared = def === undefined ? undefined : limits.fields[`${parent!.name}.${sel.name.value}`];
      const isObject = sel.selectionSet !== undefined;
      const own = declared?.weight ?? (isObject || atRoot ? 1 : 0);
      // A list of objects resolves its selection once per element; a list of scalars (routing weights)
      // is one value to serialize, bounded by the response size cap instead.
      let multiplier = def !== undefined && isObject && isListType(getNullableType(def.type)) ? (declared?.assumedSize ?? limits.assumedListSize) : 1;
      // A page size argument left out is charged at its declared default: what the field returns then.
      const sizeArg = def?.args.find((a) => LIST_SIZE_ARGS.has(a.name));
      if (sizeArg !== undefined && typeof sizeArg.defaultValue === 'number' && sizeArg.defaultValue >= 1) multiplier = sizeArg.defaultValue;
      // A federated entity fetch returns one object per representation the gateway sends.
      if (atRoot && sel.name.value === '_entities') multiplier = Math.max(1, representationCount(sel, variables) ?? multiplier);
      for (const arg of sel.arguments ?? []) {
        if (!LIST_SIZE_ARGS.has(arg.name.value)) continue;
        const v = arg.value;
        const given = v.kind === Kind.INT ? Number(v.value) : v.kind === Kind.VARIABLE ? variables[v.name.value] : undefined;
        if (given === undefined || given === null) continue;
        if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 1) throw badPageSize(sel.name.value, arg.name.value, given);
        multiplier = given;
      }
      const inner = sel.selectionSet
        ? measure(sel.selectionSet, def === undefined ? null : getNamedType(def.type), fragments, limits, variables, seen, schema, false)
        : { depth: 0, cost: 0 };
      depth = Math.max(depth, inner.depth + 1);
      cost += multiplier * (own + inner.cost);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? (schema?.getType(sel.typeCondition.name.value) ?? null) : parent;
      const inner = measure(sel.selectionSet, on, fragments, limits, variables, seen, schema, atRoot);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // A fragment cycle is already a validation error of its own; do not recurse forever.
      if (!frag || seen.has(name)) continue;
      seen.add(name);
      const inner = measure(frag.selectionSet, schema?.getType(frag.typeCondition.name.value) ?? null, fragments, limits, variables, seen, schema, atRoot);
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
  return measure(op.selectionSet, root, fragments, limits, variables, new Set(), schema, true);
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
