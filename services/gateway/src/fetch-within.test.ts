import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { fetchWithin } from './distributed.js';

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`)));

test('a subgraph that never answers costs the gateway one timeout, not a request held forever', async () => {
  const held: import('node:http').ServerResponse[] = [];
  const hung = createServer((_req, res) => void held.push(res));
  const url = await listen(hung);
  try {
    const started = Date.now();
    await assert.rejects(fetchWithin(300)(url, { method: 'POST', body: '{}' }), (e: Error) => e.name === 'TimeoutError');
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 3_000, `gave up after ${took} ms`);
    // A caller's own abort still wins.
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 50);
    await assert.rejects(fetchWithin(10_000)(url, { method: 'POST', body: '{}', signal: caller.signal }), (e: Error) => e.name === 'AbortError');
  } finally {
    for (const res of held) res.destroy();
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  }
});

test('an answering subgraph is unaffected', async () => {
  const ok = createServer((_req, res) => res.end('{"data":{}}'));
  const url = await listen(ok);
  try {
    const res = await fetchWithin(1_000)(url, { method: 'POST', body: '{}' });
    assert.deepEqual(await res.json(), { data: {} });
  } finally {
    ok.closeAllConnections();
    await new Promise((r) => ok.close(r));
  }
});
