// Introspection that shows the whole API: the federated schema answers queries and mutations, and
// subscriptions are served beside it over graphql-ws (subscriptions.ts). A client generating code
// from the endpoint (graphql-codegen, Apollo iOS/Kotlin) introspects once and must see both, so an
// operation that asks only for __schema / __type is answered from the API schema extended with the
// subscription types; every other operation goes to the gateway as before.
import type { ApolloServerPlugin, GraphQLRequestContextResponseForOperation } from '@apollo/server';
import { execute, extendSchema, Kind, parse, type DefinitionNode, type GraphQLSchema } from 'graphql';
import { SUBSCRIPTION_SDL } from './subscriptions.js';

/** The API schema plus Subscription and the types only it uses (types the API already has are kept). */
export function withSubscriptions(api: GraphQLSchema): GraphQLSchema {
  const definitions = parse(SUBSCRIPTION_SDL).definitions.filter(
    (d): d is DefinitionNode & { name: { value: string } } => 'name' in d && d.name !== undefined && api.getType(d.name.value) === undefined,
  );
  return extendSchema(api, {
    kind: Kind.DOCUMENT,
    definitions: [...definitions, ...parse('extend schema { subscription: Subscription }').definitions],
  });
}

function onlyIntrospection(rc: GraphQLRequestContextResponseForOperation<object>): boolean {
  const op = rc.operation;
  return op.operation === 'query' && op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__') && s.name.value !== '__typename');
}

export function introspectionWithSubscriptions(): ApolloServerPlugin {
  let cached: { api: GraphQLSchema; full: GraphQLSchema } | null = null;
  return {
    async requestDidStart() {
      return {
        async responseForOperation(rc) {
          if (!onlyIntrospection(rc)) return null;
          // The API schema changes when the supergraph is recomposed; extend each new one once.
          if (cached?.api !== rc.schema) cached = { api: rc.schema, full: withSubscriptions(rc.schema) };
          const result = await execute({ schema: cached.full, document: rc.document, variableValues: rc.request.variables, operationName: rc.request.operationName });
          return { http: rc.response.http, body: { kind: 'single', singleResult: result } };
        },
      };
    },
  };
}
