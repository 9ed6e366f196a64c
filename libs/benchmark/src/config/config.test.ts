import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTaskFile, TaskConfigError, TaskRegistry, UnknownTaskError } from '../index.js';

const MINIMAL = `task: t1
version: 1
dataset:
  loader: jsonl
  path: x/test.jsonl
  split: test
output_type: generate_until
doc_to_text: "Q: {{q}}"
doc_to_target: "{{a}}"
metric_list:
  - metric: exact_match
`;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'grokwatch-tasks-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Asserts loading fails with a TaskConfigError whose message contains every fragment. */
function rejects(file: string, ...fragments: Array<string | RegExp>): TaskConfigError {
  let caught: unknown;
  try {
    loadTaskFile(file);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TaskConfigError, `expected TaskConfigError, got ${String(caught)}`);
  for (const f of fragments) {
    if (typeof f === 'string') assert.ok(caught.message.includes(f), `'${caught.message}' lacks '${f}'`);
    else assert.match(caught.message, f);
  }
  return caught;
}

describe('task config loading', () => {
  it('loads a minimal task with harness defaults', () => {
    const t = loadTaskFile(write('ok.yaml', MINIMAL));
    assert.equal(t.task, 't1');
    assert.equal(t.targetDelimiter, ' ');
    assert.equal(t.fewshotDelimiter, '\n\n');
    assert.deepEqual(t.generation.until, ['\n\n']);
    assert.equal(t.generation.temperature, 0);
    assert.equal(t.filters[0].name, 'none');
    assert.equal(t.metrics[0].aggregation, 'mean');
    assert.equal(t.dataset.root, 'datasets');
  });

  it('names file, line and field of an unknown key', () => {
    const e = rejects(write('typo.yaml', MINIMAL + 'num_fewshots: 3\n'), 'typo.yaml:12', 'num_fewshots', 'unknown field');
    assert.equal(e.line, 12);
    assert.equal(e.field, 'num_fewshots');
  });

  it('names the nested field of an invalid metric, with its line', () => {
    const text = MINIMAL.replace('metric: exact_match', 'metric: exact_matches');
    rejects(write('metric.yaml', text), 'metric.yaml:11', 'metric_list[0].metric', "unknown metric 'exact_matches'");
  });

  it('rejects a metric that does not fit the output type', () => {
    rejects(write('mc.yaml', MINIMAL.replace('exact_match', 'acc_norm')), "'acc_norm' does not apply to generate_until");
  });

  it('rejects a contradicting higher_is_better and a wrong aggregation', () => {
    rejects(write('hib.yaml', MINIMAL + '    higher_is_better: false\n'), 'metric_list[0].higher_is_better');
    rejects(write('agg.yaml', MINIMAL + '    aggregation: bits_per_byte\n'), 'metric_list[0].aggregation');
  });

  it('reports a bad regex in a filter with its path', () => {
    const text = `${MINIMAL}filter_list:\n  - name: f\n    filter:\n      - function: regex\n        regex_pattern: "(unclosed"\n`;
    rejects(write('regex.yaml', text), 'filter_list[0].filter[0].regex_pattern', 'invalid regex');
  });

  it('reports template syntax errors with the field', () => {
    rejects(write('tpl.yaml', MINIMAL.replace('{{q}}', '{{q | nope}}')), 'doc_to_text', "unknown pipe 'nope'");
  });

  it('checks generation settings: sampling needs do_sample and temperature > 0, k <= repeats', () => {
    const code = `code:\n  program: "{{completion}}"\n`;
    const gen = (s: string) => `generation_kwargs:\n${s}`;
    rejects(write('rep.yaml', MINIMAL.replace('exact_match', 'pass_at_k\n    k: [1]') + code + 'repeats: 5\n'), 'repeats > 1 needs generation_kwargs');
    rejects(
      write('k.yaml', MINIMAL.replace('exact_match', 'pass_at_k\n    k: [1, 10]') + code + 'repeats: 5\n' + gen('  do_sample: true\n  temperature: 0.8\n')),
      'metric_list[0].k[1]',
      'k=10 exceeds repeats=5',
    );
    rejects(write('greedy.yaml', MINIMAL + gen('  temperature: 0.7\n')), 'generation_kwargs.temperature', 'must be 0 when do_sample is false');
  });

  it('requires a few-shot source when num_fewshot > 0', () => {
    rejects(write('fs.yaml', MINIMAL + 'num_fewshot: 2\n'), 'fewshot_config', 'num_fewshot is 2');
  });

  it('rejects absolute and escaping dataset paths, and unknown loaders', () => {
    rejects(write('abs.yaml', MINIMAL.replace('x/test.jsonl', '/etc/passwd')), 'dataset.path', 'must be relative');
    rejects(write('dots.yaml', MINIMAL.replace('x/test.jsonl', '../x.jsonl')), 'dataset.path');
    rejects(write('loader.yaml', MINIMAL.replace('loader: jsonl', 'loader: csv')), 'dataset.loader', "'csv' is not one of");
  });

  it('reports YAML syntax errors with the line', () => {
    const e = rejects(write('syntax.yaml', 'task: a\nversion: [1\n'), 'syntax.yaml', 'YAML syntax');
    assert.ok(e.line !== undefined && e.line >= 2);
  });

  it('reports a missing file', () => {
    rejects(join(dir, 'absent.yaml'), 'absent.yaml', 'task file not found');
  });

  it('include: merges the base under the including file (shallow), and errors point at the right file', () => {
    write('_base.yaml', MINIMAL.replace('task: t1\n', ''));
    const t = loadTaskFile(write('child.yaml', 'include: _base.yaml\ntask: child\nnum_fewshot: 0\n'));
    assert.equal(t.task, 'child');
    assert.equal(t.docToText.source, 'Q: {{q}}');
    write('_badbase.yaml', MINIMAL.replace('task: t1\n', '').replace('exact_match', 'nope'));
    rejects(write('child2.yaml', 'include: _badbase.yaml\ntask: child2\n'), '_badbase.yaml:10', 'metric_list[0].metric');
    write('cyc_a.yaml', 'include: cyc_b.yaml\n');
    write('cyc_b.yaml', 'include: cyc_a.yaml\n');
    rejects(join(dir, 'cyc_a.yaml'), 'include cycle');
  });
});

describe('TaskRegistry', () => {
  it('lists the tasks of a directory, skipping _bases, and rejects unknown names listing the known', () => {
    const d = mkdtempSync(join(tmpdir(), 'grokwatch-reg-'));
    try {
      writeFileSync(join(d, 'a.yaml'), MINIMAL.replace('t1', 'alpha'));
      writeFileSync(join(d, 'b.yaml'), MINIMAL.replace('t1', 'beta'));
      writeFileSync(join(d, '_base.yaml'), 'not: a task\n');
      const reg = TaskRegistry.load(d);
      assert.deepEqual(reg.names(), ['alpha', 'beta']);
      assert.throws(
        () => reg.get('gamma'),
        (e: unknown) => e instanceof UnknownTaskError && e.message === "unknown task 'gamma'; known tasks: alpha, beta",
      );
      writeFileSync(join(d, 'c.yaml'), MINIMAL.replace('t1', 'alpha'));
      assert.throws(() => TaskRegistry.load(d), /'alpha' is already defined/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the shipped registry rejects an unknown task with the list of known ones', () => {
    assert.throws(() => TaskRegistry.load().get('gsm9k'), /unknown task 'gsm9k'; known tasks: .*gsm8k.*humaneval.*mmlu/);
  });
});
