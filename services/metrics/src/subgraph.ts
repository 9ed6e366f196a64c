import type { GraphQLSchema } from 'graphql';
import { buildSubgraph, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';
import { CheckpointEntity, RunEntity } from './graphql/types.js';

export function buildMetricsSubgraph(): Promise<GraphQLSchema> {
  // Checkpoint and Run are only extended here (no query returns them), so they must be listed to be emitted.
  return buildSubgraph({ resolvers: [...resolvers], orphanedTypes: [CheckpointEntity, RunEntity] }, referenceResolvers as unknown as ReferenceResolvers);
}
