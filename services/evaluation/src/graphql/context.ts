import type { EvaluationStore } from '../store/evaluation-store.js';

export interface EvaluationContext {
  evaluation: { store: EvaluationStore };
}
