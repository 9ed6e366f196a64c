// A LanguageModel for service tests: generations come from a script (a function of the prompt),
// log-likelihoods and prompt scores from the character model. The service, not the model, is
// what such tests examine; a script makes the expected scores computable by hand.
import type { GenerationRequest, LanguageModel, LoglikelihoodRequest, LoglikelihoodResult } from '@grokwatch/benchmark';
import type { PromptScorer, ScoredToken } from '../openai/prompt-scorer.js';
import { CharModel } from './char-model.js';

/** The completion for a prompt (sample j of n), or undefined to fall back to the character model. */
export type Script = (prompt: string, sample: number) => string | undefined;

export interface ScriptedModelOptions {
  /** Added to every call, to make jobs slow enough to kill or cancel mid-way. */
  readonly delayMs?: number;
  readonly base?: CharModel;
}

export class ScriptedModel implements LanguageModel, PromptScorer {
  readonly base: CharModel;
  /** Prompts answered so far (generation requests), in order. */
  readonly generated: string[] = [];
  /** Continuations scored so far. */
  scored = 0;
  private readonly delayMs: number;

  constructor(
    private readonly script: Script,
    opts: ScriptedModelOptions = {},
  ) {
    this.base = opts.base ?? new CharModel();
    this.delayMs = opts.delayMs ?? 0;
  }

  async generate(reqs: readonly GenerationRequest[]): Promise<string[][]> {
    await this.pause();
    const fallback = await this.base.generate(reqs);
    return reqs.map((r, i) => {
      this.generated.push(r.prompt);
      return Array.from({ length: r.n ?? 1 }, (_, j) => this.script(r.prompt, j) ?? fallback[i][j]!);
    });
  }

  async loglikelihood(reqs: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    await this.pause();
    this.scored += reqs.length;
    return this.base.loglikelihood(reqs);
  }

  async scoreTexts(texts: readonly string[], top: number): Promise<ScoredToken[][]> {
    await this.pause();
    this.scored += texts.length;
    return this.base.scoreTexts(texts, top);
  }

  private async pause(): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
  }
}

/** The question of a GSM8K prompt: the text after its last "Question: ", up to "\nAnswer:". */
export function lastGsm8kQuestion(prompt: string): string | undefined {
  const at = prompt.lastIndexOf('Question: ');
  if (at < 0 || !prompt.endsWith('\nAnswer:')) return undefined;
  return prompt.slice(at + 'Question: '.length, prompt.length - '\nAnswer:'.length);
}
