// Writes a checkpoint directory (config.json + safetensors shards + index), for tests and tools.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, INDEX_FILE, SINGLE_FILE } from './checkpoint.js';
import { tensorByteLength, writeSafetensors, type TensorToWrite } from './safetensors-writer.js';

export interface WriteCheckpointOptions {
  /** Number of shards (1 writes model.safetensors without an index). */
  readonly shards?: number;
}

/**
 * Writes `config` as config.json and `tensors` split into `shards` files of roughly equal size
 * (tensor order kept), with model.safetensors.index.json when sharded.
 */
export function writeCheckpoint(dir: string, config: Readonly<Record<string, unknown>>, tensors: readonly TensorToWrite[], options: WriteCheckpointOptions = {}): string[] {
  const shards = Math.max(1, Math.min(options.shards ?? 1, tensors.length));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2));
  if (shards === 1) {
    writeSafetensors(join(dir, SINGLE_FILE), tensors, { format: 'pt' });
    return [join(dir, SINGLE_FILE)];
  }
  const total = tensors.reduce((acc, t) => acc + tensorByteLength(t), 0);
  const groups: TensorToWrite[][] = Array.from({ length: shards }, () => []);
  let written = 0;
  for (const t of tensors) {
    const g = Math.min(shards - 1, Math.floor((written / total) * shards));
    groups[g].push(t);
    written += tensorByteLength(t);
  }
  const nonEmpty = groups.filter((g) => g.length > 0);
  const weightMap: Record<string, string> = {};
  const paths: string[] = [];
  nonEmpty.forEach((group, i) => {
    const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(nonEmpty.length).padStart(5, '0')}.safetensors`;
    writeSafetensors(join(dir, name), group, { format: 'pt' });
    for (const t of group) weightMap[t.name] = name;
    paths.push(join(dir, name));
  });
  writeFileSync(join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));
  return paths;
}
