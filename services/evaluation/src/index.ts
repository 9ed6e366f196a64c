export { buildEvaluationSubgraph } from './subgraph.js';
export type { EvaluationContext } from './graphql/context.js';
export { EvaluationStore } from './store/evaluation-store.js';
export { evaluationMigrations } from './store/migrations.js';
export type { EvaluationTables } from './store/tables.js';
export { startEvaluationService, type EvaluationServiceConfig } from './service.js';
