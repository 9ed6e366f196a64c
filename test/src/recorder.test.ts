// The PyTorch recorder (recorder/grokwatch_recorder) reduces probe samples inside a training process
// to the summary grokwatch's capture stores. Same checkpoint of the bundled trainer, same token ids:
// the recorder (hooks on the PyTorch model) and the ONNX capture must agree within 1e-5 on every
// stored field. Then the bundled trainer, run with --grokwatch-probe-set against a live platform,
// feeds a watched run through the recorder: every checkpoint's routing arrives without a checkpoint
// folder ever being read, and the pipeline computes its metrics. Debian's python3-torch under
// /usr/bin/python3 runs the recorder (.ci/run installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dataOf, runCommand, startPlatform, until, type Platform } from './harness.js';
import { loadModelConfig } from '@grokwatch/checkpoint';
import { captureRouting, ModelTokenizer, targetTokenRange, type SampleCapture } from '@grokwatch/model';

const REPO = resolve(import.meta.dirname, '..', '..');
const RUN = join(REPO, 'models', 'grokking-clean');
const CHECKPOINT = join(RUN, 'checkpoints', 'step1800');
const TOKENIZER = join(RUN, 'tokenizer.json');
const TOL = 1e-5;

interface Row {
  text: string;
  target?: [number, number];
}
interface Recorded {
  index: number;
  weights: number[][];
  selectionCounts: number[][];
  embedding: number[];
  nll: number;
  minKPlusPlus: number;
  tokenCount: number;
  targetNll?: number;
  targetWeights?: number[][];
  positionWeights?: number[][];
}

