export { env, parseEnv, EnvError, type EnvSpec, type ParsedEnv, requireSharedDatabase } from './env.js';
export { createLogger, databaseLost, logFormatFromEnv, type LogFormat, type Logger } from './logger.js';
export { formatLogLine, LiveLine, terminalLine } from './terminal.js';
export { badInput, clip, notFound, userError, type ErrorCode } from './errors.js';
export { DEFAULT_QUERY_LIMITS, measureOperation, queryLimitsPlugin, withFieldCosts, type FieldCost, type FieldCosts, type QueryLimits } from './query-limits.js';
export { buildSubgraph, type ReferenceResolvers } from './subgraph.js';
export { Counter, Gauge, Histogram, Registry, createRegistry, graphqlMetricsPlugin } from './metrics.js';
export { jobMetrics, type JobMeter, type JobStatusCounts } from './job-metrics.js';
export {
  runHealthChecks,
  startHttpService,
  SUBGRAPH_TOKEN_HEADER,
  type HealthCheck,
  type HealthReport,
  type HttpService,
  type HttpServiceOptions,
} from './http-server.js';
export { onShutdown } from './shutdown.js';
export { isUuid } from './ids.js';
export { fileRoots, pathUnderRoots, readTextUnderRoots, shortPath, type FileRoots, type PathCheck } from './file-roots.js';
export { subgraphListen, subgraphTokenFromEnv, type SubgraphListen } from './subgraph-env.js';
export {
  checkDeadline,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  enforceDeadlines,
  operationLimitsFromEnv,
  RATE_LIMIT_ENV,
  rateLimiter,
  responseSizePlugin,
  withDeadline,
  type RateLimit,
} from './operation-limits.js';
export { checkPage, DEFAULT_CHILD_PAGE, DEFAULT_PAGE, MAX_PAGE, type Page } from './page.js';
export { READ_CACHE_DEFAULTS, ReadCache, ServiceReads, type ReadCacheOptions } from './read-cache.js';
export { ChildPageArgs, PageArgs, pageOf } from './page-args.js';
export { JOB_STATUS_DESCRIPTION, JOB_STATUS_DESCRIPTIONS, JobStatusValue } from './job-status.js';
export { BatchLoader, groupRows } from './batch-loader.js';
export { openServiceHost, type ServiceHost, type ServiceHostOptions, type SubgraphServeOptions } from './service-host.js';
