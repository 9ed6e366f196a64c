import type { GraphQLSchema } from 'graphql';
import { MAX_LAYERS } from '@grokwatch/checkpoint';
import { buildSubgraph, type FieldCosts, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';
import { MAX_RUN_PROBE_SETS } from './inference-service.js';

/** The inference subgraph schema; the same object serves standalone and embedded. */
export function buildInferenceSubgraph(): Promise<GraphQLSchema> {
  return buildSubgraph({ resolvers: [...resolvers] }, referenceResolvers as unknown as ReferenceResolvers);
}

/** Query cost of this subgraph's lists without a page argument (the most they hold) and of its counting scalars. */
export const inferenceFieldCosts: FieldCosts = {
  'Run.probeSets': { assumedSize: MAX_RUN_PROBE_SETS },
  'SampleRouting.layers': { assumedSize: MAX_LAYERS },
  'SamplePathway.layers': { assumedSize: MAX_LAYERS },
  'Run.checkpointCount': { weight: 1 },
};
