// The README's "one query, three subgraphs" example costs a constant number of database queries:
// runs x checkpoints x (capture, metrics, evaluation jobs) are looked up one query per kind, not one
// per checkpoint (per-request batching, service-kit BatchLoader), on the embedded platform.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dataOf, startPlatform, type Platform } from './harness.js';

const README_QUERY =
  '{ runs(limit: 10) { name checkpointCount checkpoints(limit: 50) { step status captureJobs(limit: 5) { status } metricsJobs(limit: 10) { status } evaluationJobs(limit: 5) { task status } } } }';

describe("batched lookups: the README's three-subgraph query", () => {
  let p: Platform;
  let counting = false;
  let lastQueryAt = 0;
  const queries: string[] = [];

  before(async () => {
    p = await startPlatform('embedded', {
      onQuery: (sql) => {
        lastQueryAt = Date.now();
        if (counting) queries.push(sql);
      },
    });
  });
  after(async () => {
    await p?.stop();
  });

  async function addCheckpoints(runId: string, steps: readonly number[]): Promise<void> {
    for (const step of steps) {
      // Routing ingested from elsewhere: a URI with a scheme, no folder to check.
      const uri = `s3://runs/${runId}/step${step}`;
      dataOf(await p.gql(`mutation($i: RegisterCheckpointInput!) { registerCheckpoint(input: $i) { id } }`, { i: { runId, step, uri } }));
    }
  }

  /** The database queries the README query costs (the platform's own background polling left out). */
  async function cost(): Promise<{ count: number; checkpoints: number }> {
    // The pipeline reacts to the registrations in the background (evaluation looks up each run's tasks):
    // measured once the platform has been quiet for a while.
    while (Date.now() - lastQueryAt < 500) await new Promise((r) => setTimeout(r, 100));
    queries.length = 0;
    counting = true;
    const data = dataOf(await p.gql<{ runs: { checkpoints: unknown[] }[] }>(README_QUERY));
    counting = false;
    // The outbox relay's poll (its transaction included) is the platform's own timer, not the request's.
    const requested = queries.filter((q) => !/outbox/i.test(q) && !/^\s*(begin|commit|rollback)\s*$/i.test(q));
    return { count: requested.length, checkpoints: data.runs.reduce((n, r) => n + r.checkpoints.length, 0) };
  }

  test('3 checkpoints and 30 cost the same number of queries', async (t) => {
    const ids: string[] = [];
    for (const name of ['count-a', 'count-b']) {
      ids.push(dataOf(await p.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { name: "${name}", architecture: "OlmoeForCausalLM" }) { id } }`)).createRun.id);
    }
    await addCheckpoints(ids[0], [1, 2]);
    await addCheckpoints(ids[1], [1]);
    const small = await cost();
    assert.equal(small.checkpoints, 3);
    await addCheckpoints(
      ids[0],
      Array.from({ length: 15 }, (_, i) => 10 + i),
    );
    await addCheckpoints(
      ids[1],
      Array.from({ length: 12 }, (_, i) => 10 + i),
    );
    const large = await cost();
    assert.equal(large.checkpoints, 30);
    t.diagnostic(`database queries: ${small.count} for 3 checkpoints, ${large.count} for 30`);
    assert.equal(large.count, small.count, `queries: ${small.count} for 3 checkpoints, ${large.count} for 30:\n${queries.join('\n')}`);
    // runs, counts, checkpoints, capture, metrics and evaluation jobs: one query each, whatever the size.
    assert.ok(large.count <= 8, `${large.count} queries:\n${queries.join('\n')}`);
  });
});
