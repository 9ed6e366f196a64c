// The slice of the OpenAI completions API (POST /v1/completions, GET /v1/models) that grokwatch
// speaks, as vLLM serves it. Both the client backend and the built-in server use these shapes.

export interface CompletionRequestBody {
  model: string;
  /** One prompt or a batch; choices come back in prompt order, `n` per prompt (index = prompt * n + j). */
  prompt: string | string[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  seed?: number;
  stop?: string | string[];
  /** Return the prompt in `text` (and its tokens' log-probabilities when `logprobs` is set). */
  echo?: boolean;
  /** Number of most likely alternatives per token (0..20); null/absent: no log-probabilities. */
  logprobs?: number | null;
  stream?: boolean;
}

export interface CompletionLogprobs {
  tokens: string[];
  /** null where the model has nothing to condition on (the first prompt token without a BOS). */
  token_logprobs: (number | null)[];
  /** Per token: the most likely alternatives and the token itself, token text -> log-probability. */
  top_logprobs: (Record<string, number> | null)[];
  /** Offset of each token in the choice's `text`, in Unicode code points (Python `len`, as vLLM counts). */
  text_offset: number[];
}

export interface CompletionChoice {
  index: number;
  text: string;
  logprobs: CompletionLogprobs | null;
  /** 'stop' | 'length' when the server knows; null when it cannot tell (see serve-openai README notes). */
  finish_reason: string | null;
}

export interface CompletionResponse {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

/** OpenAI's error body. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
