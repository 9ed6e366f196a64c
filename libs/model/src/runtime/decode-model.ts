// A checkpoint loaded for generation: the decode graph stages (key/value cache) and greedy decoding
// over a batch of left-padded prompts.

import * as ort from 'onnxruntime-node';
import { attentionCacheShape, Checkpoint, type ArchitectureDescription, type AttentionCacheShape } from '@grokwatch/checkpoint';
import type { GraphStage } from '../graph/capture-graph.js';
import { buildDecodeStages, DECODE_INPUTS, DECODE_OUTPUTS } from '../graph/decode-graph.js';
import { createSession, type ExecutionProvider, type SessionOptions } from './session.js';

export interface DecodeModelOptions extends SessionOptions {
  readonly fuseGateUp?: boolean;
  /** Decoder layers per onnxruntime session (default 1; Infinity = one session). */
  readonly layersPerSession?: number;
}

interface StageSession {
  readonly stage: GraphStage;
  readonly session: ort.InferenceSession;
}

export interface GreedyOptions {
  readonly maxNewTokens: number;
  /** Generation of a row stops after it emits one of these (default: config eos ids). */
  readonly stopIds?: readonly number[];
  readonly signal?: AbortSignal;
}

/** One decoding step's result: logits at the last position [B, V] and the cache so far. */
export interface DecodeStep {
  readonly nextLogits: Float32Array;
  readonly cache: KvCache;
}

/** The per-layer key/value cache, [B, Hkv, P, hd] each, and the mask over those P positions. */
export interface KvCache {
  readonly length: number;
  readonly keys: readonly ort.Tensor[];
  readonly values: readonly ort.Tensor[];
  readonly mask: readonly (readonly number[])[];
}

export class DecodeModel {
  private constructor(
    readonly checkpoint: Checkpoint,
    private readonly stages: readonly StageSession[],
    readonly provider: ExecutionProvider,
  ) {}

  get sessionCount(): number {
    return this.stages.length;
  }

  get description(): ArchitectureDescription {
    return this.checkpoint.description;
  }

  static async load(dir: string, options: DecodeModelOptions = {}): Promise<DecodeModel> {
    const checkpoint = await Checkpoint.open(dir);
    const opened: StageSession[] = [];
    try {
      const stages = buildDecodeStages(checkpoint.description, checkpoint, {
        fuseGateUp: options.fuseGateUp ?? true,
        layersPerSession: options.layersPerSession,
      });
      let providers = options.executionProviders;
      for (const stage of stages) {
        const label = `decode graph for ${dir}, layers ${stage.firstLayer}-${stage.firstLayer + stage.layerCount - 1} (${stage.nodeCount} nodes)`;
        const created = await createSession(stage.bytes, dir, label, { ...options, executionProviders: providers });
        providers = [created.provider];
        opened.push({ stage, session: created.session });
      }
      return new DecodeModel(checkpoint, opened, providers![0]);
    } catch (err) {
      await Promise.all(opened.map((s) => s.session.release()));
      await checkpoint.close();
      throw err;
    }
  }

  /** An empty cache for `batch` rows. */
  emptyCache(batch: number): KvCache {
    const tensors = (dim: (c: AttentionCacheShape) => number): ort.Tensor[] =>
      this.description.layers.map((l) => {
        const cache = attentionCacheShape(l.attention);
        return new ort.Tensor('float32', new Float32Array(0), [batch, cache.heads, 0, dim(cache)]);
      });
    return { length: 0, keys: tensors((c) => c.keyDim), values: tensors((c) => c.valueDim), mask: Array.from({ length: batch }, () => []) };
  }

  /**
   * Feeds `ids` [B][T] (mask `newMask` [B][T]) after the cached positions; returns the logits at
   * the last new position and the extended cache.
   */
  async step(ids: readonly (readonly number[])[], newMask: readonly (readonly number[])[], cache: KvCache): Promise<DecodeStep> {
    const B = ids.length;
    const T = ids[0]?.length ?? 0;
    if (T === 0 || ids.some((r) => r.length !== T) || newMask.some((r) => r.length !== T) || cache.mask.length !== B) {
      throw new Error(`decode step needs ${B} rows of equal length > 0 matching the cache's ${cache.mask.length} rows`);
    }
    const mask = cache.mask.map((row, b) => [...row, ...newMask[b]]);
    const base = {
      [DECODE_INPUTS.inputIds]: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids.flat(), (v) => BigInt(v)),
        [B, T],
      ),
      [DECODE_INPUTS.attentionMask]: new ort.Tensor(
        'int64',
        BigInt64Array.from(mask.flat(), (v) => BigInt(v)),
        [B, cache.length + T],
      ),
    };
    const keys: ort.Tensor[] = [];
    const values: ort.Tensor[] = [];
    let hidden: ort.Tensor | null = null;
    let nextLogits: Float32Array | null = null;
    for (const { stage, session } of this.stages) {
      const feeds: Record<string, ort.Tensor> = { ...base };
      if (hidden !== null) feeds[DECODE_INPUTS.hidden] = hidden;
      for (let l = stage.firstLayer; l < stage.firstLayer + stage.layerCount; l++) {
        feeds[DECODE_INPUTS.pastKey(l)] = cache.keys[l];
        feeds[DECODE_INPUTS.pastValue(l)] = cache.values[l];
      }
      const out = await session.run(feeds);
      for (let l = stage.firstLayer; l < stage.firstLayer + stage.layerCount; l++) {
        keys.push(out[DECODE_OUTPUTS.presentKey(l)]);
        values.push(out[DECODE_OUTPUTS.presentValue(l)]);
      }
      if (stage.isLast) nextLogits = out[DECODE_OUTPUTS.nextLogits].data as Float32Array;
      else hidden = out[DECODE_OUTPUTS.hidden];
    }
    if (nextLogits === null) throw new Error('decode model has no final stage');
    return { nextLogits, cache: { length: cache.length + T, keys, values, mask } };
  }

  /** Greedy decoding (argmax, ties to the lower id) of each prompt; returns the new tokens per prompt. */
  async greedy(prompts: readonly (readonly number[])[], options: GreedyOptions): Promise<number[][]> {
    const B = prompts.length;
    if (B === 0) return [];
    const V = this.description.vocabSize;
    const stop = new Set(options.stopIds ?? this.description.config.eosTokenIds);
    const longest = Math.max(...prompts.map((p) => p.length));
    if (prompts.some((p) => p.length === 0)) throw new Error('greedy decoding needs non-empty prompts');
    // Left padding so every row's last position is a real token.
    const ids = prompts.map((p) => [...new Array<number>(longest - p.length).fill(0), ...p]);
    const mask = prompts.map((p) => [...new Array<number>(longest - p.length).fill(0), ...p.map(() => 1)]);
    let step = await this.step(ids, mask, this.emptyCache(B));
    const generated: number[][] = prompts.map(() => []);
    const done = new Array<boolean>(B).fill(false);
    for (let n = 0; n < options.maxNewTokens; n++) {
      options.signal?.throwIfAborted();
      const next = generated.map((_, b) => argmax(step.nextLogits.subarray(b * V, (b + 1) * V)));
      next.forEach((id, b) => {
        if (done[b]) return;
        generated[b].push(id);
        if (stop.has(id)) done[b] = true;
      });
      if (done.every(Boolean) || n + 1 === options.maxNewTokens) break;
      step = await this.step(
        next.map((id) => [id]),
        done.map(() => [1]),
        step.cache,
      );
    }
    return generated;
  }

  async release(): Promise<void> {
    await Promise.all(this.stages.map((s) => s.session.release()));
    await this.checkpoint.close();
  }
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
