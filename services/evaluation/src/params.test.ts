import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evalParamsToJson, EvalParamsError, parseEvalParams, sameBackend } from './params.js';

describe('evaluation parameters', () => {
  test('defaults: all documents, the onnx runner, the worker batch size', () => {
    assert.deepEqual(parseEvalParams(undefined), { limit: null, batchSize: null, backend: { kind: 'onnx' } });
    assert.deepEqual(parseEvalParams({ backend: 'onnx' }), parseEvalParams({}));
  });

  test('an OpenAI-compatible backend: URL normalized, round trip through the stored form', () => {
    const p = parseEvalParams({ limit: 20, batchSize: 8, backend: { openai: ' http://host:8000/v1/ ', model: ' m ' } });
    assert.deepEqual(p, { limit: 20, batchSize: 8, backend: { kind: 'openai', baseUrl: 'http://host:8000/v1', model: 'm' } });
    assert.deepEqual(parseEvalParams(evalParamsToJson(p)), p);
    assert.deepEqual(evalParamsToJson(parseEvalParams({})), { backend: 'onnx' });
  });

  test('bad parameters name the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ limit: 0 }, /^limit: must be an integer within 1\.\./],
      [{ limit: 2.5 }, /^limit:/],
      [{ batchSize: 5000 }, /^batchSize: must be an integer within 1\.\.1024/],
      [{ limt: 3 }, /^limt: unknown parameter/],
      [{ backend: 'vllm' }, /^backend: must be 'onnx' or/],
      [{ backend: { openai: 'localhost:8000', model: 'm' } }, /^backend\.openai: must be http or https/],
      [{ backend: { openai: 'http://u:p@host/v1', model: 'm' } }, /^backend\.openai: must not carry credentials/],
      [{ backend: { openai: 'http://host/v1?x=1', model: 'm' } }, /^backend\.openai: must not have a query/],
      [{ backend: { openai: 'http://host/v1', model: '' } }, /^backend\.model:/],
      [{ backend: { openai: 'http://host/v1', model: 'm', key: 'k' } }, /^backend\.key: unknown field/],
      [[1], /^params: must be an object/],
    ];
    for (const [raw, message] of cases) {
      assert.throws(
        () => parseEvalParams(raw),
        (err: unknown) => err instanceof EvalParamsError && message.test(err.message),
        JSON.stringify(raw),
      );
    }
  });

  test('backends are the same only for the same kind, URL and model', () => {
    const a = parseEvalParams({ backend: { openai: 'http://h/v1', model: 'm' } }).backend;
    assert.equal(sameBackend(a, parseEvalParams({ backend: { openai: 'http://h/v1/', model: 'm' } }).backend), true);
    assert.equal(sameBackend(a, parseEvalParams({ backend: { openai: 'http://h/v1', model: 'n' } }).backend), false);
    assert.equal(sameBackend(a, { kind: 'onnx' }), false);
    assert.equal(sameBackend({ kind: 'onnx' }, { kind: 'onnx' }), true);
  });
});
