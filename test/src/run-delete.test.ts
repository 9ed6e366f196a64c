// Deleting a run (issue 16): through the CLI, the run, its checkpoints and routing go at once, and
// the other services drop its metrics, alerts and requested variants through run.deleted; another
// run is untouched. The mutation needs the key like every mutation.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { dataOf, errorCode, startPlatform, until, type Platform } from './harness.js';

const CLI = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
const exec = promisify(execFile);
const KEY = 'delete-key';

describe('deleting a run (embedded)', () => {
  let p: Platform;
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => p.gql<T>(query, variables, { 'x-api-key': KEY }).then(dataOf);

  before(async () => {
    p = await startPlatform('embedded', { apiKey: KEY });
  });
  after(async () => {
    await p?.stop();
  });

  async function seededRun(name: string, probeSetId: string): Promise<{ runId: string; checkpointId: string }> {
    const runId = (
      await gql<{ createRun: { id: string } }>(`mutation($n: String!, $p: [ID!]!) { createRun(input: { name: $n, architecture: "OlmoeForCausalLM", probeSetIds: $p }) { id } }`, {
        n: name,
        p: [probeSetId],
      })
    ).createRun.id;
    const checkpointId = (
      await gql<{ registerCheckpoint: { id: string } }>(`mutation($r: ID!) { registerCheckpoint(input: { runId: $r, step: 10, uri: "external://x/step10" }) { id } }`, { r: runId })
    ).registerCheckpoint.id;
    const weights = [
      [0.7, 0.1, 0.1, 0.1],
      [0.1, 0.7, 0.1, 0.1],
    ];
    await gql(`mutation($i: IngestRoutingInput!) { ingestRouting(input: $i) { stored } }`, {
      i: { checkpointId, probeSetId, samples: [0, 1, 2].map((index) => ({ index, weights, nll: 1 })) },
    });
    await gql(`mutation($r: ID!) { requestMetrics(runId: $r, variant: { threshold: 0.5 }) { queued } }`, { r: runId });
    return { runId, checkpointId };
  }

  test('the run and everything computed for it go; another run stays', async () => {
    const probeSetId = (
      await gql<{ createProbeSet: { id: string } }>(
        `mutation { createProbeSet(input: { name: "del", domain: "math", rows: [{ text: "1 + 1 = 2" }, { text: "2 + 2 = 4" }, { text: "3 + 3 = 6" }] }) { id } }`,
      )
    ).createProbeSet.id;
    const doomed = await seededRun('doomed', probeSetId);
    const kept = await seededRun('kept', probeSetId);
    const jobsOf = async (checkpointId: string) =>
      (
        await gql<{ checkpoint: { metricsJobs: { id: string; status: string }[] } | null }>(`query($c: ID!) { checkpoint(id: $c) { metricsJobs { id status } } }`, {
          c: checkpointId,
        })
      ).checkpoint?.metricsJobs ?? [];
    const doomedJobs = await until('metrics of the doomed run', async () => {
      const jobs = await jobsOf(doomed.checkpointId);
      return jobs.length > 0 && jobs.every((j) => j.status === 'completed') ? jobs : undefined;
    });

    // Without the key the mutation is refused; the CLI asks for --yes first.
    assert.equal(errorCode(await p.gql(`mutation($r: ID!) { deleteRun(id: $r) { runId } }`, { r: doomed.runId })), 'UNAUTHENTICATED');
    const cli = (...args: string[]) => exec(process.execPath, [CLI, '--url', p.url, '--api-key', KEY, ...args]);
    const unconfirmed = await cli('run', 'delete', 'doomed').then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    assert.match(unconfirmed, /add --yes/);
    const out = (await cli('run', 'delete', 'doomed', '--yes')).stdout;
    assert.match(out, /run doomed deleted with 1 checkpoints/);

    assert.equal((await gql<{ run: null }>(`{ run(name: "doomed") { id } }`)).run, null);
    assert.equal((await gql<{ checkpoint: null }>(`query($c: ID!) { checkpoint(id: $c) { id } }`, { c: doomed.checkpointId })).checkpoint, null);
    await until('its metrics jobs dropped', async () => {
      const left = await Promise.all(
        doomedJobs.map(async (j) => (await gql<{ metricsJob: { id: string } | null }>(`query($j: ID!) { metricsJob(id: $j) { id } }`, { j: j.id })).metricsJob),
      );
      return left.every((x) => x === null) ? true : undefined;
    });
    // The other run is whole.
    assert.ok((await jobsOf(kept.checkpointId)).length > 0);
    assert.equal(
      (await gql<{ run: { metricVariants: unknown[] } }>(`{ run(name: "kept") { metricVariants { unit } } }`)).run.metricVariants.length,
      4,
      'three defaults and the one requested',
    );
  });

  test('a probe set goes with its routing and metrics, and leaves the runs that captured it', async () => {
    const probeSetId = (
      await gql<{ createProbeSet: { id: string } }>(
        `mutation { createProbeSet(input: { name: "gone", domain: "code", rows: [{ text: "a" }, { text: "b" }, { text: "c" }] }) { id } }`,
      )
    ).createProbeSet.id;
    const { runId, checkpointId } = await seededRun('holder', probeSetId);
    const jobs = await until('metrics on the probe set', async () => {
      const j = (
        await gql<{ checkpoint: { metricsJobs: { id: string; status: string }[] } }>(`query($c: ID!) { checkpoint(id: $c) { metricsJobs { id status } } }`, { c: checkpointId })
      ).checkpoint.metricsJobs;
      return j.length > 0 && j.every((x) => x.status === 'completed') ? j : undefined;
    });
    const cli = (...args: string[]) => exec(process.execPath, [CLI, '--url', p.url, '--api-key', KEY, ...args]);
    assert.match((await cli('probes', 'delete', 'gone', '--yes')).stdout, /probe set gone deleted with 3 samples/);
    assert.equal((await gql<{ probeSet: null }>(`query($p: ID!) { probeSet(id: $p) { id } }`, { p: probeSetId })).probeSet, null);
    assert.deepEqual((await gql<{ run: { probeSetIds: string[] } }>(`query($r: ID!) { run(id: $r) { probeSetIds } }`, { r: runId })).run.probeSetIds, []);
    await until('its metrics dropped', async () => {
      const left = await Promise.all(
        jobs.map(async (j) => (await gql<{ metricsJob: { id: string } | null }>(`query($j: ID!) { metricsJob(id: $j) { id } }`, { j: j.id })).metricsJob),
      );
      return left.every((x) => x === null) ? true : undefined;
    });
  });
});
