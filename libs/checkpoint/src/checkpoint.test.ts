import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Checkpoint,
  ConfigError,
  SafetensorsError,
  TensorMismatchError,
  describeArchitecture,
  encodeFromF32,
  expectedTensors,
  parseModelConfig,
  writeCheckpoint,
  writeSafetensors,
  type TensorToWrite,
  type WeightDtype,
} from './index.js';

const CONFIG = {
  architectures: ['OlmoeForCausalLM'],
  vocab_size: 32,
  hidden_size: 8,
  intermediate_size: 4,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_experts: 3,
  num_experts_per_tok: 2,
};

/** Every tensor the config needs, element i of tensor t holding t*1000 + i (exact in bf16 for small values). */
function tensorsFor(config: Record<string, unknown>, dtype: WeightDtype): TensorToWrite[] {
  const desc = describeArchitecture(parseModelConfig(config, 'config.json'));
  return expectedTensors(desc).map((spec, t) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, (_, i) => (t % 7) + i / 64);
    return { name: spec.name, dtype, shape: spec.shape, data: encodeFromF32(values, dtype) };
  });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gw-ckpt-'));
}

test('two bf16 shards + index: opens, locates tensors, reads float32 on demand', async () => {
  const dir = tempDir();
  try {
    const tensors = tensorsFor(CONFIG, 'BF16');
    const shards = writeCheckpoint(dir, CONFIG, tensors, { shards: 2 });
    assert.equal(shards.length, 2);
    const ckpt = await Checkpoint.open(dir);
    assert.equal(ckpt.shardPaths.length, 2);
    assert.deepEqual(ckpt.unexpectedTensors, []);
    const name = 'model.layers.1.mlp.experts.2.up_proj.weight';
    const loc = ckpt.location(name);
    assert.equal(loc.dtype, 'BF16');
    assert.deepEqual(loc.shape, [4, 8]);
    // The bytes at the reported offset are the tensor's bytes.
    const raw = readFileSync(loc.file).subarray(loc.offset, loc.offset + loc.byteLength);
    const written = tensors.find((t) => t.name === name)!;
    const data = written.data as Uint8Array;
    assert.deepEqual(new Uint8Array(raw), data);
    const t = tensors.indexOf(written);
    const values = await ckpt.readF32(name);
    assert.equal(values.length, 32);
    assert.equal(values[5], (t % 7) + 5 / 64);
    assert.equal(await ckpt.readF32(name), values, 'second read returns the cached array');
    await ckpt.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing tensor names the index file and the tensor', async () => {
  const dir = tempDir();
  try {
    const tensors = tensorsFor(CONFIG, 'F32').filter((t) => t.name !== 'model.layers.0.mlp.gate.weight');
    writeCheckpoint(dir, CONFIG, tensors, { shards: 2 });
    await assert.rejects(Checkpoint.open(dir), (err: unknown) => {
      assert.ok(err instanceof TensorMismatchError);
      assert.equal(err.tensor, 'model.layers.0.mlp.gate.weight');
      assert.equal(err.file, join(dir, 'model.safetensors.index.json'));
      assert.match(err.message, /missing/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed shard index is named without quoting it; the parser error is the cause', async () => {
  const dir = tempDir();
  try {
    writeCheckpoint(dir, CONFIG, tensorsFor(CONFIG, 'F32'), { shards: 2 });
    writeFileSync(join(dir, 'model.safetensors.index.json'), '{"weight_map": {"token": "SECRET-42"');
    await assert.rejects(Checkpoint.open(dir), (err: unknown) => {
      assert.ok(err instanceof SafetensorsError);
      assert.equal(err.file, join(dir, 'model.safetensors.index.json'));
      assert.match(err.message, /index is not valid JSON/);
      assert.doesNotMatch(err.message, /SECRET/);
      assert.ok(err.cause instanceof SyntaxError);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config/shape mismatch names the shard and the tensor', async () => {
  const dir = tempDir();
  try {
    const tensors = tensorsFor(CONFIG, 'F32');
    // A checkpoint written for a wider expert than config.json says.
    const wide = tensorsFor({ ...CONFIG, intermediate_size: 6 }, 'F32');
    const mixed = tensors.map((t) => (t.name === 'model.layers.1.mlp.experts.0.down_proj.weight' ? wide.find((w) => w.name === t.name)! : t));
    writeCheckpoint(dir, CONFIG, mixed, { shards: 1 });
    await assert.rejects(Checkpoint.open(dir), (err: unknown) => {
      assert.ok(err instanceof TensorMismatchError);
      assert.equal(err.tensor, 'model.layers.1.mlp.experts.0.down_proj.weight');
      assert.equal(err.file, join(dir, 'model.safetensors'));
      assert.match(err.message, /shape \[8,6\] does not match \[8,4\]/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated shard is reported with its path', async () => {
  const dir = tempDir();
  try {
    const [first] = writeCheckpoint(dir, CONFIG, tensorsFor(CONFIG, 'F32'), { shards: 2 });
    const size = readFileSync(first).length;
    truncateSync(first, size - 10);
    await assert.rejects(Checkpoint.open(dir), (err: unknown) => {
      assert.ok(err instanceof SafetensorsError);
      assert.equal(err.file, first);
      assert.match(err.message, /truncated/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('index problems: missing shard, tensor absent from its shard, path escaping the directory', async () => {
  const dir = tempDir();
  try {
    writeCheckpoint(dir, CONFIG, tensorsFor(CONFIG, 'F32'), { shards: 2 });
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    const original = JSON.stringify(index);

    index.weight_map['model.norm.weight'] = 'model-00009-of-00009.safetensors';
    writeFileSync(indexPath, JSON.stringify(index));
    await assert.rejects(Checkpoint.open(dir), /does not exist/);

    const fresh = JSON.parse(original) as { weight_map: Record<string, string> };
    const other = Object.values(fresh.weight_map).find((s) => s !== fresh.weight_map['model.norm.weight'])!;
    fresh.weight_map['model.norm.weight'] = other;
    writeFileSync(indexPath, JSON.stringify(fresh));
    await assert.rejects(Checkpoint.open(dir), (err: unknown) => {
      assert.ok(err instanceof SafetensorsError);
      assert.equal(err.tensor, 'model.norm.weight');
      assert.equal(err.file, join(dir, other));
      return true;
    });

    fresh.weight_map['model.norm.weight'] = '../elsewhere.safetensors';
    writeFileSync(indexPath, JSON.stringify(fresh));
    await assert.rejects(Checkpoint.open(dir), /leaves the checkpoint directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config problems surface as ConfigError naming config.json; non-float weights are refused', async () => {
  const dir = tempDir();
  try {
    writeCheckpoint(dir, { ...CONFIG, architectures: ['GPT2LMHeadModel'] }, tensorsFor(CONFIG, 'F32'));
    await assert.rejects(Checkpoint.open(dir), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.file, join(dir, 'config.json'));
      assert.equal(err.field, 'architectures');
      return true;
    });
    const tensors = tensorsFor(CONFIG, 'F32').map((t) => (t.name === 'model.norm.weight' ? { ...t, dtype: 'I32' as const } : t));
    writeCheckpoint(dir, CONFIG, tensors);
    await assert.rejects(Checkpoint.open(dir), /tensor "model.norm.weight": dtype I32 is not a floating-point weight type/);
    rmSync(join(dir, 'model.safetensors'));
    await assert.rejects(Checkpoint.open(dir), /neither model.safetensors nor model.safetensors.index.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writer refuses data whose size does not match the shape', () => {
  const dir = tempDir();
  try {
    assert.throws(
      () => writeSafetensors(join(dir, 'x.safetensors'), [{ name: 'w', dtype: 'F32', shape: [3], data: new Float32Array(2) }]),
      /tensor "w": data has 8 bytes but F32 \[3\] needs 12/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
