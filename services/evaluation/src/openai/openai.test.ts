// The OpenAI-compatible backend against the real built-in server (over a deterministic
// character-level model): what comes back through HTTP equals what the model computes directly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OpenAiCompletionsModel } from '../backends/openai-model.js';
import { BackendError } from '../errors.js';
import { CharModel } from '../testing/char-model.js';
import { startOpenAiServer, type OpenAiServer } from './server.js';

const PAIRS = [
  { context: 'Question: 2+2?\nAnswer:', continuation: ' 4' },
  { context: 'The capital of France is', continuation: ' Paris.' },
  { context: 'x', continuation: 'yz' },
  // é and the emoji are outside the model's alphabet; the emoji is two UTF-16 units, one code point.
  { context: 'café 😀 ok', continuation: ' 😀é done' },
  { context: 'a', continuation: '\n\nb' },
];

describe('OpenAI-compatible server + client', () => {
  const model = new CharModel();
  const noBos = new CharModel({ conditionFirst: false });
  let server: OpenAiServer;
  let noBosServer: OpenAiServer;

  before(async () => {
    server = await startOpenAiServer({ model, modelName: 'char' });
    noBosServer = await startOpenAiServer({ model: noBos, modelName: 'char-nobos' });
  });
  after(async () => {
    await server?.stop();
    await noBosServer?.stop();
  });

  const client = (extra: Partial<ConstructorParameters<typeof OpenAiCompletionsModel>[0]> = {}) => new OpenAiCompletionsModel({ baseUrl: server.baseUrl, model: 'char', ...extra });

  test('the test model is a proper distribution', () => {
    for (const prefix of ['', 'ab', 'Answer:']) {
      const total = model.distribution(prefix).reduce((a, lp) => a + Math.exp(lp), 0);
      assert.ok(Math.abs(total - 1) < 1e-12, `sums to ${total}`);
    }
  });

  test('GET /v1/models lists the served model', async () => {
    const res = await fetch(`${server.baseUrl}/models`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    assert.equal(body.object, 'list');
    assert.deepEqual(
      body.data.map((m) => [m.id, m.object]),
      [['char', 'model']],
    );
  });

  test('log-likelihoods and greedy flags equal the model computed directly, batched', async () => {
    // A greedy continuation, so at least one isGreedy is true.
    const [[greedy]] = (await model.generate([{ prompt: 'Once', until: [], maxTokens: 6, temperature: 0 }])) as [[string]];
    const pairs = [...PAIRS, { context: 'Once', continuation: greedy }];
    const direct = await model.loglikelihood(pairs);
    assert.ok(direct.some((r) => r.isGreedy) && direct.some((r) => !r.isGreedy));
    const before = model.calls.scoreTexts;
    const served = await client({ batchSize: 2 }).loglikelihood(pairs);
    assert.equal(model.calls.scoreTexts - before, Math.ceil(pairs.length / 2), 'one HTTP request per batch of 2');
    served.forEach((r, i) => {
      assert.ok(Math.abs(r.logprob - direct[i].logprob) < 1e-9, `pair ${i}: ${r.logprob} vs ${direct[i].logprob}`);
      assert.equal(r.isGreedy, direct[i].isGreedy, `pair ${i} isGreedy`);
    });
  });

  test('echo with max_tokens 0 and 1 (vLLM) give the same scores', async () => {
    const zero = await client({ echoMaxTokens: 0 }).loglikelihood(PAIRS);
    const one = await client({ echoMaxTokens: 1 }).loglikelihood(PAIRS);
    assert.deepEqual(zero, one);
  });

  test('an empty context needs emptyContextPrefix when the first token has no log-probability', async () => {
    const c = new OpenAiCompletionsModel({ baseUrl: noBosServer.baseUrl, model: 'char-nobos' });
    await assert.rejects(c.loglikelihood([{ context: '', continuation: 'hello' }]), (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.equal(err.retryable, false);
      assert.match(err.message, /emptyContextPrefix/);
      return true;
    });
    const withPrefix = new OpenAiCompletionsModel({ baseUrl: noBosServer.baseUrl, model: 'char-nobos', emptyContextPrefix: '\n' });
    const [served] = await withPrefix.loglikelihood([{ context: '', continuation: 'hello' }]);
    const [direct] = await noBos.loglikelihood([{ context: '\n', continuation: 'hello' }]);
    assert.ok(Math.abs(served!.logprob - direct!.logprob) < 1e-9);
    // With a model that conditions its first token (a BOS), no prefix is needed, as for the LanguageModel contract.
    const [bos] = await client().loglikelihood([{ context: '', continuation: 'hello' }]);
    const [bosDirect] = await model.loglikelihood([{ context: '', continuation: 'hello' }]);
    assert.ok(Math.abs(bos!.logprob - bosDirect!.logprob) < 1e-9);
  });

  test('greedy and seeded sampled generations equal the model directly; stops are cut', async () => {
    const reqs = [
      { prompt: 'Question: what?\nAnswer:', until: ['\n'], maxTokens: 40, temperature: 0 },
      { prompt: 'Hello', until: [], maxTokens: 12, temperature: 0 },
      { prompt: 'Sample', until: ['x'], maxTokens: 20, temperature: 0.9, topP: 0.95, seed: 7, n: 3 },
      { prompt: 'Sample', until: ['x'], maxTokens: 20, temperature: 0.9, topP: 0.95, seed: 8, n: 3 },
    ];
    const direct = await model.generate(reqs);
    const served = await client({ batchSize: 1 }).generate(reqs);
    assert.deepEqual(served, direct);
    assert.equal(served[2].length, 3);
    assert.notDeepEqual(served[2], served[3], 'different seeds, different samples');
    for (const s of served[2]) assert.ok(!s.includes('x'), 'cut before the stop string');
  });

  test('logprobs without echo cover only the completion, offsets relative to it', async () => {
    const res = await fetch(`${server.baseUrl}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'char', prompt: 'ab', max_tokens: 3, temperature: 0, logprobs: 2 }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      choices: { text: string; logprobs: { tokens: string[]; text_offset: number[]; token_logprobs: number[]; top_logprobs: Record<string, number>[] } }[];
    };
    const c = body.choices[0];
    assert.equal(c.logprobs.tokens.join(''), c.text);
    assert.deepEqual(c.logprobs.text_offset, [0, 1, 2]);
    assert.ok(Math.abs(c.logprobs.token_logprobs[0] - model.charLogprob('ab', c.text[0])) < 1e-12);
    assert.ok(Object.keys(c.logprobs.top_logprobs[0]).length >= 2, 'the token and the top alternatives');
  });

  test('bad requests get OpenAI-style errors naming the problem', async () => {
    const post = (body: unknown) =>
      fetch(`${server.baseUrl}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const cases: [unknown, number, RegExp][] = [
      [{ model: 'nope', prompt: 'a' }, 404, /nope.*does not exist/],
      [{ model: 'char', prompt: 'a', stream: true }, 400, /streaming/],
      [{ model: 'char', prompt: 'a', temprature: 0 }, 400, /unrecognized request argument: temprature/],
      [{ model: 'char', prompt: [1, 2, 3] }, 400, /token-id prompts/],
      [{ model: 'char', prompt: 'a', max_tokens: -1 }, 400, /max_tokens/],
      ['{"model": "char", ', 400, /not valid JSON/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, JSON.stringify(body));
      const err = (await res.json()) as { error: { message: string; type: string } };
      assert.match(err.error.message, message);
    }
    const lm = await startOpenAiServer({ model: { loglikelihood: model.loglikelihood.bind(model), generate: model.generate.bind(model) }, modelName: 'plain' });
    try {
      const res = await fetch(`${lm.baseUrl}/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'plain', prompt: 'a', echo: true, max_tokens: 0, logprobs: 1 }),
      });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /cannot return log-probabilities/);
    } finally {
      await lm.stop();
    }
    assert.equal((await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', body: '{}' })).status, 404);
  });

  test('client errors: a wrong model name is permanent, an unreachable server retryable', async () => {
    await assert.rejects(client({ model: 'other' } as never).generate([{ prompt: 'a', until: [], maxTokens: 1, temperature: 0 }]), (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.equal(err.status, 404);
      assert.equal(err.retryable, false);
      assert.match(err.message, /other.*does not exist/);
      return true;
    });
    const dead = new OpenAiCompletionsModel({ baseUrl: 'http://127.0.0.1:9/v1', model: 'x', timeoutMs: 5000 });
    await assert.rejects(dead.loglikelihood([{ context: 'a', continuation: 'b' }]), (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.equal(err.retryable, true);
      assert.match(err.message, /127\.0\.0\.1:9/);
      return true;
    });
  });
});
