// scoreItem + aggregate + export on constructed model outputs, against hand-computed values.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, buildRequests, ScoringError, scoreItem, toHarnessResults, type CodeExecutor, type CodeRunOptions, type ItemScore } from './index.js';
import { DATASET_BLOCK, docs, TaskScratch } from './testing/task-fixture.js';

const scratch = new TaskScratch();
after(() => scratch.cleanup());
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

const mcTask = () =>
  scratch.task(`task: mc
version: 2
${DATASET_BLOCK}output_type: multiple_choice
doc_to_text: "{{q}}"
doc_to_choice: "{{opts}}"
doc_to_target: "{{gold}}"
metric_list:
  - metric: acc
  - metric: acc_norm
`);

describe('multiple choice: acc and acc_norm', () => {
  const rows = docs([
    // raw argmax 0 (wrong), normalized -2/1 vs -3/6 -> 1 (right)
    { q: 'q1', opts: ['a', 'bbbbbb'], gold: 1 },
    // raw argmax 0 (right); normalized -1/3 vs -4/2 -> 0 (right)
    { q: 'q2', opts: ['yes', 'no'], gold: 'yes' },
    // raw argmax 0 (wrong); normalized -3/1, -5/2, -6/3 -> 2 (right); gold given as a digit string
    { q: 'q3', opts: ['x', 'yy', 'zzz'], gold: '2' },
  ]);
  const lls = [
    [-2, -3],
    [-1, -4],
    [-3, -5, -6],
  ];

  it('builds one request per choice, continuation = target_delimiter + choice', () => {
    const items = buildRequests(mcTask(), rows);
    assert.deepEqual(items[2].request, {
      kind: 'loglikelihood',
      requests: [
        { context: 'q3', continuation: ' x' },
        { context: 'q3', continuation: ' yy' },
        { context: 'q3', continuation: ' zzz' },
      ],
    });
  });

  it('scores and aggregates to hand-computed values', async () => {
    const task = mcTask();
    const scores = await Promise.all(rows.map((d, i) => scoreItem(task, d, { kind: 'loglikelihood', results: lls[i].map((logprob) => ({ logprob, isGreedy: false })) })));
    assert.deepEqual(
      scores.map((s) => [s.scores['acc,none'], s.scores['acc_norm,none']]),
      [
        [0, 1],
        [1, 1],
        [0, 1],
      ],
    );
    assert.deepEqual(scores[2].choice, { pred: 0, predNorm: 2, gold: 2 });
    const r = aggregate(task, scores);
    const acc = r.metrics.find((m) => m.metric === 'acc')!;
    // values [0,1,0]: mean 1/3; sample var = ((1/3)^2*2 + (2/3)^2)/2 = 1/3; se = sqrt(1/3/3) = 1/3
    close(acc.value, 1 / 3);
    close(acc.stderr!, 1 / 3);
    const norm = r.metrics.find((m) => m.metric === 'acc_norm')!;
    assert.equal(norm.value, 1);
    assert.equal(norm.stderr, 0);
  });

  it('rejects malformed model output with a ScoringError naming task and doc', async () => {
    const task = mcTask();
    const wrongCount = scoreItem(task, rows[0], { kind: 'loglikelihood', results: [{ logprob: -1, isGreedy: false }] });
    await assert.rejects(wrongCount, (e: unknown) => e instanceof ScoringError && /task mc, doc fixture\.jsonl:1: 1 log-likelihoods for 2 choices/.test(e.message));
    const nan = scoreItem(task, rows[0], {
      kind: 'loglikelihood',
      results: [
        { logprob: NaN, isGreedy: false },
        { logprob: -1, isGreedy: false },
      ],
    });
    await assert.rejects(nan, /log-probability must be <= 0/);
    await assert.rejects(scoreItem(task, rows[0], { kind: 'generate', completions: ['a'] }), /expected log-likelihoods/);
    const badGold = docs([{ q: 'q', opts: ['a', 'b'], gold: 'c' }])[0];
    await assert.rejects(
      scoreItem(task, badGold, {
        kind: 'loglikelihood',
        results: [
          { logprob: -1, isGreedy: false },
          { logprob: -2, isGreedy: false },
        ],
      }),
      /target 'c' is not among the choices/,
    );
  });
});

