import type { GraphQLSchema } from 'graphql';
import { MAX_TASKS, METRICS } from '@grokwatch/benchmark';
import { buildSubgraph, type FieldCosts, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';
import { CheckpointEntity } from './graphql/types.js';

export function buildEvaluationSubgraph(): Promise<GraphQLSchema> {
  // Checkpoint is only extended here (no query returns it), so it must be listed to be emitted.
  return buildSubgraph({ resolvers: [...resolvers], orphanedTypes: [CheckpointEntity] }, referenceResolvers as unknown as ReferenceResolvers);
}

/** Query cost of this subgraph's lists without a page argument (the most they hold) and of its documents built on read. */
export const evaluationFieldCosts: FieldCosts = {
  'Query.benchmarks': { assumedSize: MAX_TASKS },
  'EvaluationJob.scores': { assumedSize: METRICS.size },
  'EvaluationJob.harnessJson': { weight: METRICS.size },
};
