// A tiny random OLMoE checkpoint that reads text with the real OLMoE tokenizer (vocabulary 50,304):
// what the end-to-end tests capture and evaluate when the model's quality does not matter.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRandomCheckpoint } from '@grokwatch/model';

export const DATASETS = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');

export const TINY_OLMOE_REAL_VOCAB = {
  architectures: ['OlmoeForCausalLM'],
  model_type: 'olmoe',
  vocab_size: 50304,
  hidden_size: 32,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  num_experts: 8,
  num_experts_per_tok: 2,
  norm_topk_prob: false,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 256,
  pad_token_id: 1,
  eos_token_id: 50279,
  bos_token_id: null,
};

/** Writes the checkpoint and the OLMoE tokenizer.json into `dir`. */
export async function writeTinyCheckpoint(dir: string, seed: number, overrides: Partial<typeof TINY_OLMOE_REAL_VOCAB> = {}): Promise<void> {
  writeRandomCheckpoint(dir, { ...TINY_OLMOE_REAL_VOCAB, ...overrides }, { seed });
  await copyFile(join(DATASETS, 'tokenizer_olmoe', 'tokenizer.json'), join(dir, 'tokenizer.json'));
}
