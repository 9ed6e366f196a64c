import type { GraphQLSchema } from 'graphql';
import { buildSubgraph, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';

/** The inference subgraph schema; the same object serves standalone and embedded. */
export function buildInferenceSubgraph(): Promise<GraphQLSchema> {
  return buildSubgraph({ resolvers: [...resolvers] }, referenceResolvers as unknown as ReferenceResolvers);
}
