// Router weight matrices per layer (K x hidden, row k = expert k's embedding v_{l,k}), which the
// pathway-consistency metric of method.md section 4 needs.

import { Checkpoint } from '@grokwatch/checkpoint';

export interface RouterWeights {
  readonly layers: number;
  readonly experts: number;
  readonly hidden: number;
  /** One K x hidden row-major float32 matrix per routed layer (dense layers have no router). */
  readonly weights: Float32Array[];
}

export async function routerWeightsOf(checkpoint: Checkpoint): Promise<RouterWeights> {
  const desc = checkpoint.description;
  const weights: Float32Array[] = [];
  for (const layer of desc.layers) if (layer.moe !== null) weights.push((await checkpoint.readF32(layer.moe.router.weight.name)).slice());
  return { layers: weights.length, experts: desc.numExperts, hidden: desc.hiddenSize, weights };
}

/** Opens the checkpoint at `dir` (validating it), reads its routers, closes it. */
export async function loadRouterWeights(dir: string): Promise<RouterWeights> {
  const checkpoint = await Checkpoint.open(dir);
  try {
    return await routerWeightsOf(checkpoint);
  } finally {
    await checkpoint.close();
  }
}
