import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLoader } from './index.js';

test('BatchLoader: loads of one turn share one fetch per group; absent keys get the default; errors reach every waiter', async () => {
  const fetches: { keys: string[]; group: number }[] = [];
  const loader = new BatchLoader<number, string | null>(async (keys, group) => {
    fetches.push({ keys: [...keys], group });
    if (keys.includes('boom')) throw new Error('database down');
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `${k}@${group}`]));
  }, null);
  const answers = await Promise.all([loader.load('a', 1), loader.load('b', 1), loader.load('a', 1), loader.load('a', 2), loader.load('missing', 1)]);
  assert.deepEqual(answers, ['a@1', 'b@1', 'a@1', 'a@2', null]);
  assert.deepEqual(fetches, [
    { keys: ['a', 'b', 'missing'], group: 1 },
    { keys: ['a'], group: 2 },
  ]);
  // Nothing is cached: a later turn fetches again.
  assert.equal(await loader.load('a', 1), 'a@1');
  assert.equal(fetches.length, 3);
  const failed = await Promise.allSettled([loader.load('boom', 3), loader.load('x', 3)]);
  assert.deepEqual(
    failed.map((r) => r.status),
    ['rejected', 'rejected'],
  );
});
