// Limits on a running operation (issue 14): a deadline that stops resolvers, a cap on the answer's
// size, a per-client rate; each answered as a GraphQL error, the service still healthy after.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertHealthyWithin, dataOf, startPlatform, type Platform } from './harness.js';

async function seedRuns(p: Platform, runs: number, checkpoints: number): Promise<void> {
  for (let r = 0; r < runs; r++) {
    const runId = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($n: String!) { createRun(input: { name: $n, architecture: "OlmoeForCausalLM" }) { id } }`, { n: `r${r}` }),
    ).createRun.id;
    for (let c = 0; c < checkpoints; c++) {
      dataOf(await p.gql(`mutation($id: ID!, $s: Int!) { registerCheckpoint(input: { runId: $id, step: $s, uri: "external://x" }) { id } }`, { id: runId, s: c * 10 }));
    }
  }
}

const healthy = (p: Platform) => assertHealthyWithin(p);

describe('operation limits (embedded)', () => {
  test('the fan-out attack is refused by its cost; past its deadline an operation stops resolving: OPERATION_TIMEOUT', async () => {
    const seeded = await startPlatform('embedded');
    try {
      await seedRuns(seeded, 3, 8);
      const attack = `fragment A on Run { checkpoints { run { checkpoints { run { ...B } } } } }
        fragment B on Run { checkpoints { run { checkpoints { run { checkpoints { run { id } } } } } } }
        { runs { ...A } }`;
      const refused = await seeded.gql(attack);
      assert.equal(refused.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
      assert.equal(dataOf(await seeded.gql<{ runs: { checkpoints: unknown[] }[] }>('{ runs { checkpoints { run { name } } } }')).runs.length, 3, 'one level of the cycle fits');
      await healthy(seeded);
    } finally {
      await seeded.stop();
    }
    // A deadline shorter than any resolver's start: every resolver refuses, no data comes back.
    const p = await startPlatform('embedded', { operationTimeoutMs: 1 });
    try {
      await new Promise((r) => setTimeout(r, 5));
      const res = await p.gql('{ runs { checkpoints { run { name } } } }');
      assert.ok(
        res.errors?.every((e) => e.extensions?.code === 'OPERATION_TIMEOUT'),
        JSON.stringify(res.errors?.slice(0, 2)),
      );
      assert.match(res.errors![0].message, /ran past its 1 ms limit and was stopped/);
      assert.equal(dataOf(await p.gql<{ __typename: string }>('{ __typename }')).__typename, 'Query', 'nothing to resolve, nothing stopped');
      await healthy(p);
    } finally {
      await p.stop();
    }
  });

  test('top-level lists come in pages with a maximum; the count says how many there are', async () => {
    const p = await startPlatform('embedded');
    try {
      await seedRuns(p, 3, 0);
      const names = async (args: string) => dataOf(await p.gql<{ runs: { name: string }[] }>(`{ runs${args} { name } }`)).runs.map((r) => r.name);
      assert.deepEqual(await names('(limit: 2)'), ['r0', 'r1']);
      assert.deepEqual(await names('(limit: 2, offset: 2)'), ['r2']);
      assert.deepEqual(await names(''), ['r0', 'r1', 'r2'], 'the default page (100) holds them all');
      assert.equal(dataOf(await p.gql<{ runCount: number }>('{ runCount }')).runCount, 3);
      for (const q of ['{ runs(limit: 5000) { name } }', '{ captureJobs(limit: 1001) { id } }', '{ evaluationJobs(offset: -1) { id } }', '{ probeSets(limit: 2000) { id } }']) {
        const res = await p.gql(q);
        assert.equal(res.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', q);
        assert.match(res.errors![0].message, /limit must be within 1\.\.1000|offset must be an integer >= 0/, q);
      }
    } finally {
      await p.stop();
    }
  });

  test('an answer over the size cap is replaced by RESPONSE_TOO_LARGE', async () => {
    const p = await startPlatform('embedded', { maxResponseBytes: 20_000 });
    try {
      const rows = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, text: `${'long text '.repeat(100)}${i}` }));
      const id = dataOf(
        await p.gql<{ createProbeSet: { id: string } }>(`mutation($rows: [ProbeSampleInput!]!) { createProbeSet(input: { name: "big", domain: "d", rows: $rows }) { id } }`, {
          rows,
        }),
      ).createProbeSet.id;
      const aliases = `query($id: ID!) { a: probeSet(id: $id) { samples(limit: 50) { text } } b: probeSet(id: $id) { samples(limit: 50) { text } } }`;
      const res = await p.gql(aliases, { id });
      assert.equal(res.errors?.[0]?.extensions?.code, 'RESPONSE_TOO_LARGE');
      assert.match(res.errors![0].message, /more than the 20000 allowed/);
      assert.equal((res as { data?: unknown }).data, undefined, 'no partial data');
      assert.ok(
        dataOf(await p.gql<{ probeSet: { samples: unknown[] } }>(`query($id: ID!) { probeSet(id: $id) { samples(limit: 5) { text } } }`, { id })).probeSet.samples.length === 5,
      );
    } finally {
      await p.stop();
    }
  });

  test('a client over its rate gets 429 with Retry-After; another client is not affected', async () => {
    const p = await startPlatform('embedded', { rateLimit: { perSecond: 2, burst: 5 } });
    try {
      const ask = (key: string) => fetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: '{"query":"{ runs { name } }"}' });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await ask('client-a')).status);
      assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200], 'the burst passes');
      const limited = await ask('client-a');
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.equal(((await limited.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code, 'RATE_LIMITED');
      assert.equal((await ask('client-b')).status, 200);
      await healthy(p);
    } finally {
      await p.stop();
    }
  });
});
