export { GrokwatchClient, ApiError, type ClientOptions } from './client.js';
export { main, parseCommandLine } from './main.js';
export { STANDARD_METRICS, benchmarkFor, type MetricVariant, type CorrelationRow } from './commands/metrics.js';
