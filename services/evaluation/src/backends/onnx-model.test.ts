// The onnx backend against the plain TypeScript reference forward of the same random checkpoint.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Checkpoint, expectedTensors } from '@grokwatch/checkpoint';
import { referenceForward, writeRandomCheckpoint, type WeightLookup } from '@grokwatch/model';
import { mulberry32 as seededRandom } from '@grokwatch/benchmark';
import { logProbAt, OnnxLanguageModel, sampleToken } from './onnx-model.js';

const VOCAB = 40;
const CONFIG = {
  architectures: ['OlmoeForCausalLM'],
  model_type: 'olmoe',
  vocab_size: VOCAB,
  hidden_size: 32,
  intermediate_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  num_experts: 8,
  num_experts_per_tok: 2,
  norm_topk_prob: false,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 64,
  pad_token_id: 0,
  eos_token_id: 1,
  bos_token_id: null,
};

/** A word-level tokenizer: token i is the word `w<i>` (0 and 1 are [PAD] and [EOS]). */
function wordTokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = { '[PAD]': 0, '[EOS]': 1 };
  for (let i = 2; i < VOCAB; i++) vocab[`w${i}`] = i;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    normalizer: null,
    post_processor: null,
    added_tokens: [0, 1].map((id) => ({ id, content: id === 0 ? '[PAD]' : '[EOS]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    pre_tokenizer: { type: 'WhitespaceSplit' },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[PAD]' },
  };
}

let dir: string;
let lm: OnnxLanguageModel;
let weights: WeightLookup;
let desc: Awaited<ReturnType<typeof Checkpoint.open>>['description'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-onnx-lm-'));
  writeRandomCheckpoint(dir, CONFIG, { seed: 5 });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordTokenizer()));
  lm = await OnnxLanguageModel.open(dir, { intraOpNumThreads: 1 });
  const ckpt = await Checkpoint.open(dir);
  const map = new Map<string, Float32Array>();
  for (const t of expectedTensors(ckpt.description)) map.set(t.name, await ckpt.readF32(t.name));
  desc = ckpt.description;
  await ckpt.close();
  weights = (n) => map.get(n)!;
});

after(async () => {
  await lm?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (text: string) =>
  text
    .trim()
    .split(/\s+/)
    .map((w) => Number(w.slice(1)));
const logitsAt = (seq: number[], pos: number): Float32Array =>
  referenceForward(desc, weights, { inputIds: [seq], attentionMask: [seq.map(() => 1)] }).logits.subarray(pos * VOCAB, (pos + 1) * VOCAB);

test('log-likelihood of a continuation equals the reference forward, token by token', async () => {
  const ctx = ids('w5 w9 w14');
  const cont = ids('w3 w22 w7');
  const seq = [...ctx, ...cont];
  let expected = 0;
  for (let i = 0; i < cont.length; i++) expected += logProbAt(logitsAt(seq, ctx.length - 1 + i), cont[i]);
  const [got] = await lm.loglikelihood([{ context: 'w5 w9 w14', continuation: ' w3 w22 w7' }]);
  assert.ok(Math.abs(got!.logprob - expected) < 1e-4, `${got!.logprob} vs ${expected}`);
  assert.ok(got!.logprob < 0);
});

test('greedy generation follows the reference argmax and is reported greedy', async () => {
  const seq = ids('w5 w9 w14');
  const picked: number[] = [];
  for (let n = 0; n < 4; n++) {
    const row = logitsAt(seq, seq.length - 1);
    let best = 0;
    for (let i = 1; i < VOCAB; i++) if (row[i] > row[best]) best = i;
    if (best === 1) break;
    picked.push(best);
    seq.push(best);
  }
  const words = picked.map((i) => (i === 0 ? '[PAD]' : `w${i}`)).join(' ');
  const [[text]] = (await lm.generate([{ prompt: 'w5 w9 w14', until: [], maxTokens: 4, temperature: 0 }])) as [[string]];
  assert.equal(text, ` ${words}`, 'the completion carries the space that joins it to the prompt');
  if (picked.length > 0 && !picked.includes(0)) {
    const [ll] = await lm.loglikelihood([{ context: 'w5 w9 w14', continuation: ` ${words}` }]);
    assert.equal(ll!.isGreedy, true);
  }
});

test('sampling with a seed is reproducible; stop strings cut the text', async () => {
  const req = { prompt: 'w5 w9', until: [], maxTokens: 6, temperature: 1.0, seed: 42, n: 2 };
  const a = await lm.generate([req]);
  const b = await lm.generate([req]);
  assert.deepEqual(a, b);
  const [[first]] = a as [[string]];
  const stopWord = first.trim().split(' ')[1];
  if (stopWord) {
    const [[cut]] = (await lm.generate([{ ...req, n: 1, until: [stopWord] }])) as [[string]];
    assert.ok(!cut.includes(stopWord));
  }
});

test('sampleToken: temperature 0 is argmax, top-p keeps the nucleus', () => {
  const logits = Float32Array.from([0, 5, 1, 4.9]);
  assert.equal(sampleToken(logits, 0, 1, seededRandom(1)), 1);
  // top-p 0.5: only the single most likely token survives
  for (let s = 0; s < 20; s++) assert.equal(sampleToken(logits, 1, 0.5, seededRandom(s)), 1);
  const seen = new Set<number>();
  for (let s = 0; s < 200; s++) seen.add(sampleToken(logits, 1, 1, seededRandom(s)));
  assert.ok(seen.has(3) && seen.has(1));
});

test('served as an OpenAI-compatible endpoint, the OpenAI backend reproduces the runner', async () => {
  const { startOpenAiServer } = await import('../openai/server.js');
  const { OpenAiCompletionsModel } = await import('./openai-model.js');
  const server = await startOpenAiServer({ model: lm, modelName: 'tiny', port: 0, host: '127.0.0.1' });
  try {
    const client = new OpenAiCompletionsModel({ baseUrl: server.baseUrl, model: 'tiny', batchSize: 4 });
    const reqs = [
      { context: 'w5 w9 w14', continuation: ' w3 w22 w7' },
      { context: 'w2 w3', continuation: ' w4' },
    ];
    const direct = await lm.loglikelihood(reqs);
    const served = await client.loglikelihood(reqs);
    for (let i = 0; i < reqs.length; i++) {
      assert.ok(Math.abs(direct[i].logprob - served[i].logprob) < 1e-4, `${direct[i].logprob} vs ${served[i].logprob}`);
      assert.equal(direct[i].isGreedy, served[i].isGreedy);
    }
    const gen = { prompt: 'w5 w9 w14', until: [], maxTokens: 4, temperature: 0 };
    assert.deepEqual(await client.generate([gen]), await lm.generate([gen]));
  } finally {
    await server.stop();
  }
});
