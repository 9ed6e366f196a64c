import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, loadDataset, type DatasetSpec } from '../index.js';

const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'grokwatch-data-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const spec = (path: string, loader: DatasetSpec['loader'] = 'jsonl', split = 'test'): DatasetSpec => ({ loader, root: 'tmp', path, split });

async function datasetError(p: Promise<unknown>, ...fragments: string[]): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `'${e.message}' lacks '${f}'`);
    return e;
  }
  assert.fail('expected a DatasetError');
}

describe('dataset loaders', () => {
  it('reads JSONL and gzipped JSONL alike, skipping blank lines, keeping line numbers', async () => {
    const text = '{"a": 1}\n\n{"a": 2}\n';
    writeFileSync(join(dir, 'p.jsonl'), text);
    writeFileSync(join(dir, 'p.jsonl.gz'), gzipSync(text));
    for (const name of ['p.jsonl', 'p.jsonl.gz']) {
      const docs = await loadDataset(spec(name), { tmp: dir });
      assert.deepEqual(
        docs.map((d) => [d.data.a, d.origin.line]),
        [
          [1, 1],
          [2, 3],
        ],
      );
    }
  });

  it('a malformed row names the file and the line', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"a": 1}\n{"a": 2, "secret": "SECRET-42"\n{"a": 3}\n');
    const e = await datasetError(loadDataset(spec('bad.jsonl'), { tmp: dir }), 'bad.jsonl:2', 'invalid JSON');
    assert.equal(e.line, 2);
    // The parser's own message quotes the line: it is kept as the cause, never in the message.
    assert.doesNotMatch(e.message, /SECRET/);
    assert.ok(e.cause instanceof SyntaxError);
    writeFileSync(join(dir, 'arr.jsonl'), '{"a": 1}\n[1, 2]\n');
    await datasetError(loadDataset(spec('arr.jsonl'), { tmp: dir }), 'arr.jsonl:2', 'expected a JSON object, got list');
  });

  it('a row missing a field the loader needs names file, line and field', async () => {
    writeFileSync(join(dir, 'arc.jsonl'), '{"id": "x", "question": {"stem": "s", "choices": [{"text": "a", "label": "A"}, {"text": "b"}]}, "answerKey": "A"}\n');
    await datasetError(loadDataset(spec('arc.jsonl', 'arc'), { tmp: dir }), 'arc.jsonl:1', "question.choices[1] must have string 'text' and 'label'");
    writeFileSync(join(dir, 'mbpp.jsonl'), '{"task_id": 11, "text": "t", "code": "c", "test_setup_code": "", "test_list": "assert 1"}\n');
    await datasetError(loadDataset(spec('mbpp.jsonl', 'mbpp'), { tmp: dir }), 'mbpp.jsonl:1', "'test_list' must be a list of strings");
  });

  it('a missing file or an unknown root is a clear error', async () => {
    await datasetError(loadDataset(spec('nope.jsonl'), { tmp: dir }), 'nope.jsonl', 'dataset file not found');
    await datasetError(loadDataset({ ...spec('x.jsonl'), root: 'suites' }, { tmp: dir }), "dataset root 'suites' was not given; roots given: tmp");
  });

  it('JSON files: arrays and keyed objects; syntax errors are located by line', async () => {
    writeFileSync(join(dir, 'k.json'), '{"k1": {"v": 1}, "k2": {"v": 2}}');
    const docs = await loadDataset(spec('k.json', 'json'), { tmp: dir });
    assert.deepEqual(
      docs.map((d) => [d.data._key, d.data.v]),
      [
        ['k1', 1],
        ['k2', 2],
      ],
    );
    writeFileSync(join(dir, 'broken.json'), '[\n{"v": 1},\n{"v": "SECRET-42" }\n]x');
    const e = await datasetError(loadDataset(spec('broken.json', 'json'), { tmp: dir }), 'broken.json:4', 'invalid JSON');
    assert.doesNotMatch(e.message, /SECRET/);
    assert.ok(e.cause instanceof SyntaxError);
  });

  it('MBPP splits by task_id as the paper defines them', async () => {
    const roots = { tmp: DATASETS };
    const count = async (split: string) => (await loadDataset(spec('mbpp/mbpp.jsonl', 'mbpp', split), roots)).length;
    assert.deepEqual([await count('test'), await count('prompt'), await count('validation'), await count('train')], [500, 10, 90, 374]);
  });

  it('PubMedQA: the official 500-question test split, or all 1,000', async () => {
    const roots = { tmp: DATASETS };
    const s = { ...spec('pubmedqa/ori_pqal.json.gz', 'pubmedqa'), labels: 'pubmedqa/test_ground_truth.json' };
    const test = await loadDataset(s, roots);
    assert.equal(test.length, 500);
    assert.deepEqual(Object.keys(test[0].data).sort(), ['context', 'final_decision', 'long_answer', 'pubid', 'question']);
    assert.equal((await loadDataset({ ...s, split: 'all' }, roots)).length, 1000);
  });
});

describe('jsonErrorOffset', () => {
  it('is -1 exactly when JSON.parse succeeds, else points at the offending character', async () => {
    const { jsonErrorOffset } = await import('./json-error-offset.js');
    const cases: Array<[string, number]> = [
      ['{"a": [1, 2.5e-3, true, null, "x\\u00e9\\n"]}', -1],
      ['[1,]', 3],
      ['{"a" 1}', 5],
      ['[1] x', 4],
      ['[\n{"v": 1},\n{"v": }\n]', 18],
      ['"unterminated', 13],
      ['[01]', 2],
      ['', 0],
    ];
    for (const [text, at] of cases) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(jsonErrorOffset(text), at, text);
      assert.equal(at === -1, valid, `validity of ${text}`);
    }
  });
});
