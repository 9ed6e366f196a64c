// The built-in runner as a LanguageModel: a checkpoint's decode graph (key/value cache) on
// onnxruntime. Log-likelihoods feed the context once and then the continuation token by token from
// the cache; generation samples (greedy or temperature/top-p with a seed) until a stop string,
// an end-of-sequence token or the token budget.
import { mulberry32, type GenerationRequest, type LanguageModel, type LoglikelihoodRequest, type LoglikelihoodResult } from '@grokwatch/benchmark';
import { DecodeModel, ModelTokenizer, captureRouting, checkpointTokenizerPath, TOKENIZER_SEARCH_PARENTS, type ExecutionProvider, type KvCache } from '@grokwatch/model';
import type { PromptScorer, ScoredToken } from '../openai/prompt-scorer.js';
import type { ItemSignal, ItemText, OnnxOpener } from './model-provider.js';

export interface OnnxModelOptions {
  executionProviders?: ExecutionProvider[];
  intraOpNumThreads?: number;
  /** tokenizer.json to use; default: the checkpoint's own, else runTokenizerPath, else the nearest one above it. */
  tokenizerPath?: string;
  /** The run's tokenizer.json, for checkpoint folders saved without one. */
  runTokenizerPath?: string;
  signal?: AbortSignal;
}

