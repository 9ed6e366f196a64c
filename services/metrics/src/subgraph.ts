import type { GraphQLSchema } from 'graphql';
import { MAX_LAYERS } from '@grokwatch/checkpoint';
import { buildSubgraph, MAX_PAGE, type FieldCosts, type ReferenceResolvers } from '@grokwatch/service-kit';
import { referenceResolvers, resolvers } from './graphql/resolvers.js';
import { CheckpointEntity, RunEntity } from './graphql/types.js';
import { MAX_RUN_VARIANTS } from './variants.js';
import { MAX_CURVE_POINTS } from './groups/group-pairing.js';

export function buildMetricsSubgraph(): Promise<GraphQLSchema> {
  // Checkpoint and Run are only extended here (no query returns them), so they must be listed to be emitted.
  return buildSubgraph({ resolvers: [...resolvers], orphanedTypes: [CheckpointEntity, RunEntity] }, referenceResolvers as unknown as ReferenceResolvers);
}

/**
 * Query cost of this subgraph's lists without a page argument: the most they hold. Series,
 * correlations, memorization groups and schedule changes have an element per checkpoint; a run is
 * charged as if it had MAX_PAGE checkpoints (Run.checkpoints' largest page).
 */
export const metricsFieldCosts: FieldCosts = {
  'Run.metricVariants': { assumedSize: MAX_RUN_VARIANTS },
  'Run.scheduleChanges': { assumedSize: MAX_PAGE },
  'MetricSeries.points': { assumedSize: MAX_PAGE },
  'Correlation.points': { assumedSize: MAX_PAGE },
  'Memorization.groups': { assumedSize: MAX_PAGE },
  'TestGroups.groups': { assumedSize: MAX_PAGE },
  'TestGroups.steps': { assumedSize: MAX_PAGE },
  'GroupPairing.trainGroups': { assumedSize: MAX_PAGE },
  'GroupPairing.testGroups': { assumedSize: MAX_PAGE },
  'GroupPair.metrics': { assumedSize: MAX_CURVE_POINTS },
  'GroupPairing.dataGroups': { assumedSize: MAX_PAGE },
  'PathwayMetrics.layerwise': { assumedSize: MAX_LAYERS },
  'RoutingHealth.layers': { assumedSize: MAX_LAYERS },
};
