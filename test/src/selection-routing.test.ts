// Routing from selections (issue 15): the same experts selected give the same pathways whether the
// routing was captured here or ingested in vLLM's routed_experts layout. Run A captures a tiny real
// checkpoint through the platform; run B ingests, for a checkpoint held elsewhere, the per-token
// top-k ids @grokwatch/model reports for the same texts on the same checkpoint. With weights
// "selection" both runs' pathway metrics are computed from each expert's share of the selections
// and must be equal; with the default weights (router scores) they differ, since run B has no scores.
// Run C ingests the same selections under a DeepSeek-V3 architecture and asks for nothing: its
// router selects by bias, so the pipeline computes and the reads answer selections by default.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { captureRouting } from '@grokwatch/model';
import { createOnnxCapturer } from '@grokwatch/inference';
import { createLogger } from '@grokwatch/service-kit';
import { dataOf, startPlatform, until, type Platform } from './harness.js';
import { TINY_OLMOE_REAL_VOCAB, writeTinyCheckpoint } from './tiny-checkpoint.js';

const CLI = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
const exec = promisify(execFile);
const TEXTS = ['2 + 3 = 5', 'the cat sat on the mat', 'seven minus four is three', 'import numpy as np', 'a b c d e f g', 'hello there'];

interface Metrics {
  status: string;
  weights: string;
  distance: { mean: number; std: number; pairs: number } | null;
  layerwise: { layer: number; distance: number | null }[] | null;
}