/** log-softmax of one row at `id`, in float64. */
export function logProbAt(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Temperature and nucleus (top-p) sampling of one token. */
export function sampleToken(logits: Float32Array, temperature: number, topP: number, random: () => number): number {
  if (temperature <= 0) return argmax(logits);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const probs = Array.from(logits, (v, id) => ({ id, p: Math.exp((v - max) / temperature) }));
  const total = probs.reduce((s, x) => s + x.p, 0);
  probs.sort((a, b) => b.p - a.p || a.id - b.id);
  let kept = 0;
  let mass = 0;
  while (kept < probs.length && (kept === 0 || mass < topP * total)) mass += probs[kept++].p;
  let r = random() * mass;
  for (let i = 0; i < kept; i++) {
    r -= probs[i].p;
    if (r <= 0) return probs[i].id;
  }
  return probs[kept - 1].id;
}

export class OnnxLanguageModel implements LanguageModel, PromptScorer {
  private constructor(
    private readonly model: DecodeModel,
    private readonly tokenizer: ModelTokenizer,
    private readonly signal: AbortSignal | undefined,
  ) {}

  static async open(dir: string, opts: OnnxModelOptions = {}): Promise<OnnxLanguageModel> {
    const model = await DecodeModel.load(dir, {
      executionProviders: opts.executionProviders,
      intraOpNumThreads: opts.intraOpNumThreads,
    });
    try {
      const tokenizer = await ModelTokenizer.load(dir, model.description.config, {
        // A run keeps one tokenizer beside its step folders: look up to two folders above.
        tokenizerPath: opts.tokenizerPath ?? checkpointTokenizerPath(dir, { runTokenizer: opts.runTokenizerPath, searchParents: TOKENIZER_SEARCH_PARENTS }),
      });
      return new OnnxLanguageModel(model, tokenizer, opts.signal);
    } catch (err) {
      await model.release();
      throw err;
    }
  }

  get provider(): ExecutionProvider {
    return this.model.provider;
  }

  /** The token that stands for "start of text" when a context is empty (harness: the EOT token). */
  private startIds(): number[] {
    const cfg = this.model.description.config;
    const id = this.tokenizer.bosId ?? cfg.bosTokenId ?? cfg.eosTokenIds[0];
    if (id === undefined || id === null) throw new Error('an empty context needs a BOS or EOS token id in config.json');
    return [id];
  }

  /** Context and continuation ids as the harness splits them: encode(context + continuation) after encode(context). */
  split(context: string, continuation: string): { ctx: number[]; cont: number[] } {
    const ctx = context === '' ? this.startIds() : this.tokenizer.encode(context);
    const whole = context === '' ? [...ctx, ...this.tokenizer.encode(continuation).slice(this.tokenizer.bosId === null ? 0 : 1)] : this.tokenizer.encode(context + continuation);
    let shared = 0;
    while (shared < ctx.length && shared < whole.length && ctx[shared] === whole[shared]) shared++;
    // A merge across the boundary changes the context's last token: score from the last shared one.
    return { ctx: whole.slice(0, Math.max(1, shared)), cont: whole.slice(Math.max(1, shared)) };
  }

  async loglikelihood(reqs: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    const out: LoglikelihoodResult[] = [];
    for (const req of reqs) {
      this.signal?.throwIfAborted();
      const { ctx, cont } = this.split(req.context, req.continuation);
      if (cont.length === 0) throw new Error(`continuation ${JSON.stringify(req.continuation)} has no tokens`);
      let step = await this.model.step([ctx], [ctx.map(() => 1)], this.model.emptyCache(1));
      let logprob = 0;
      let isGreedy = true;
      for (let i = 0; i < cont.length; i++) {
        logprob += logProbAt(step.nextLogits, cont[i]);
        if (argmax(step.nextLogits) !== cont[i]) isGreedy = false;
        if (i + 1 < cont.length) step = await this.model.step([[cont[i]]], [[1]], step.cache);
      }
      out.push({ logprob, isGreedy });
    }
    return out;
  }

  async generate(reqs: readonly GenerationRequest[]): Promise<string[][]> {
    const eos = new Set(this.model.description.config.eosTokenIds);
    const out: string[][] = [];
    for (const req of reqs) {
      const prompt = req.prompt === '' ? this.startIds() : this.tokenizer.encode(req.prompt);
      // Decoding with the prompt in front keeps the joins (spaces, merged bytes) the tokenizer puts
      // between prompt and completion; the completion is what that adds to the decoded prompt.
      const promptText = this.tokenizer.decode(prompt);
      const samples: string[] = [];
      for (let s = 0; s < (req.n ?? 1); s++) {
        this.signal?.throwIfAborted();
        const random = mulberry32((req.seed ?? 0) + s * 0x9e3779b9);
        let step = await this.model.step([prompt], [prompt.map(() => 1)], this.model.emptyCache(1));
        const generated: number[] = [];
        let text = '';
        for (let t = 0; t < req.maxTokens; t++) {
          const id = sampleToken(step.nextLogits, req.temperature, req.topP ?? 1, random);
          if (eos.has(id)) break;
          generated.push(id);
          text = this.tokenizer.decode([...prompt, ...generated]).slice(promptText.length);
          const cut = firstStop(text, req.until);
          if (cut !== null) {
            text = text.slice(0, cut);
            break;
          }
          step = await this.model.step([[id]], [[1]], step.cache as KvCache);
        }
        samples.push(text);
      }
      out.push(samples);
    }
    return out;
  }

  /**
   * Per text, its tokens with their log-probabilities (for the OpenAI server's echo + logprobs).
   * A token's text is what decoding adds to the decoded prefix, so the tokens concatenate to the
   * decoded text (the text itself when it is normalized, e.g. single-spaced for word-level models).
   */
  async scoreTexts(texts: readonly string[], top: number): Promise<ScoredToken[][]> {
    const out: ScoredToken[][] = [];
    for (const text of texts) {
      this.signal?.throwIfAborted();
      const ids = this.tokenizer.encode(text);
      const bos = this.tokenizer.bosId !== null ? 1 : 0;
      const tokens: ScoredToken[] = [];
      let cache = this.model.emptyCache(1);
      let logits: Float32Array | null = null;
      let prefix = '';
      for (let i = 0; i < ids.length; i++) {
        if (i >= bos) {
          const decoded = this.tokenizer.decode(ids.slice(0, i + 1));
          const piece = decoded.slice(prefix.length);
          tokens.push({
            text: piece,
            offset: prefix.length,
            logprob: logits === null ? null : logProbAt(logits, ids[i]),
            top: logits === null ? [] : this.topTokens(logits, top),
          });
          prefix = decoded;
        }
        const step = await this.model.step([[ids[i]]], [[1]], cache);
        cache = step.cache;
        logits = step.nextLogits;
      }
      out.push(tokens);
    }
    return out;
  }

  private topTokens(logits: Float32Array, top: number): { text: string; logprob: number }[] {
    if (top <= 0) return [];
    const order = Array.from(logits.keys())
      .sort((a, b) => logits[b] - logits[a] || a - b)
      .slice(0, top);
    return order.map((id) => ({ text: this.tokenizer.decode([id]), logprob: logProbAt(logits, id) }));
  }

  close(): Promise<void> {
    return this.model.release();
  }
}

function firstStop(text: string, until: readonly string[]): number | null {
  let best: number | null = null;
  for (const u of until) {
    if (u === '') continue;
    const at = text.indexOf(u);
    if (at >= 0 && (best === null || at < best)) best = at;
  }
  return best;
}

/**
 * Embedding and Min-K%++ of test items from the checkpoint's capture graph: the same forward, the
 * same statistics and the same Min-K%++ implementation as a probe sample's capture, so test items
 * and training samples are comparable (group pairing) and scored alike (contamination filter).
 */
export async function captureItemSignals(checkpointUri: string, items: readonly ItemText[], opts: Omit<OnnxModelOptions, 'runTokenizerPath'> = {}): Promise<ItemSignal[]> {
  const captured = await captureRouting(
    checkpointUri,
    items.map((it) => ({ text: it.text, target: it.target })),
    {
      ...(opts.executionProviders ? { executionProviders: opts.executionProviders } : {}),
      ...(opts.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: opts.intraOpNumThreads }),
      ...(opts.tokenizerPath === undefined ? {} : { tokenizerPath: opts.tokenizerPath }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
  return captured.map((c) => ({ embedding: c.embedding, minKPlusPlus: c.minKPlusPlusScore }));
}

/** The onnx backend for the model provider: one model per job, released when the job ends. */
export function onnxOpener(opts: Omit<OnnxModelOptions, 'signal'> = {}): OnnxOpener {
  return async (checkpointUri, { signal, tokenizerPath }) => {
    const model = await OnnxLanguageModel.open(checkpointUri, { ...opts, signal, runTokenizerPath: tokenizerPath });
    const itemTokenizer = opts.tokenizerPath ?? checkpointTokenizerPath(checkpointUri, { runTokenizer: tokenizerPath, searchParents: TOKENIZER_SEARCH_PARENTS });
    return {
      model,
      description: `onnx ${checkpointUri} (${model.provider})`,
      itemSignals: (items) => captureItemSignals(checkpointUri, items, { ...opts, signal, tokenizerPath: itemTokenizer }),
      close: () => model.close(),
    };
  };
}