describe('bits per byte of a gold continuation', () => {
  const task = () =>
    scratch.task(`task: bpb
version: 1
${DATASET_BLOCK}output_type: loglikelihood
doc_to_text: "{{q}}"
doc_to_target: "{{t}}"
metric_list:
  - metric: bits_per_byte
  - metric: acc
`);

  it('sum of nats / ln 2 / sum of UTF-8 bytes of the continuation (delimiter included)', async () => {
    const t = task();
    const rows = docs([
      { q: 'Q1', t: 'abc' },
      { q: 'Q2', t: 'é' },
    ]);
    const items = buildRequests(t, rows);
    assert.deepEqual(items[1].request, { kind: 'loglikelihood', requests: [{ context: 'Q2', continuation: ' é' }] });
    const s = await Promise.all([
      scoreItem(t, rows[0], { kind: 'loglikelihood', results: [{ logprob: -4, isGreedy: true }] }), // " abc": 4 bytes
      scoreItem(t, rows[1], { kind: 'loglikelihood', results: [{ logprob: -3.3, isGreedy: false }] }), // " é": 3 bytes
    ]);
    assert.deepEqual(s[1].scores['bits_per_byte,none'], { sum: 3.3, weight: 3 });
    const r = aggregate(t, s);
    const bpb = r.metrics.find((m) => m.metric === 'bits_per_byte')!;
    // (4 + 3.3) / (4 + 3) / ln 2; delta-method se computed independently in Python
    close(bpb.value, 1.5045248283556334);
    close(bpb.stderr!, 0.07066261424762263);
    assert.equal(bpb.higherIsBetter, false);
    assert.equal(r.metrics.find((m) => m.metric === 'acc')!.value, 0.5); // is_greedy
  });
});

describe('loglikelihood_rolling', () => {
  it('bits_per_byte, byte_perplexity and word_perplexity as weighted ratios', async () => {
    const t = scratch.task(`task: rolling
version: 1
${DATASET_BLOCK}output_type: loglikelihood_rolling
doc_to_target: "{{text}}"
metric_list:
  - metric: bits_per_byte
  - metric: byte_perplexity
  - metric: word_perplexity
`);
    const rows = docs([{ text: 'hello world' }, { text: 'a  b c' }]);
    assert.deepEqual(buildRequests(t, rows)[0].request, { kind: 'loglikelihood_rolling', request: { text: 'hello world' } });
    const s = await Promise.all([
      scoreItem(t, rows[0], { kind: 'loglikelihood_rolling', logprob: -22 }), // 11 bytes, 2 words
      scoreItem(t, rows[1], { kind: 'loglikelihood_rolling', logprob: -9 }), // 6 bytes, 3 words
    ]);
    const v = Object.fromEntries(aggregate(t, s).metrics.map((m) => [m.metric, m.value]));
    close(v.bits_per_byte, 2.63079683926811);
    close(v.byte_perplexity, 6.193679965611751, 1e-9);
    close(v.word_perplexity, 492.7490410932563, 1e-9);
  });
});

describe('pass@k through scoreItem', () => {
  /** Test double of the executor: a program "passes" when it contains GOOD. */
  class RecordingExecutor implements CodeExecutor {
    readonly calls: Array<{ program: string; opts: CodeRunOptions }> = [];
    async run(program: string, opts: CodeRunOptions) {
      this.calls.push({ program, opts });
      const passed = program.includes('GOOD');
      return { passed, timedOut: false, stdout: '', stderr: passed ? '' : 'AssertionError', exitCode: passed ? 0 : 1 };
    }
  }
  const task = () =>
    scratch.task(`task: code
version: 1
${DATASET_BLOCK}output_type: generate_until
doc_to_text: "{{prompt}}"
doc_to_target: "{{solution}}"
repeats: 5
generation_kwargs:
  until: ["\\nSTOP"]
  do_sample: true
  temperature: 0.8
  seed: 7
code:
  program: "{{prompt}}{{completion}}\\n{{test}}\\n"
  timeout_s: 2.5
metric_list:
  - metric: pass_at_k
    k: [1, 2, 5]
`);

  it('n = 5 samples with c = 2 passing: pass@1 = 0.4, pass@2 = 0.7, pass@5 = 1', async () => {
    const t = task();
    const [doc] = docs([{ prompt: 'def f():\n', solution: '  return 1', test: 'assert f() == 1' }]);
    const [item] = buildRequests(t, [doc]);
    assert.equal(item.request.kind, 'generate');
    if (item.request.kind === 'generate') {
      assert.equal(item.request.request.n, 5);
      assert.equal(item.request.request.temperature, 0.8);
      assert.equal(typeof item.request.request.seed, 'number');
    }
    const ex = new RecordingExecutor();
    const completions = ['  return 1 # GOOD', '  return 2', '  return 1 # GOOD\nSTOP extra', '  return 3', '  boom'];
    const s = await scoreItem(t, doc, { kind: 'generate', completions }, { executor: ex });
    close(s.scores['pass@1,none'] as number, 0.4);
    close(s.scores['pass@2,none'] as number, 0.7);
    assert.equal(s.scores['pass@5,none'], 1);
    assert.equal(ex.calls.length, 5);
    assert.equal(ex.calls[2].program, 'def f():\n  return 1 # GOOD\nassert f() == 1\n', 'cut at the stop sequence, template applied');
    assert.equal(ex.calls[0].opts.timeoutMs, 2500);
    assert.deepEqual(
      s.codeRuns!.none.map((r) => r.passed),
      [true, false, true, false, false],
    );
  });

  it('pass@k stderr is the standard error of the per-problem estimates', async () => {
    const t = task();
    const rows = docs([
      { prompt: 'a', solution: '', test: '' },
      { prompt: 'b', solution: '', test: '' },
    ]);
    const ex = new RecordingExecutor();
    const s = await Promise.all([
      scoreItem(t, rows[0], { kind: 'generate', completions: ['GOOD', 'GOOD', 'x', 'x', 'x'] }, { executor: ex }), // pass@1 .4
      scoreItem(t, rows[1], { kind: 'generate', completions: ['GOOD', 'GOOD', 'GOOD', 'GOOD', 'x'] }, { executor: ex }), // pass@1 .8
    ]);
    const p1 = aggregate(t, s).metrics.find((m) => m.metric === 'pass@1')!;
    close(p1.value, 0.6);
    close(p1.stderr!, 0.2); // values .4, .8: sample sd = .2828..., se = .2828/sqrt 2 = .2
  });

  it('needs an executor and the right number of completions', async () => {
    const t = task();
    const [doc] = docs([{ prompt: 'a', solution: '', test: '' }]);
    await assert.rejects(scoreItem(t, doc, { kind: 'generate', completions: ['1', '2', '3', '4', '5'] }), /pass a CodeExecutor/);
    await assert.rejects(scoreItem(t, doc, { kind: 'generate', completions: ['1'] }, { executor: new RecordingExecutor() }), /expected 5 completion\(s\), got 1/);
  });
});

