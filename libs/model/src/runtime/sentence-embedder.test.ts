import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataType, OnnxGraph } from '../graph/onnx-graph.js';
import { SentenceEmbedder } from '../index.js';

// A BERT-style WordPiece tokenizer (lowercasing normalizer, [CLS] ... [SEP] template), as all-MiniLM-L6-v2's tokenizer.json has it.
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'cat', 'sat', 'on', 'mat', '##s', 'dog', '+', '=', '1', '2', '3'];
const id = (t: string): number => VOCAB.indexOf(t);
const special = (content: string) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const TOKENIZER = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(special),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
      { SpecialToken: { id: '[SEP]', type_id: 1 } },
    ],
    special_tokens: { '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] } },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])) },
};

const DIM = 4;
/** Token i's embedding: a fixed pseudo-random row. */
const TABLE = Float32Array.from({ length: VOCAB.length * DIM }, (_, i) => Math.sin(i * 1.7) + (i % 3) * 0.25);

/** last_hidden_state = Gather(table, input_ids) * attention_mask: a token-wise "encoder" whose pooling can be checked by hand. */
function tinyEncoder(withTokenTypes: boolean): Uint8Array {
  const g = new OnnxGraph('tiny-encoder');
  const ids = g.input('input_ids', DataType.INT64, ['batch', 'seq']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'seq']);
  if (withTokenTypes) g.input('token_type_ids', DataType.INT64, ['batch', 'seq']);
  const table = g.embeddedF32('table', TABLE, [VOCAB.length, DIM]);
  const rows = g.op1('Gather', [table, ids]);
  const m = g.op1('Unsqueeze', [g.op1('Cast', [mask], { to: { int: DataType.FLOAT } }), g.constI64([-1])]);
  g.output('last_hidden_state', g.op1('Mul', [rows, m]), DataType.FLOAT, ['batch', 'seq', DIM]);
  return g.toBytes('grokwatch-test');
}

function naive(tokens: string[]): number[] {
  const ids = ['[CLS]', ...tokens, '[SEP]'].map(id);
  const v = Array.from({ length: DIM }, (_, k) => ids.reduce((s, i) => s + TABLE[i * DIM + k], 0) / ids.length);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('SentenceEmbedder: WordPiece tokenizer + ONNX encoder, mean pooling over the mask, L2-normalized', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-embedder-'));
    await mkdir(join(dir, 'plain'));
    await writeFile(join(dir, 'plain', 'model.onnx'), tinyEncoder(false));
    await writeFile(join(dir, 'plain', 'tokenizer.json'), JSON.stringify(TOKENIZER));
    await mkdir(join(dir, 'hf', 'onnx'), { recursive: true });
    await writeFile(join(dir, 'hf', 'onnx', 'model.onnx'), tinyEncoder(true));
    await writeFile(join(dir, 'hf', 'tokenizer.json'), JSON.stringify(TOKENIZER));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('equals a naive mean of the token rows, [CLS] and [SEP] included, for texts of different lengths in one batch', async () => {
    for (const layout of ['plain', 'hf']) {
      const e = await SentenceEmbedder.load(join(dir, layout), { batchSize: 3 });
      try {
        const got = await e.embed(['The cat sat on the mat', 'cats', 'DOG', '1 + 2 = 3']);
        const want = [naive(['the', 'cat', 'sat', 'on', 'the', 'mat']), naive(['cat', '##s']), naive(['dog']), naive(['1', '+', '2', '=', '3'])];
        got.forEach((v, i) => v.forEach((x, k) => assert.ok(Math.abs(x - want[i][k]) < 1e-6, `${layout} text ${i} dim ${k}: ${x} vs ${want[i][k]}`)));
      } finally {
        await e.release();
      }
    }
  });

  test('a folder without a model or tokenizer is refused by name', async () => {
    await assert.rejects(SentenceEmbedder.load(join(dir, 'missing')), /no model\.onnx/);
    await mkdir(join(dir, 'no-tokenizer'));
    await writeFile(join(dir, 'no-tokenizer', 'model.onnx'), tinyEncoder(false));
    await assert.rejects(SentenceEmbedder.load(join(dir, 'no-tokenizer')), /no tokenizer\.json/);
  });
});
