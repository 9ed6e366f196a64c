// A Hugging Face checkpoint directory: config.json plus model.safetensors, or shards listed in
// model.safetensors.index.json. Opening validates everything up front (config, every shard
// header, every tensor the architecture needs and its shape); tensor data is read on demand.

import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { expectedTensors, type ArchitectureDescription } from './architecture.js';
import { describeArchitecture, parseModelConfig } from './architectures/registry.js';
import { isWeightDtype, type SafetensorsDtype } from './dtype.js';
import { ConfigError, SafetensorsError, TensorMismatchError } from './errors.js';
import type { ModelConfig } from './model-config.js';
import { SafetensorsFile } from './safetensors-file.js';
import { decodeToF32 } from './tensor-data.js';

export const CONFIG_FILE = 'config.json';
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** Where one tensor's bytes live, e.g. for ONNX external-data references. */
export interface TensorLocation {
  readonly name: string;
  /** Absolute path of the shard. */
  readonly file: string;
  /** Shard path relative to the checkpoint directory. */
  readonly relativePath: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte offset of the data in the shard. */
  readonly offset: number;
  readonly byteLength: number;
}

export async function loadModelConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read (${(err as Error).message})`, { file }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // The parser's message can quote the file: kept as the cause, out of the message.
    throw new ConfigError('not valid JSON', { file }, { cause: err });
  }
  return parseModelConfig(json, file);
}

export class Checkpoint {
  private readonly f32Cache = new Map<string, Promise<Float32Array>>();

  private constructor(
    readonly dir: string,
    readonly config: ModelConfig,
    readonly description: ArchitectureDescription,
    private readonly files: ReadonlyMap<string, SafetensorsFile>,
    private readonly tensorShard: ReadonlyMap<string, SafetensorsFile>,
    /** Tensors present in the files that the architecture does not use (e.g. rotary buffers). */
    readonly unexpectedTensors: readonly string[],
  ) {}

  static async open(dir: string): Promise<Checkpoint> {
    const config = await loadModelConfig(dir);
    const description = describeArchitecture(config);
    const { files, tensorShard, sourceFile } = await openShards(dir);
    try {
      const expected = expectedTensors(description);
      for (const spec of expected) {
        const shard = tensorShard.get(spec.name);
        if (shard === undefined) {
          throw new TensorMismatchError(`missing (needed by ${config.architecture})`, { file: sourceFile, tensor: spec.name });
        }
        const entry = shard.entry(spec.name);
        if (!sameShape(entry.shape, spec.shape)) {
          throw new TensorMismatchError(`shape ${JSON.stringify(entry.shape)} does not match ${JSON.stringify(spec.shape)} expected from ${CONFIG_FILE}`, {
            file: shard.path,
            tensor: spec.name,
          });
        }
        if (!isWeightDtype(entry.dtype)) {
          throw new TensorMismatchError(`dtype ${entry.dtype} is not a floating-point weight type (F32, F16, BF16)`, {
            file: shard.path,
            tensor: spec.name,
          });
        }
      }
      const names = new Set(expected.map((t) => t.name));
      const unexpected = [...tensorShard.keys()].filter((n) => !names.has(n)).sort();
      return new Checkpoint(dir, config, description, files, tensorShard, unexpected);
    } catch (err) {
      await Promise.all([...files.values()].map((f) => f.close()));
      throw err;
    }
  }

  /** Absolute paths of the safetensors files. */
  get shardPaths(): string[] {
    return [...this.files.keys()];
  }

  has(name: string): boolean {
    return this.tensorShard.has(name);
  }

  location(name: string): TensorLocation {
    const shard = this.shardOf(name);
    const entry = shard.entry(name);
    return {
      name,
      file: shard.path,
      relativePath: relative(this.dir, shard.path),
      dtype: entry.dtype,
      shape: entry.shape,
      offset: shard.header.dataOffset + entry.begin,
      byteLength: entry.end - entry.begin,
    };
  }

  /** Raw bytes of one tensor (one positioned read). */
  readBytes(name: string): Promise<Uint8Array> {
    return this.shardOf(name).readBytes(name);
  }

  /** One tensor as float32; each tensor is read and converted at most once per Checkpoint. */
  readF32(name: string): Promise<Float32Array> {
    let pending = this.f32Cache.get(name);
    if (pending === undefined) {
      const shard = this.shardOf(name);
      const dtype = shard.entry(name).dtype;
      pending = shard.readBytes(name).then((bytes) => decodeToF32(dtype, bytes, { file: shard.path, tensor: name }));
      this.f32Cache.set(name, pending);
      pending.catch(() => this.f32Cache.delete(name));
    }
    return pending;
  }

  /** Drops cached float32 copies (e.g. after building a reference model). */
  forgetF32(): void {
    this.f32Cache.clear();
  }

  async close(): Promise<void> {
    this.f32Cache.clear();
    await Promise.all([...this.files.values()].map((f) => f.close()));
  }

  private shardOf(name: string): SafetensorsFile {
    const shard = this.tensorShard.get(name);
    if (shard === undefined) throw new TensorMismatchError('no such tensor in this checkpoint', { file: this.dir, tensor: name });
    return shard;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

interface OpenedShards {
  files: Map<string, SafetensorsFile>;
  tensorShard: Map<string, SafetensorsFile>;
  /** The file that says which tensors exist (index json or the single file), for "missing" errors. */
  sourceFile: string;
}

async function openShards(dir: string): Promise<OpenedShards> {
  const single = join(dir, SINGLE_FILE);
  const indexPath = join(dir, INDEX_FILE);
  const files = new Map<string, SafetensorsFile>();
  const tensorShard = new Map<string, SafetensorsFile>();
  try {
    if (existsSync(single)) {
      const file = await SafetensorsFile.open(single);
      files.set(single, file);
      for (const name of file.tensorNames) tensorShard.set(name, file);
      return { files, tensorShard, sourceFile: single };
    }
    if (!existsSync(indexPath)) {
      throw new SafetensorsError(`neither ${SINGLE_FILE} nor ${INDEX_FILE} found`, { file: dir });
    }
    const weightMap = await readWeightMap(indexPath);
    for (const [tensor, shardName] of weightMap) {
      const path = resolveShard(dir, shardName, indexPath, tensor);
      let file = files.get(path);
      if (file === undefined) {
        if (!existsSync(path)) throw new SafetensorsError(`weight_map names shard "${shardName}" which does not exist`, { file: indexPath, tensor });
        file = await SafetensorsFile.open(path);
        files.set(path, file);
      }
      if (!file.has(tensor)) {
        throw new SafetensorsError(`listed in ${INDEX_FILE} for this shard but absent from its header`, { file: path, tensor });
      }
      tensorShard.set(tensor, file);
    }
    return { files, tensorShard, sourceFile: indexPath };
  } catch (err) {
    await Promise.all([...files.values()].map((f) => f.close()));
    throw err;
  }
}

async function readWeightMap(indexPath: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (err) {
    throw new SafetensorsError(`cannot read index (${(err as Error).message})`, { file: indexPath }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the file; it stays in the cause.
    throw new SafetensorsError('index is not valid JSON', { file: indexPath }, { cause: err });
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new SafetensorsError('index has no "weight_map" object', { file: indexPath });
  }
  const out = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string') throw new SafetensorsError(`weight_map value ${JSON.stringify(shard)} is not a file name`, { file: indexPath, tensor });
    out.set(tensor, shard);
  }
  return out;
}

// Shards must live inside the checkpoint directory: ONNX external data (and common sense) forbid
// paths that escape it.
function resolveShard(dir: string, shardName: string, indexPath: string, tensor: string): string {
  const norm = normalize(shardName);
  if (isAbsolute(norm) || norm === '..' || norm.startsWith(`..${sep}`)) {
    throw new SafetensorsError(`weight_map shard path "${shardName}" leaves the checkpoint directory`, { file: indexPath, tensor });
  }
  return join(dir, norm);
}