describe('grouped results, macro average and harness export', () => {
  const task = () =>
    scratch.task(`task: grouped
version: 3
${DATASET_BLOCK}output_type: multiple_choice
doc_to_text: "{{q}}"
doc_to_choice: ["A", "B"]
doc_to_target: "{{gold}}"
group_by: "{{subject}}"
metric_list:
  - metric: acc
`);

  async function scored(): Promise<ItemScore[]> {
    const t = task();
    // g1: right, wrong -> acc .5 (se .5); g2: right, right -> acc 1 (se 0)
    const rows = docs([
      { q: '1', gold: 0, subject: 'g1' },
      { q: '2', gold: 0, subject: 'g1' },
      { q: '3', gold: 1, subject: 'g2' },
      { q: '4', gold: 1, subject: 'g2' },
    ]);
    const lls = [
      [-1, -2],
      [-2, -1],
      [-2, -1],
      [-3, -1],
    ];
    return Promise.all(rows.map((d, i) => scoreItem(t, d, { kind: 'loglikelihood', results: lls[i].map((logprob) => ({ logprob, isGreedy: false })) })));
  }

  it('reports per group, the micro average and the macro average over groups', async () => {
    const r = aggregate(task(), await scored());
    assert.equal(r.metrics[0].value, 0.75);
    assert.deepEqual(
      r.groups!.map((g) => [g.group, g.n, g.metrics[0].value, g.metrics[0].stderr]),
      [
        ['g1', 2, 0.5, 0.5],
        ['g2', 2, 1, 0],
      ],
    );
    const macro = r.macro![0];
    assert.equal(macro.metric, 'acc_macro');
    assert.equal(macro.value, 0.75);
    assert.equal(macro.stderr, 0.25); // sqrt(.5^2 + 0^2) / 2
    assert.equal(macro.n, 2);
  });

  it('exports the lm-evaluation-harness results layout', async () => {
    const t = task();
    const r = aggregate(t, await scored());
    const out = toHarnessResults([{ config: t, result: r, datasetSize: 10 }], { model: 'm', date: 1700000000 }) as Record<string, any>;
    assert.deepEqual(out.results.grouped, {
      alias: 'grouped',
      'acc,none': 0.75,
      'acc_stderr,none': 0.25,
      'acc_macro,none': 0.75,
      'acc_macro_stderr,none': 0.25,
    });
    assert.deepEqual(out.results.grouped_g1, { alias: ' - g1', 'acc,none': 0.5, 'acc_stderr,none': 0.5 });
    assert.deepEqual(out.group_subtasks, { grouped: ['grouped_g1', 'grouped_g2'] });
    assert.equal(out.versions.grouped, 3);
    assert.equal(out['n-shot'].grouped, 0);
    assert.deepEqual(out['n-samples'].grouped, { original: 10, effective: 4 });
    assert.deepEqual(out.higher_is_better.grouped, { acc: true, acc_macro: true });
    assert.equal(out.configs.grouped.task, 'grouped');
    assert.deepEqual(out.config, { model: 'm', model_args: null });
    assert.equal(out.date, 1700000000);
  });

  it('writes "N/A" for a stderr that cannot be estimated (one item)', async () => {
    const t = task();
    const one = (await scored()).slice(0, 1);
    const out = toHarnessResults([{ config: t, result: aggregate(t, one) }]) as Record<string, any>;
    assert.equal(out.results.grouped['acc_stderr,none'], 'N/A');
  });
});
