// One cached CaptureModel (checkpoint + graph + onnxruntime session) per checkpoint directory and
// variant. Least-recently-used models beyond `maxModels` are released, but never while in use.

import { realpath } from 'node:fs/promises';
import { CaptureModel, type CaptureModelOptions } from './capture-model.js';

interface Entry {
  readonly model: Promise<CaptureModel>;
  inUse: number;
  lastUsed: number;
}

export class CaptureModelCache {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;

  constructor(private readonly maxModels = 2) {}

  /** Runs `fn` with the model for `dir`, loading it on first use. */
  async use<T>(dir: string, options: CaptureModelOptions, fn: (model: CaptureModel) => Promise<T>): Promise<T> {
    const key = await cacheKey(dir, options);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const model = CaptureModel.load(dir, options);
      entry = { model, inUse: 0, lastUsed: 0 };
      this.entries.set(key, entry);
      model.catch(() => this.entries.delete(key));
    }
    entry.inUse++;
    entry.lastUsed = ++this.clock;
    try {
      const model = await entry.model;
      await this.evict();
      return await fn(model);
    } finally {
      entry.inUse--;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Releases every model not in use. */
  async releaseAll(): Promise<void> {
    const idle = [...this.entries].filter(([, e]) => e.inUse === 0);
    for (const [key] of idle) this.entries.delete(key);
    await Promise.all(
      idle.map(([, e]) =>
        e.model.then(
          (m) => m.release(),
          () => undefined,
        ),
      ),
    );
  }

  private async evict(): Promise<void> {
    while (this.entries.size > this.maxModels) {
      const idle = [...this.entries].filter(([, e]) => e.inUse === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
      if (idle.length === 0) return;
      const [key, entry] = idle[0];
      this.entries.delete(key);
      await entry.model.then(
        (m) => m.release(),
        () => undefined,
      );
    }
  }
}

async function cacheKey(dir: string, options: CaptureModelOptions): Promise<string> {
  const resolved = await realpath(dir).catch(() => dir);
  return JSON.stringify([
    resolved,
    options.debugOutputs ?? false,
    options.fuseGateUp ?? true,
    options.executionProviders ?? ['cpu'],
    options.intraOpNumThreads ?? null,
    options.allowSpinning ?? false,
    options.cpuMemArena ?? false,
    options.layersPerSession ?? null,
    options.memoryBudgetBytes ?? null,
    options.residency ?? null,
  ]);
}

/** The process-wide cache captureRouting uses unless given another. */
export const defaultModelCache = new CaptureModelCache();