describe('routing from selections: captured here and ingested from routed_experts give identical pathways (embedded)', () => {
  let p: Platform;
  let dir: string;
  let checkpointDir: string;
  let probeSetId: string;
  const checkpointOf: Record<string, string> = {};
  const runOf: Record<string, string> = {};

  const gql = <T>(query: string, variables: Record<string, unknown>) => p.gql<T>(query, variables).then(dataOf);
  const metrics = (checkpointId: string, weights: string | null) =>
    gql<{ checkpoint: { pathwayMetrics: Metrics } }>(
      `query($c: ID!, $p: ID!, $w: RoutingWeights) { checkpoint(id: $c) { pathwayMetrics(probeSet: $p, unit: expert, normalized: true, weights: $w) {
       status weights distance { mean std pairs } layerwise { layer distance } } } }`,
      { c: checkpointId, p: probeSetId, w: weights },
    ).then((d) => d.checkpoint.pathwayMetrics);
  const completed = (checkpointId: string, weights: string | null) =>
    until(
      `${weights} metrics of ${checkpointId}`,
      async () => {
        const m = await metrics(checkpointId, weights);
        if (m.status === 'failed') throw new Error(`metrics failed: ${JSON.stringify(m)}`);
        return m.status === 'completed' ? m : undefined;
      },
      120_000,
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-selection-'));
    checkpointDir = join(dir, 'step10');
    await writeTinyCheckpoint(checkpointDir, 10);
    p = await startPlatform('embedded', { capturer: createOnnxCapturer({ logger: createLogger('test', 'error') }) });
    probeSetId = (
      await gql<{ createProbeSet: { id: string } }>(`mutation($rows: [ProbeSampleInput!]!) { createProbeSet(input: { name: "selection", domain: "mixed", rows: $rows }) { id } }`, {
        rows: TEXTS.map((text, i) => ({ id: `s${i}`, text })),
      })
    ).createProbeSet.id;
    for (const name of ['captured', 'ingested', 'deepseek']) {
      runOf[name] = (
        await gql<{ createRun: { id: string } }>(`mutation($n: String!, $a: String!, $p: [ID!]!) { createRun(input: { name: $n, architecture: $a, probeSetIds: $p }) { id } }`, {
          n: `selection-${name}`,
          a: name === 'deepseek' ? 'DeepseekV3ForCausalLM' : 'OlmoeForCausalLM',
          p: [probeSetId],
        })
      ).createRun.id;
      if (name === 'deepseek') continue;
      await gql(`mutation($r: ID!, $v: MetricVariantInput!) { requestMetrics(runId: $r, variant: $v) { queued } }`, {
        r: runOf[name],
        v: { unit: 'expert', normalized: true, weights: 'selection' },
      });
    }
    checkpointOf.captured = (
      await gql<{ registerCheckpoint: { id: string } }>(`mutation($r: ID!, $u: String!) { registerCheckpoint(input: { runId: $r, step: 10, uri: $u }) { id } }`, {
        r: runOf.captured,
        u: checkpointDir,
      })
    ).registerCheckpoint.id;
    for (const name of ['ingested', 'deepseek']) {
      checkpointOf[name] = (
        await gql<{ registerCheckpoint: { id: string } }>(`mutation($r: ID!) { registerCheckpoint(input: { runId: $r, step: 10, uri: "vllm://cluster/run/step10" }) { id } }`, {
          r: runOf[name],
        })
      ).registerCheckpoint.id;
    }

    // What a serving engine returns as routed_experts: every routed token's top-k ids per layer
    // (the capture leaves a leading BOS out of its counts; this tokenizer adds none).
    const traced = await captureRouting(
      checkpointDir,
      TEXTS.map((text, i) => ({ id: `s${i}`, text })),
      { keepTokenTopK: true },
    );
    const L = TINY_OLMOE_REAL_VOCAB.num_hidden_layers;
    const k = TINY_OLMOE_REAL_VOCAB.num_experts_per_tok;
    const samples = traced.map((r, index) => {
      const skip = r.tokenCount - r.routedTokenCount;
      const routedExperts = Array.from({ length: r.routedTokenCount }, (_, i) =>
        Array.from({ length: L }, (_, l) => Array.from(r.tokenTopK!.subarray((l * r.tokenCount + skip + i) * k, (l * r.tokenCount + skip + i + 1) * k))),
      );
      return { index, routedExperts, experts: TINY_OLMOE_REAL_VOCAB.num_experts, nll: r.meanNll };
    });
    for (const name of ['ingested', 'deepseek']) {
      await gql(`mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`, {
        input: { checkpointId: checkpointOf[name], probeSetId, samples },
      });
    }
  });

  after(async () => {
    await p?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('selection-based pathways are identical; score-based ones are not (run B has only selections)', async () => {
    const captured = await completed(checkpointOf.captured!, 'selection');
    const ingested = await completed(checkpointOf.ingested!, 'selection');
    assert.equal(captured.weights, 'selection');
    assert.ok(captured.distance !== null && captured.distance.pairs === (TEXTS.length * (TEXTS.length - 1)) / 2);
    assert.deepEqual(ingested.distance, captured.distance);
    assert.deepEqual(ingested.layerwise, captured.layerwise);

    // The default (router scores) differs: the capture stores the softmax mean, the ingest only the selection shares.
    const scoresCaptured = await completed(checkpointOf.captured!, 'scores');
    const scoresIngested = await completed(checkpointOf.ingested!, 'scores');
    assert.notDeepEqual(scoresIngested.distance, scoresCaptured.distance);
  });

  test('a DeepSeek-V3 run reads selections by default: the pipeline computed them unasked', async () => {
    const byDefault = await completed(checkpointOf.deepseek!, null);
    assert.equal(byDefault.weights, 'selection');
    assert.deepEqual(byDefault.distance, (await completed(checkpointOf.captured!, 'selection')).distance);
    // Scores are still there to ask for; nobody asked, so they were never computed.
    assert.equal((await metrics(checkpointOf.deepseek!, 'scores')).status, 'not_computed');
    // An OLMoE run's default stays the paper's router scores.
    assert.equal((await metrics(checkpointOf.captured!, null)).weights, 'scores');
    // A target scope cannot be read from selections: left out, the weights fall back to scores there.
    const target = await gql<{ checkpoint: { pathwayMetrics: { weights: string } } }>(
      `query($c: ID!, $p: ID!) { checkpoint(id: $c) { pathwayMetrics(probeSet: $p, scope: target) { weights } } }`,
      { c: checkpointOf.deepseek, p: probeSetId },
    );
    assert.equal(target.checkpoint.pathwayMetrics.weights, 'scores');
  });

  test('routing health reads the same selections either way; the CLI prints it per checkpoint', async () => {
    const health = (checkpointId: string) =>
      gql<{ checkpoint: { routingHealth: { basis: string; complete: boolean; layers: { deadExperts: number; load: number[] }[] } } }>(
        `query($c: ID!, $p: ID!) { checkpoint(id: $c) { routingHealth(probeSet: $p) { basis complete layers { deadExperts load } } } }`,
        { c: checkpointId, p: probeSetId },
      ).then((d) => d.checkpoint.routingHealth);
    const captured = await health(checkpointOf.captured!);
    assert.equal(captured.basis, 'selection');
    assert.equal(captured.complete, true);
    assert.equal(captured.layers.length, TINY_OLMOE_REAL_VOCAB.num_hidden_layers);
    assert.deepEqual(await health(checkpointOf.ingested!), captured);
    const json = JSON.parse((await exec(process.execPath, [CLI, '--url', p.url, '--json', 'health', '--run', 'selection-deepseek'])).stdout) as {
      over: string;
      health: { step: number; basis: string }[];
      collapse: unknown[];
    };
    assert.equal(json.over, 'all probe sets');
    assert.deepEqual(
      json.health.map((h) => [h.step, h.basis]),
      [[10, 'selection']],
    );
    assert.deepEqual(json.collapse, []);
    const text = (await exec(process.execPath, [CLI, '--url', p.url, 'health', '--run', 'selection-captured', '--domain', 'mixed'])).stdout;
    assert.match(text, /^mixed: dead experts per layer/);
    assert.match(text, /no routing collapse/);
  });

  test('bad combinations are refused at the door', async () => {
    const res = await p.gql(`query($c: ID!, $p: ID!) { checkpoint(id: $c) { pathwayMetrics(probeSet: $p, scope: target, weights: selection) { status } } }`, {
      c: checkpointOf.captured,
      p: probeSetId,
    });
    assert.equal(res.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(res.errors?.[0]?.message ?? '', /"selection" needs scope "sample"/);
  });
});
