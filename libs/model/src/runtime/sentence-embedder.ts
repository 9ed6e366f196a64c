// A sentence-embedding model (e.g. all-MiniLM-L6-v2, the paper's, exported to ONNX) on onnxruntime:
// what group pairing (method.md 6) embeds training samples and test items with when a run names one.
// A folder holds model.onnx (or onnx/model.onnx, as Hugging Face exports lay it out) and
// tokenizer.json. Sentence-transformers' pooling: the mean of the token embeddings over the
// attention mask, then L2-normalized; a graph that already outputs `sentence_embedding` is used as is.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { createSession, type ExecutionProvider } from './session.js';

export interface SentenceEmbedderOptions {
  executionProviders?: ExecutionProvider[];
  intraOpNumThreads?: number;
  /** Tokens per text, special tokens included (default 256, all-MiniLM-L6-v2's max_seq_length). */
  maxLength?: number;
  /** Texts per forward (default 32). */
  batchSize?: number;
}

export class SentenceEmbedderError extends Error {
  override name = 'SentenceEmbedderError';
}

const MODEL_FILES = ['model.onnx', join('onnx', 'model.onnx')];
const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];

export class SentenceEmbedder {
  private constructor(
    readonly dir: string,
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly maxLength: number,
    private readonly batchSize: number,
  ) {}

  static async load(dir: string, opts: SentenceEmbedderOptions = {}): Promise<SentenceEmbedder> {
    const modelPath = MODEL_FILES.map((f) => join(dir, f)).find((p) => existsSync(p));
    if (modelPath === undefined) throw new SentenceEmbedderError(`${dir}: no model.onnx (or onnx/model.onnx)`);
    const tokenizerPath = join(dir, 'tokenizer.json');
    if (!existsSync(tokenizerPath)) throw new SentenceEmbedderError(`${dir}: no tokenizer.json`);
    // Messages name the file, never its content (a parse error would quote it).
    let json: object;
    try {
      json = JSON.parse(await readFile(tokenizerPath, 'utf8')) as object;
    } catch {
      throw new SentenceEmbedderError(`${tokenizerPath}: not valid JSON`);
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, {});
    } catch {
      throw new SentenceEmbedderError(`${tokenizerPath}: not a tokenizer.json this runtime can build (WordPiece, BPE or Unigram)`);
    }
    const { session } = await createSession(await readFile(modelPath), dirname(modelPath), `sentence embedder ${dir}`, {
      ...(opts.executionProviders ? { executionProviders: opts.executionProviders } : {}),
      ...(opts.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: opts.intraOpNumThreads }),
    });
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) {
        await session.release();
        throw new SentenceEmbedderError(`${modelPath}: the graph has no ${name} input (inputs: ${session.inputNames.join(', ')})`);
      }
    }
    return new SentenceEmbedder(dir, session, tokenizer, opts.maxLength ?? 256, opts.batchSize ?? 32);
  }

  /** One L2-normalized vector per text. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let at = 0; at < texts.length; at += this.batchSize) out.push(...(await this.embedBatch(texts.slice(at, at + this.batchSize))));
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }

  private async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = texts.map((t) => {
      const ids: number[] = this.tokenizer.encode(t).ids;
      // Truncation keeps the closing special token, as the tokenizer's own truncation would.
      return ids.length <= this.maxLength ? ids : [...ids.slice(0, this.maxLength - 1), ids[ids.length - 1]];
    });
    const B = texts.length;
    const T = Math.max(1, ...encoded.map((ids) => ids.length));
    const ids = new BigInt64Array(B * T);
    const mask = new BigInt64Array(B * T);
    encoded.forEach((row, b) =>
      row.forEach((id, t) => {
        ids[b * T + t] = BigInt(id);
        mask[b * T + t] = 1n;
      }),
    );
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [B, T]),
      attention_mask: new ort.Tensor('int64', mask, [B, T]),
    };
    if (this.session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(B * T), [B, T]);
    const result = await this.session.run(feeds);
    const pooled = result.sentence_embedding;
    if (pooled !== undefined) return rows(pooled.data as Float32Array, B).map(normalize);
    const name = TOKEN_OUTPUTS.find((n) => result[n] !== undefined) ?? this.session.outputNames[0];
    const tokens = name === undefined ? undefined : result[name];
    if (tokens === undefined || tokens.dims.length !== 3) throw new SentenceEmbedderError(`${this.dir}: expected a [batch, tokens, dim] output (last_hidden_state)`);
    const d = tokens.dims[2];
    const data = tokens.data as Float32Array;
    return encoded.map((row, b) => {
      const v = new Float32Array(d);
      for (let t = 0; t < row.length; t++) for (let k = 0; k < d; k++) v[k] = v[k] + data[(b * T + t) * d + k] / row.length;
      return normalize(v);
    });
  }
}

function rows(data: Float32Array, count: number): Float32Array[] {
  const d = data.length / count;
  return Array.from({ length: count }, (_, b) => data.slice(b * d, (b + 1) * d));
}

function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return norm === 0 ? v : v.map((x) => x / norm);
}
