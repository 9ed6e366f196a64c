// A tiny, deterministic character-level language model for tests of the serving and evaluation
// plumbing (the subject of those tests is the service, not the model). Its tokens are single
// characters; the next-character distribution is a softmax over fixed pseudo-random logits that
// depend on the previous two characters. Being a real distribution, its log-likelihoods, greedy
// flags, greedy generation and seeded sampling are all mutually consistent, which lets a test
// compare what comes back through HTTP with what the model computes directly.
import type { GenerationRequest, LanguageModel, LoglikelihoodRequest, LoglikelihoodResult } from '@grokwatch/benchmark';
import type { PromptScorer, ScoredToken } from '../openai/prompt-scorer.js';
import { mulberry32 } from '@grokwatch/benchmark';

/** Printable ASCII and newline; every other character is the one symbol OTHER. */
const ALPHABET = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\n'];
const OTHER = ALPHABET.length;
const SYMBOLS = ALPHABET.length + 1;
const INDEX = new Map(ALPHABET.map((c, i) => [c, i]));
const BOS = '\u0002';

export interface CharModelOptions {
  /** Whether the first character of a text is conditioned on a start symbol (default true). Without, it gets a null log-probability, as a model without BOS. */
  readonly conditionFirst?: boolean;
  /** Logit scale: larger makes the distribution peakier (default 4). */
  readonly sharpness?: number;
}

export class CharModel implements LanguageModel, PromptScorer {
  private readonly cache = new Map<string, Float64Array>();
  private readonly conditionFirst: boolean;
  private readonly sharpness: number;
  /** Calls made, for tests that check batching. */
  readonly calls = { loglikelihood: 0, generate: 0, scoreTexts: 0 };

  constructor(opts: CharModelOptions = {}) {
    this.conditionFirst = opts.conditionFirst ?? true;
    this.sharpness = opts.sharpness ?? 4;
  }

  /** log P(next symbol | prefix) for every symbol. */
  distribution(prefix: string): Float64Array {
    const key = (BOS + BOS + prefix).slice(-2);
    let lp = this.cache.get(key);
    if (!lp) {
      const h = hash(key.charCodeAt(0) * 65_537 + key.charCodeAt(1));
      const logits = new Float64Array(SYMBOLS);
      let max = -Infinity;
      for (let s = 0; s < SYMBOLS; s++) {
        logits[s] = (hash(h ^ Math.imul(s + 1, 0x9e3779b1)) / 2 ** 32) * this.sharpness;
        max = Math.max(max, logits[s]);
      }
      let z = 0;
      for (let s = 0; s < SYMBOLS; s++) z += Math.exp(logits[s] - max);
      const logZ = max + Math.log(z);
      lp = logits.map((l) => l - logZ);
      this.cache.set(key, lp);
    }
    return lp;
  }

  /** log P(char | prefix); characters outside the alphabet share the OTHER symbol. */
  charLogprob(prefix: string, char: string): number {
    return this.distribution(prefix)[symbolOf(char)];
  }

  /** The most likely next character (lowest symbol on ties); null when it is OTHER. */
  greedyNext(prefix: string): string | null {
    const lp = this.distribution(prefix);
    let best = 0;
    for (let s = 1; s < SYMBOLS; s++) if (lp[s] > lp[best]) best = s;
    return best === OTHER ? null : ALPHABET[best];
  }

  async loglikelihood(reqs: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    this.calls.loglikelihood++;
    return reqs.map(({ context, continuation }) => {
      let logprob = 0;
      let isGreedy = true;
      for (const { char, offset } of charsOf(continuation)) {
        const prefix = context + continuation.slice(0, offset);
        logprob += this.charLogprob(prefix, char);
        if (this.greedyNext(prefix) !== char) isGreedy = false;
      }
      return { logprob, isGreedy };
    });
  }

  async generate(reqs: readonly GenerationRequest[]): Promise<string[][]> {
    this.calls.generate++;
    return reqs.map((r) => Array.from({ length: r.n ?? 1 }, (_, j) => this.generateOne(r, j)));
  }

  async scoreTexts(texts: readonly string[], top: number): Promise<ScoredToken[][]> {
    this.calls.scoreTexts++;
    return texts.map((text) =>
      charsOf(text).map(({ char, offset }): ScoredToken => {
        if (offset === 0 && !this.conditionFirst) return { text: char, offset, logprob: null, top: [] };
        const prefix = text.slice(0, offset);
        return { text: char, offset, logprob: this.charLogprob(prefix, char), top: this.topOf(prefix, top) };
      }),
    );
  }

  private topOf(prefix: string, k: number): { text: string; logprob: number }[] {
    const lp = this.distribution(prefix);
    return [...lp.keys()]
      .filter((s) => s !== OTHER)
      .sort((a, b) => lp[b] - lp[a] || a - b)
      .slice(0, k)
      .map((s) => ({ text: ALPHABET[s], logprob: lp[s] }));
  }

  private generateOne(r: GenerationRequest, sample: number): string {
    const random = r.temperature > 0 ? mulberry32(hash((r.seed ?? 0) * 31 + sample)) : null;
    let out = '';
    for (let t = 0; t < r.maxTokens; t++) {
      const c = random ? this.sampleNext(r.prompt + out, r.temperature, r.topP ?? 1, random) : this.greedyNext(r.prompt + out);
      if (c === null) break;
      out += c;
      const stop = r.until.find((u) => out.endsWith(u));
      if (stop !== undefined) return out.slice(0, out.length - stop.length);
    }
    return out;
  }

  private sampleNext(prefix: string, temperature: number, topP: number, random: () => number): string | null {
    const lp = this.distribution(prefix);
    const order = [...lp.keys()].sort((a, b) => lp[b] - lp[a] || a - b);
    const weights = order.map((s) => Math.exp(lp[s] / temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    let kept = 0;
    let mass = 0;
    while (kept < order.length && mass < topP * total) mass += weights[kept++];
    let u = random() * mass;
    for (let i = 0; i < kept; i++) {
      u -= weights[i];
      if (u <= 0) return order[i] === OTHER ? null : ALPHABET[order[i]]!;
    }
    return order[kept - 1] === OTHER ? null : ALPHABET[order[kept - 1]]!;
  }
}

/** A text's characters (code points) with their UTF-16 offsets. */
function charsOf(text: string): { char: string; offset: number }[] {
  const out: { char: string; offset: number }[] = [];
  let offset = 0;
  for (const char of text) {
    out.push({ char, offset });
    offset += char.length;
  }
  return out;
}

function symbolOf(char: string): number {
  return INDEX.get(char) ?? OTHER;
}

function hash(x: number): number {
  let h = Math.imul((x | 0) ^ 0x27d4eb2d, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
