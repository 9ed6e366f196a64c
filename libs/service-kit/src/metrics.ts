// Prometheus metrics: one registry per service, default process metrics plus HTTP/GraphQL timings.
import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createRegistry(service: string, opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Counts and times GraphQL operations by name and outcome. */
export function graphqlMetricsPlugin(registry: Registry): ApolloServerPlugin {
  const duration = new Histogram({
    name: 'grokwatch_graphql_operation_seconds',
    help: 'GraphQL operation duration',
    labelNames: ['operation', 'type'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'grokwatch_graphql_errors_total',
    help: 'GraphQL operations that returned errors',
    labelNames: ['operation', 'code'],
    registers: [registry],
  });
  return {
    async requestDidStart() {
      const end = duration.startTimer();
      let operation = 'unknown';
      let type = 'unknown';
      return {
        async didResolveOperation(ctx) {
          operation = ctx.operationName ?? 'anonymous';
          type = ctx.operation?.operation ?? 'unknown';
        },
        async didEncounterErrors(ctx) {
          for (const err of ctx.errors) {
            errors.inc({ operation, code: String(err.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
          }
        },
        async willSendResponse() {
          end({ operation, type });
        },
      };
    },
  };
}
