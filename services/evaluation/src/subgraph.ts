import type { GraphQLSchema } from 'graphql';
import { buildSubgraph, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';

export function buildEvaluationSubgraph(): Promise<GraphQLSchema> {
  return buildSubgraph({ resolvers: [...resolvers] }, referenceResolvers as unknown as ReferenceResolvers);
}
