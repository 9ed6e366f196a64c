export { buildMetricsSubgraph } from './subgraph.js';
export { MetricsService, DEFAULT_METRICS_PARAMS } from './metrics-service.js';
export type { MetricsContext } from './graphql/context.js';
export { MetricsStore, paramsKey } from './store/metrics-store.js';
export { metricsMigrations } from './store/migrations.js';
export type { MetricsTables } from './store/tables.js';
export { startMetricsService, type MetricsServiceConfig } from './service.js';
