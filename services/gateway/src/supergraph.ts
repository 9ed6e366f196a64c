// Composes subgraph schemas into the supergraph SDL the gateway plans queries against.
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';

export interface NamedSubgraph {
  name: string;
  url: string;
  schema: GraphQLSchema;
}

export class CompositionError extends Error {
  constructor(
    readonly errors: string[],
    options?: ErrorOptions,
  ) {
    super(`supergraph composition failed:\n  - ${errors.join('\n  - ')}`, options);
    this.name = 'CompositionError';
  }
}

export function subgraphSdl(schema: GraphQLSchema): string {
  return printSubgraphSchema(schema);
}

export function composeSupergraph(subgraphs: NamedSubgraph[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(subgraphSdl(s.schema)) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  return result.supergraphSdl;
}
