import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadCache } from './read-cache.js';

test('concurrent reads share one load; clear() makes the next read load again', async () => {
  const cache = new ReadCache({ maxEntries: 10, maxAgeMs: 60_000 });
  let loads = 0;
  const load = async () => ++loads;
  assert.deepEqual(await Promise.all([cache.get('a', load), cache.get('a', load), cache.get('a', load)]), [1, 1, 1]);
  assert.equal(loads, 1);
  cache.clear();
  assert.equal(await cache.get('a', load), 2);
});

test('entries expire after maxAgeMs; a failed load is not kept; the least recently used is evicted', async () => {
  const aged = new ReadCache({ maxEntries: 10, maxAgeMs: 20 });
  let n = 0;
  await aged.get('k', async () => ++n);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(await aged.get('k', async () => ++n), 2, 'expired');

  const cache = new ReadCache({ maxEntries: 2, maxAgeMs: 60_000 });
  await assert.rejects(
    cache.get('bad', async () => {
      throw new Error('db down');
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.equal(await cache.get('bad', async () => 'ok'), 'ok', 'the failure was not cached');
  await cache.get('x', async () => 1);
  await cache.get('bad', async () => 'unused'); // touched: most recent
  await cache.get('y', async () => 2); // evicts x, the least recently used
  assert.equal(cache.size, 2);
  assert.equal(await cache.get('x', async () => 'reloaded'), 'reloaded');
});
