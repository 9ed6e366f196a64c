// Tokenization for a checkpoint: tokenizer.json through @huggingface/tokenizers, plus the BOS rule.
//
// BOS rule (decided here, once, for every caller):
//   1. An explicit `addBos: true | false` wins.
//   2. 'auto': tokenizer_config.json's boolean `add_bos_token`, when the file has one;
//      otherwise true iff tokenizer.json's post-processor template starts with a special token
//      (the Llama/Mixtral style "<s> $A").
// The BOS id is config.json's bos_token_id, else that template's leading special token. Text is
// always encoded without the tokenizer's own special tokens, so BOS is never doubled; no EOS is
// appended. OLMoE (no tokenizer_config, byte-level post-processor, bos_token_id null) gets no BOS.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ModelConfig } from '@grokwatch/checkpoint';

export type AddBos = 'auto' | boolean;

export class TokenizerError extends Error {
  override name = 'TokenizerError';
  constructor(
    message: string,
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
  }
}

export interface TokenizerOptions {
  /** tokenizer.json to use (default: the checkpoint directory's tokenizer.json). */
  readonly tokenizerPath?: string;
  readonly addBos?: AddBos;
}

interface TemplateInfo {
  readonly leadingSpecialId: number | null;
}

export class ModelTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly file: string,
    /** BOS id prepended to every encoded text, or null when none is. */
    readonly bosId: number | null,
    readonly vocabSize: number,
  ) {}

  static async load(checkpointDir: string, config: ModelConfig, options: TokenizerOptions = {}): Promise<ModelTokenizer> {
    const file = options.tokenizerPath ?? join(checkpointDir, 'tokenizer.json');
    const tokenizerJson = await readJson(file);
    const configPath = join(options.tokenizerPath === undefined ? checkpointDir : dirname(file), 'tokenizer_config.json');
    const tokenizerConfig = existsSync(configPath) ? await readJson(configPath) : {};
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (err) {
      throw new TokenizerError(`cannot build tokenizer (${(err as Error).message})`, file, { cause: err });
    }
    const template = templateInfo(tokenizerJson);
    const addBos = decideAddBos(options.addBos ?? 'auto', tokenizerConfig, template);
    let bosId: number | null = null;
    if (addBos) {
      bosId = config.bosTokenId ?? template.leadingSpecialId;
      if (bosId === null) throw new TokenizerError('a BOS token is to be added but config.json has no bos_token_id', file);
    }
    const vocabSize = tokenizer.get_vocab(true).size;
    return new ModelTokenizer(tokenizer, file, bosId, vocabSize);
  }

  /** Token ids of `text`, BOS first when the rule says so. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return this.bosId === null ? ids : [this.bosId, ...ids];
  }

  /** Exact inverse of encode for normalized text (BOS dropped, no whitespace clean-up). */
  decode(ids: readonly number[]): string {
    const body = this.bosId !== null && ids[0] === this.bosId ? ids.slice(1) : [...ids];
    if (body.length === 0) return '';
    return this.tokenizer.decode(body, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }
}

function decideAddBos(option: AddBos, tokenizerConfig: Record<string, unknown>, template: TemplateInfo): boolean {
  if (option !== 'auto') return option;
  if (typeof tokenizerConfig.add_bos_token === 'boolean') return tokenizerConfig.add_bos_token;
  return template.leadingSpecialId !== null;
}

/** The id of the special token a TemplateProcessing post-processor puts first, if any. */
function templateInfo(tokenizerJson: Record<string, unknown>): TemplateInfo {
  const post = tokenizerJson.post_processor as Record<string, unknown> | null | undefined;
  const candidates = post?.type === 'Sequence' ? ((post.processors as Record<string, unknown>[] | undefined) ?? []) : post ? [post] : [];
  for (const p of candidates) {
    if (p.type !== 'TemplateProcessing' || !Array.isArray(p.single)) continue;
    const first = p.single[0] as { SpecialToken?: { id?: string } } | undefined;
    const tokenName = first?.SpecialToken?.id;
    if (tokenName === undefined) return { leadingSpecialId: null };
    const special = (p.special_tokens as Record<string, { ids?: number[] }> | undefined)?.[tokenName];
    return { leadingSpecialId: special?.ids?.[0] ?? null };
  }
  return { leadingSpecialId: null };
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TokenizerError(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, file, { cause: err });
  }
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
    return json as Record<string, unknown>;
  } catch (err) {
    // The parser's message can quote the file (Node 22 does): the cause keeps it, the message does not.
    throw new TokenizerError('not valid JSON (a JSON object is expected)', file, { cause: err });
  }
}
