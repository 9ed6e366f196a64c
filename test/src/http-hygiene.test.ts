// Malformed requests (issue 14): each gets a JSON GraphQL-shaped error with the right status, no
// stack trace and no server path; the service keeps answering /healthz within a second.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { assertHealthyWithin, startPlatform, type Platform } from './harness.js';

interface Answer {
  status: number;
  type: string;
  body: string;
}

describe('HTTP hygiene (embedded)', () => {
  let p: Platform;

  const post = async (body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };
  const expectJsonError = (a: Answer, status: number, code: RegExp): void => {
    assert.equal(a.status, status, a.body.slice(0, 300));
    assert.match(a.type, /application\/(graphql-response\+)?json/);
    const parsed = JSON.parse(a.body) as { errors?: { message: string; extensions?: { code?: string; stacktrace?: unknown } }[] };
    assert.ok(parsed.errors?.length, 'an errors list');
    assert.match(parsed.errors![0].extensions?.code ?? '', code);
    assert.equal(parsed.errors![0].extensions?.stacktrace, undefined);
    assert.doesNotMatch(a.body, /\s+at \S+ \(|node_modules|\/work\/|<html/i, 'no stack, no server path, no HTML');
  };
  const healthy = () => assertHealthyWithin(p);

  before(async () => {
    p = await startPlatform('embedded');
  });
  after(async () => {
    await p?.stop();
  });

  test('a body that is not JSON, a bare string, another charset', async () => {
    expectJsonError(await post('{"query": '), 400, /^BAD_REQUEST$/);
    expectJsonError(await post('"{ runs { id } }"'), 400, /^BAD_REQUEST$/);
    // UTF-16 is read when declared, refused as not JSON when not; a charset that is no UTF is 415.
    assert.equal((await post(Buffer.from('{"query":"{ runs { id } }"}', 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' })).status, 200);
    expectJsonError(await post(Buffer.from('{"query":"{ runs { id } }"}', 'utf16le')), 400, /^BAD_REQUEST$/);
    expectJsonError(await post('{"query":"{ runs { id } }"}', { 'content-type': 'application/json; charset=latin1' }), 415, /^UNSUPPORTED_MEDIA_TYPE$/);
    expectJsonError(await post('{"query":"{ runs { id } }"}', { 'content-encoding': 'br-bogus' }), 415, /^UNSUPPORTED_MEDIA_TYPE$/);
    await healthy();
  });

  test('a 25 MB body and a gzip bomb get 413 without being held in memory whole', async () => {
    expectJsonError(await post(`{"query":"{ runs { id } }","x":"${'a'.repeat(25 * 1024 * 1024)}"}`), 413, /^PAYLOAD_TOO_LARGE$/);
    const bomb = gzipSync(Buffer.from(`{"query":"{ runs { id } }","x":"${'0'.repeat(200 * 1024 * 1024)}"}`));
    assert.ok(bomb.length < 1024 * 1024, `the bomb is small on the wire (${bomb.length} bytes)`);
    expectJsonError(await post(bomb, { 'content-encoding': 'gzip' }), 413, /^PAYLOAD_TOO_LARGE$/);
    await healthy();
  });

  test('out-of-range literals are 400, not 500: 1e309 as a Float literal, as a variable, as an Int', async () => {
    const q = '{ runs { metricSeries(metric: distance, threshold: 1e309) { coverage { complete } } } }';
    const literal = await post(JSON.stringify({ query: q }));
    assert.notEqual(literal.status, 500, literal.body);
    expectJsonError(literal, 400, /^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
    // JSON.parse reads 1e309 as Infinity.
    const variable = await post('{"query":"query($t: Float!) { runs { metricSeries(metric: distance, threshold: $t) { coverage { complete } } } }","variables":{"t":1e309}}');
    expectJsonError(variable, 400, /^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
    const int = await post('{"query":"query($n: Int!) { probeSets { samples(limit: $n) { id } } }","variables":{"n":1e309}}');
    expectJsonError(int, 400, /^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
    await healthy();
  });
});
