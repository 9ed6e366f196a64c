import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelConfig } from '@grokwatch/checkpoint';
import { ModelTokenizer, TokenizerError } from '../index.js';
import { TINY_MIXTRAL } from '../testing/tiny-configs.js';

// Tests run from the repository root (npm test); the datasets live beside it.
const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');
const OLMOE_TOKENIZER = join(DATASETS, 'tokenizer_olmoe', 'tokenizer.json');

const OLMOE_CONFIG = parseModelConfig(
  {
    architectures: ['OlmoeForCausalLM'],
    vocab_size: 50304,
    hidden_size: 16,
    intermediate_size: 8,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_experts: 4,
    num_experts_per_tok: 2,
    eos_token_id: 50279,
    pad_token_id: 1,
    bos_token_id: null,
  },
  'config.json',
);

test('OLMoE tokenizer: known ids, no BOS, and all 1,319 GSM8K test questions round-trip exactly', async () => {
  const tok = await ModelTokenizer.load('/nonexistent', OLMOE_CONFIG, { tokenizerPath: OLMOE_TOKENIZER });
  assert.equal(tok.bosId, null);
  assert.deepEqual(tok.encode('Hello World'), [12092, 3645]);
  const lines = readFileSync(join(DATASETS, 'gsm8k', 'test.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1319);
  let tokens = 0;
  for (const [i, line] of lines.entries()) {
    const { question } = JSON.parse(line) as { question: string };
    const ids = tok.encode(question);
    tokens += ids.length;
    assert.ok(
      ids.every((id) => id >= 0 && id < 50280),
      `question ${i}: id outside the vocabulary`,
    );
    assert.equal(tok.decode(ids), question, `question ${i} does not round-trip`);
  }
  assert.ok(tokens > 1319 * 20, `implausibly few tokens: ${tokens}`);
});

/** A word-level tokenizer.json with a Llama-style "<s> $A" template. */
function wordLevelTokenizer(withTemplate: boolean): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2, the: 3, cat: 4, sat: 5 };
  return {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '<unk>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
      { id: 1, content: '<s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
      { id: 2, content: '</s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: withTemplate
      ? {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
        }
      : null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
}

test('BOS rule: template with a leading special token, tokenizer_config override, explicit option', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tok-'));
  try {
    const config = parseModelConfig(TINY_MIXTRAL, join(dir, 'config.json')); // bos_token_id 1
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordLevelTokenizer(true)));
    let tok = await ModelTokenizer.load(dir, config);
    assert.equal(tok.bosId, 1);
    assert.deepEqual(tok.encode('the cat sat'), [1, 3, 4, 5], 'BOS once, from the template rule');
    assert.equal(tok.decode([1, 3, 4, 5]), 'the cat sat');

    tok = await ModelTokenizer.load(dir, config, { addBos: false });
    assert.deepEqual(tok.encode('the cat sat'), [3, 4, 5]);

    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ add_bos_token: false }));
    tok = await ModelTokenizer.load(dir, config);
    assert.deepEqual(tok.encode('the cat'), [3, 4], 'tokenizer_config.json add_bos_token wins over the template');

    rmSync(join(dir, 'tokenizer_config.json'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordLevelTokenizer(false)));
    tok = await ModelTokenizer.load(dir, config);
    assert.equal(tok.bosId, null, 'no template, no tokenizer_config: no BOS');
    tok = await ModelTokenizer.load(dir, config, { addBos: true });
    assert.deepEqual(tok.encode('cat'), [1, 4]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing or broken tokenizer.json is a TokenizerError naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tok-'));
  try {
    const config = parseModelConfig(TINY_MIXTRAL, join(dir, 'config.json'));
    await assert.rejects(ModelTokenizer.load(dir, config), (err: unknown) => err instanceof TokenizerError && err.file === join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await assert.rejects(ModelTokenizer.load(dir, config), /tokenizer.json: not valid JSON/);
    // The message never quotes the file (a parser's message may): the cause keeps the parser's error.
    writeFileSync(join(dir, 'tokenizer.json'), 'api_key=SECRET-VALUE-123');
    await assert.rejects(ModelTokenizer.load(dir, config), (err: unknown) => err instanceof TokenizerError && !err.message.includes('SECRET') && err.cause instanceof SyntaxError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
