import type { EvaluationService } from '../evaluation-service.js';

/** What the evaluation subgraph's resolvers need; the embedded gateway merges contexts by key. */
export interface EvaluationContext {
  evaluation: EvaluationService;
}
