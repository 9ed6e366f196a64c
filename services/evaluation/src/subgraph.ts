import type { GraphQLSchema } from 'graphql';
import { buildSubgraph, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';
import { CheckpointEntity } from './graphql/types.js';

export function buildEvaluationSubgraph(): Promise<GraphQLSchema> {
  // Checkpoint is only extended here (no query returns it), so it must be listed to be emitted.
  return buildSubgraph({ resolvers: [...resolvers], orphanedTypes: [CheckpointEntity] }, referenceResolvers as unknown as ReferenceResolvers);
}
