// Whether a failure is a property of the checkpoint itself (its files, its tokenizer, a graph
// onnxruntime cannot build): the same job fails the same way on every attempt, so a worker fails it
// at once instead of retrying.
import { CheckpointError } from '@grokwatch/checkpoint';
import { TokenizerError } from '../tokenizer/tokenizer.js';
import { SessionCreateError } from './session.js';

export function isCheckpointProblem(err: unknown): boolean {
  return err instanceof CheckpointError || err instanceof TokenizerError || err instanceof SessionCreateError;
}
