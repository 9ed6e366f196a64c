// npm run bench -- eval: items/s for log-likelihood multiple choice, and generation tokens/s with
// the key/value cache against recomputing the whole prefix every token, on one model in one process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeModel, writeRandomCheckpoint } from '@grokwatch/model';
import { argmax, OnnxLanguageModel } from './backends/onnx-model.js';

const VOCAB = 200;
// The bundled grokking model's shape class: a few layers, 8 experts, top-2.
const CONFIG = {
  architectures: ['OlmoeForCausalLM'],
  model_type: 'olmoe',
  vocab_size: VOCAB,
  hidden_size: 128,
  intermediate_size: 128,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  num_experts: 8,
  num_experts_per_tok: 2,
  norm_topk_prob: false,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 256,
  pad_token_id: 0,
  eos_token_id: 1,
  bos_token_id: null,
};

function wordTokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = { '[PAD]': 0, '[EOS]': 1 };
  for (let i = 2; i < VOCAB; i++) vocab[`w${i}`] = i;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    normalizer: null,
    post_processor: null,
    added_tokens: [],
    pre_tokenizer: { type: 'WhitespaceSplit' },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[PAD]' },
  };
}

const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `w${2 + ((seed * 31 + i * 17) % (VOCAB - 2))}`).join(' ');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-eval-bench-'));
  try {
    writeRandomCheckpoint(dir, CONFIG, { seed: 3 });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordTokenizer()));
    const lm = await OnnxLanguageModel.open(dir);

    // Multiple choice: a 24-token question, 4 choices of 1-3 tokens each.
    const items = 40;
    const reqs = Array.from({ length: items }, (_, i) => Array.from({ length: 4 }, (_, c) => ({ context: words(24, i), continuation: ` ${words(1 + (c % 3), i + c)}` }))).flat();
    let t = performance.now();
    await lm.loglikelihood(reqs);
    const mcSeconds = (performance.now() - t) / 1000;

    // Generation: 8 prompts of 128 tokens (a few-shot prompt's order of size), 48 new tokens each, greedy.
    const promptTokens = Number(process.env.BENCH_PROMPT_TOKENS ?? 128);
    const prompts = Array.from({ length: 8 }, (_, i) => words(promptTokens, 100 + i));
    const newTokens = 48;
    t = performance.now();
    await lm.generate(prompts.map((prompt) => ({ prompt, until: [], maxTokens: newTokens, temperature: 0 })));
    const cachedSeconds = (performance.now() - t) / 1000;
    await lm.close();

    // The same decoding without the cache: every token re-runs the whole sequence.
    const model = await DecodeModel.load(dir);
    t = performance.now();
    for (const prompt of prompts) {
      const seq = prompt.split(' ').map((w) => Number(w.slice(1)));
      for (let n = 0; n < newTokens; n++) {
        const step = await model.step([seq], [seq.map(() => 1)], model.emptyCache(1));
        const next = argmax(step.nextLogits);
        if (next === 1) break;
        seq.push(next);
      }
    }
    const uncachedSeconds = (performance.now() - t) / 1000;
    await model.release();

    const generated = prompts.length * newTokens;
    console.log('model: OLMoE architecture, 4 layers, hidden 128, 8 experts top-2, vocab 200 (random weights), CPU');
    console.log(`log-likelihood multiple choice: ${items} items x 4 choices in ${mcSeconds.toFixed(2)} s = ${(items / mcSeconds).toFixed(1)} items/s`);
    console.log(`generation with KV cache:    ${(generated / cachedSeconds).toFixed(1)} tokens/s (${generated} tokens, prompt ${promptTokens})`);
    console.log(`generation without cache:    ${(generated / uncachedSeconds).toFixed(1)} tokens/s`);
    console.log(`KV cache speed-up: ${(uncachedSeconds / cachedSeconds).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