function probeRows(): Row[] {
  const rows: Row[] = [];
  for (const domain of ['math', 'code', 'knowledge']) {
    const lines = readFileSync(join(RUN, 'probes', `${domain}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 4);
    rows.push(...lines.map((l) => JSON.parse(l) as Row));
  }
  // One row without a target: its summary has no target fields.
  rows.push({ text: rows[0].text });
  return rows;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

test("the recorder's own unit tests pass (router discovery, biased selection, summaries, a client that never blocks training)", () => {
  const res = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', 'recorder'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stderr, /Ran \d+ tests/);
});

describe('the PyTorch recorder computes what the ONNX capture stores', () => {
  const rows = probeRows();
  let captured: SampleCapture[];
  let recorded: Recorded[];

  before(async () => {
    const config = await loadModelConfig(CHECKPOINT);
    const tokenizer = await ModelTokenizer.load(CHECKPOINT, config, { tokenizerPath: TOKENIZER });
    const probes = rows.map((r, index) => {
      const ids = tokenizer.encode(r.text);
      const target = r.target === undefined ? null : targetTokenRange(ids, tokenizer.encode(r.text.slice(0, r.target[0])), tokenizer.encode(r.text.slice(0, r.target[1])));
      return { index, ids, target: target === null ? null : [target.from, target.to] };
    });
    const res = spawnSync('/usr/bin/python3', [join(REPO, 'recorder', 'summarize_trainer_checkpoint.py'), CHECKPOINT, JSON.stringify(probes)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(res.status, 0, res.stderr);
    recorded = JSON.parse(res.stdout) as Recorded[];
    captured = await captureRouting(
      CHECKPOINT,
      rows.map((r) => ({ text: r.text, ...(r.target ? { target: { start: r.target[0], end: r.target[1] } } : {}) })),
      { tokenizerPath: TOKENIZER },
    );
  });

  test('routing, selection counts, embedding, NLL and Min-K%++ agree on every sample', (t) => {
    assert.equal(recorded.length, rows.length);
    let worstRouting = 0;
    let worstEmbedding = 0;
    for (const [i, c] of captured.entries()) {
      const r = recorded[i];
      assert.equal(r.index, i);
      assert.equal(r.tokenCount, c.tokenCount);
      const routingDiff = maxDiff(r.weights.flat(), c.routing);
      worstRouting = Math.max(worstRouting, routingDiff);
      assert.ok(routingDiff < TOL, `sample ${i}: routing differs by ${routingDiff}`);
      assert.deepEqual(r.selectionCounts.flat(), Array.from(c.topkCounts), `sample ${i}: selection counts`);
      const embeddingDiff = maxDiff(r.embedding, c.embedding);
      worstEmbedding = Math.max(worstEmbedding, embeddingDiff);
      assert.ok(embeddingDiff < TOL, `sample ${i}: embedding differs by ${embeddingDiff}`);
      assert.ok(Math.abs(r.nll - c.meanNll) < TOL, `sample ${i}: nll ${r.nll} vs ${c.meanNll}`);
      // z-scores divide by the spread of log p, which a confident model makes small: float32 noise grows, relatively ~2e-5.
      const mk = c.minKPlusPlusScore!;
      assert.ok(Math.abs(r.minKPlusPlus - mk) < 1e-4 * Math.max(1, Math.abs(mk)), `sample ${i}: Min-K%++ ${r.minKPlusPlus} vs ${mk}`);
    }
    t.diagnostic(`recorder vs capture: max |routing diff| ${worstRouting.toExponential(2)}, max |embedding diff| ${worstEmbedding.toExponential(2)}`);
  });

  test('target NLL, target routing and the routing before the target agree; a row without a target has none', () => {
    let withTarget = 0;
    for (const [i, c] of captured.entries()) {
      const r = recorded[i];
      if (c.targetNll === null) {
        assert.equal(r.targetNll, undefined, `sample ${i}`);
        assert.equal(r.targetWeights, undefined, `sample ${i}`);
        continue;
      }
      withTarget++;
      assert.ok(Math.abs(r.targetNll! - c.targetNll) < TOL, `sample ${i}: target nll ${r.targetNll} vs ${c.targetNll}`);
      assert.ok(maxDiff(r.targetWeights!.flat(), c.targetRouting!) < TOL, `sample ${i}: target routing`);
      assert.ok(maxDiff(r.positionWeights!.flat(), c.positionRouting!) < TOL, `sample ${i}: position routing`);
    }
    assert.equal(withTarget, rows.length - 1);
  });
});

describe('the bundled trainer feeds a watched run through the recorder (embedded platform)', () => {
  let p: Platform;
  let out: string;
  let runId: string;
  let probeSetId: string;
  const rows = probeRows()
    .filter((r) => r.target !== undefined)
    .slice(0, 4);
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => p.gql<T>(query, variables).then(dataOf);

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'gw-recorded-'));
    p = await startPlatform('embedded');
    probeSetId = (
      await gql<{ createProbeSet: { id: string } }>(
        `mutation($rows: [ProbeSampleInput!]!) { createProbeSet(input: { name: "recorded-math", domain: "math", rows: $rows }) { id } }`,
        { rows: rows.map((r, i) => ({ id: `m${i}`, text: r.text, target: r.target })) },
      )
    ).createProbeSet.id;
    runId = (
      await gql<{ createRun: { id: string } }>(`mutation($p: [ID!]!) { createRun(input: { name: "recorded", architecture: "OlmoeForCausalLM", probeSetIds: $p }) { id } }`, {
        p: [probeSetId],
      })
    ).createRun.id;
  });

  after(async () => {
    await p?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  test("every checkpoint's routing arrives from the training process, and metrics follow", async () => {
    const res = await runCommand(
      '/usr/bin/python3',
      [
        'trainer/train.py',
        '--out',
        out,
        '--steps',
        '10',
        '--save-steps',
        '0,5,10',
        '--eval-every',
        '5',
        '--probes',
        '20',
        '--no-plot',
        '--grokwatch-url',
        p.url,
        '--grokwatch-run',
        runId,
        '--grokwatch-probe-set',
        probeSetId,
      ],
      { cwd: REPO, timeoutMs: 240_000 },
    );
    assert.equal(res.code, 0, res.out.slice(-3000));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { grokwatch: { sent: { step: number; stored: number }[]; dropped: unknown[] } };
    assert.deepEqual(
      summary.grokwatch.sent.map((s) => [s.step, s.stored]),
      [
        [0, rows.length],
        [5, rows.length],
        [10, rows.length],
      ],
    );
    assert.deepEqual(summary.grokwatch.dropped, []);
    // Checkpoint folders carry the tokenizer, as Hugging Face checkpoints do.
    assert.ok(existsSync(join(out, 'checkpoints', 'step5', 'tokenizer.json')));

    const checkpoints = (
      await gql<{ run: { checkpoints: { id: string; step: number; uri: string }[] } }>(`query($r: ID!) { run(id: $r) { checkpoints { id step uri } } }`, { r: runId })
    ).run.checkpoints;
    assert.deepEqual(
      checkpoints.map((c) => [c.step, c.uri]),
      [0, 5, 10].map((s) => [s, `recorder://${runId}/step${s}`]),
    );
    for (const c of checkpoints) {
      const m = await until(
        `metrics at step ${c.step}`,
        async () => {
          const r = (
            await gql<{ checkpoint: { pathwayMetrics: { status: string; distance: { pairs: number } | null } } }>(
              `query($c: ID!, $p: ID!) { checkpoint(id: $c) { pathwayMetrics(probeSet: $p) { status distance { pairs } } } }`,
              { c: c.id, p: probeSetId },
            )
          ).checkpoint.pathwayMetrics;
          if (r.status === 'failed') throw new Error(JSON.stringify(r));
          return r.status === 'completed' ? r : undefined;
        },
        120_000,
      );
      assert.equal(m.distance?.pairs, (rows.length * (rows.length - 1)) / 2);
    }
  });
});
