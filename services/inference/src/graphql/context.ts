import type { InferenceService } from '../inference-service.js';

/** What the inference subgraph's resolvers need; the embedded gateway merges contexts by key. */
export interface InferenceContext {
  inference: InferenceService;
}
