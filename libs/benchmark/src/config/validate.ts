import { LOADER_KINDS, LOADER_SPLITS, type DatasetSpec, type LoaderKind } from '../datasets/loaders.js';
import { TemplateError } from '../errors.js';
import { FILTER_FUNCTIONS, NO_FILTER, type FilterPipeline, type FilterStep } from '../filters.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { AGGREGATIONS, METRICS } from '../metrics/registry.js';
import { OUTPUT_TYPES, type OutputType } from '../output-type.js';
import { compilePyRegex } from '../py-regex.js';
import { parseTemplate, type Template } from '../template/index.js';
import { FieldError, Reader } from './reader.js';
import type { CodeConfig, FewshotConfig, GenerationConfig, MetricConfig, TaskConfig } from './types.js';

const TOP_KEYS = [
  'task',
  'version',
  'description',
  'dataset',
  'output_type',
  'doc_to_text',
  'doc_to_target',
  'doc_to_choice',
  'doc_id',
  'group_by',
  'target_delimiter',
  'fewshot_delimiter',
  'num_fewshot',
  'fewshot_config',
  'generation_kwargs',
  'repeats',
  'filter_list',
  'metric_list',
  'code',
  'tag',
  'metadata',
];

/**
 * Checks a merged YAML mapping against the one task schema and compiles its templates and
 * regexes. Throws FieldError (path + reason); the loader turns it into a TaskConfigError.
 */
export function validateTaskConfig(raw: unknown, file: string): TaskConfig {
  const r = Reader.of(raw, []);
  r.onlyKeys(TOP_KEYS);
  const task = r.str('task');
  if (!/^[a-z0-9_]+$/.test(task)) r.fail('task', `'${task}' must match [a-z0-9_]+`);
  const rawVersion = r.raw.version;
  const version: string | number = typeof rawVersion === 'number' || typeof rawVersion === 'string' ? rawVersion : r.fail('version', 'is required (a number or string)');

  const outputType = r.str('output_type') as OutputType;
  if (!OUTPUT_TYPES.includes(outputType)) r.fail('output_type', `'${outputType}' is not one of ${OUTPUT_TYPES.join(', ')}`);

  const rolling = outputType === 'loglikelihood_rolling';
  const docToText = rolling && !r.has('doc_to_text') ? parseTemplate('') : template(r, 'doc_to_text');
  const docToTarget = template(r, 'doc_to_target');
  const docToChoice = r.has('doc_to_choice') ? choiceTemplates(r) : undefined;
  if (outputType === 'multiple_choice' && !docToChoice) r.fail('doc_to_choice', 'is required for multiple_choice');
  if (outputType !== 'multiple_choice' && docToChoice) r.fail('doc_to_choice', 'only applies to multiple_choice');

  const targetDelimiter = r.has('target_delimiter') ? r.str('target_delimiter') : ' ';
  const fewshotDelimiter = r.has('fewshot_delimiter') ? r.str('fewshot_delimiter') : '\n\n';
  const numFewshot = r.int('num_fewshot', 0, 0);
  if (rolling && numFewshot > 0) r.fail('num_fewshot', 'must be 0 for loglikelihood_rolling');
  const repeats = r.int('repeats', 1, 1);
  const docId = r.has('doc_id') ? template(r, 'doc_id') : undefined;
  const fewshot = fewshotConfig(r, numFewshot, docId !== undefined);
  const generation = generationConfig(r, outputType, fewshotDelimiter, repeats);
  const filters = filterList(r, outputType);
  const code = r.has('code') ? codeConfig(r, outputType) : undefined;
  const metrics = metricList(r, outputType, repeats, code !== undefined);

  return {
    task,
    version,
    file,
    description: r.has('description') ? template(r, 'description') : undefined,
    dataset: datasetSpec(r.child('dataset')),
    outputType,
    docToText,
    docToTarget,
    docToChoice,
    docId,
    groupBy: r.has('group_by') ? template(r, 'group_by') : undefined,
    targetDelimiter,
    fewshotDelimiter,
    numFewshot,
    fewshot,
    generation,
    repeats,
    filters,
    metrics,
    code,
    raw: JSON.parse(JSON.stringify(raw)) as JsonObject,
  };
}

function template(r: Reader, key: string): Template {
  return compile(r, key, r.str(key));
}

function compile(r: Reader, key: string | number, source: string): Template {
  try {
    return parseTemplate(source);
  } catch (e) {
    if (e instanceof TemplateError) r.fail(key, e.detail);
    throw e;
  }
}

function choiceTemplates(r: Reader): Template | Template[] {
  const v = r.raw.doc_to_choice;
  if (typeof v === 'string') return template(r, 'doc_to_choice');
  const list = r.strList('doc_to_choice');
  if (list.length < 2) r.fail('doc_to_choice', 'needs at least 2 choices');
  return list.map((s, i) => compileAt(r, ['doc_to_choice', i], s));
}

function compileAt(r: Reader, path: Array<string | number>, source: string): Template {
  try {
    return parseTemplate(source);
  } catch (e) {
    if (e instanceof TemplateError) throw new FieldError([...r.path, ...path], e.detail, { cause: e });
    throw e;
  }
}

export function datasetSpec(d: Reader): DatasetSpec {
  d.onlyKeys(['loader', 'root', 'path', 'split', 'labels']);
  const loader = d.str('loader') as LoaderKind;
  if (!LOADER_KINDS.includes(loader)) d.fail('loader', `'${loader}' is not one of ${LOADER_KINDS.join(', ')}`);
  const path = relativePath(d, 'path');
  const split = d.str('split');
  const splits = LOADER_SPLITS[loader];
  if (splits !== '*' && !splits.includes(split)) d.fail('split', `'${split}' is not a ${loader} split (${splits.join(', ')})`);
  const labels = d.has('labels') ? relativePath(d, 'labels') : undefined;
  if (loader === 'pubmedqa' && !labels) d.fail('labels', 'is required by the pubmedqa loader');
  return { loader, root: d.optStr('root') ?? 'datasets', path, split, labels };
}

function relativePath(d: Reader, key: string): string {
  const p = d.str(key);
  if (p.startsWith('/') || p.split('/').includes('..')) d.fail(key, `'${p}' must be relative to its root, without '..'`);
  return p;
}

function fewshotConfig(r: Reader, num: number, hasDocId: boolean): FewshotConfig {
  if (!r.has('fewshot_config')) {
    if (num > 0) r.fail('fewshot_config', `is required when num_fewshot is ${num} (give a source or samples)`);
    return { sampler: 'first_n', seed: 1234 };
  }
  const f = r.child('fewshot_config');
  f.onlyKeys(['sampler', 'seed', 'ids', 'source', 'samples', 'match_by', 'doc_to_text', 'doc_to_target']);
  const sampler = (f.optStr('sampler') ?? 'first_n') as FewshotConfig['sampler'];
  if (!['first_n', 'seeded', 'ids'].includes(sampler)) f.fail('sampler', `'${sampler}' is not first_n, seeded or ids`);
  const source = f.has('source') ? datasetSpec(f.child('source')) : undefined;
  let samples: JsonObject[] | undefined;
  if (f.has('samples')) {
    samples = f.list('samples').map((s, i) => {
      if (!isJsonObject(s)) throw new FieldError([...f.path, 'samples', i], 'must be a mapping of document fields');
      return s;
    });
  }
  if (source && samples) f.fail('samples', 'give either source or samples, not both');
  if (num > 0 && !source && !samples) f.fail('source', `is required when num_fewshot is ${num} (or give samples)`);
  let ids: string[] | undefined;
  if (sampler === 'ids') {
    ids = f.list('ids').map((x, i) => {
      if (typeof x !== 'string' && typeof x !== 'number') throw new FieldError([...f.path, 'ids', i], 'must be a string or number');
      return String(x);
    });
    if (!hasDocId) f.fail('ids', 'sampler ids needs the task to define doc_id');
    if (ids.length < num) f.fail('ids', `lists ${ids.length} ids but num_fewshot is ${num}`);
  } else if (f.has('ids')) f.fail('ids', 'only applies to sampler ids');
  return {
    sampler,
    seed: f.int('seed', 1234, 0),
    ids,
    source,
    samples,
    matchBy: f.has('match_by') ? template(f, 'match_by') : undefined,
    docToText: f.has('doc_to_text') ? template(f, 'doc_to_text') : undefined,
    docToTarget: f.has('doc_to_target') ? template(f, 'doc_to_target') : undefined,
  };
}

function generationConfig(r: Reader, outputType: OutputType, fewshotDelimiter: string, repeats: number): GenerationConfig {
  const defaults: GenerationConfig = {
    until: [fewshotDelimiter],
    maxGenToks: 256,
    temperature: 0,
    doSample: false,
    topP: 1,
    seed: 1234,
  };
  if (!r.has('generation_kwargs')) {
    if (outputType === 'generate_until' && repeats > 1) r.fail('repeats', 'repeats > 1 needs generation_kwargs with do_sample: true');
    return defaults;
  }
  if (outputType !== 'generate_until') r.fail('generation_kwargs', 'only applies to generate_until');
  const g = r.child('generation_kwargs');
  g.onlyKeys(['until', 'max_gen_toks', 'temperature', 'do_sample', 'top_p', 'seed']);
  const doSample = g.bool('do_sample', false);
  const temperature = g.num('temperature', doSample ? 1 : 0);
  if (temperature < 0) g.fail('temperature', 'must be >= 0');
  if (!doSample && temperature !== 0) g.fail('temperature', 'must be 0 when do_sample is false (greedy)');
  if (doSample && temperature === 0) g.fail('temperature', 'must be > 0 when do_sample is true');
  if (repeats > 1 && !doSample) g.fail('do_sample', `must be true when repeats is ${repeats} (greedy samples are identical)`);
  const topP = g.num('top_p', 1);
  if (!(topP > 0 && topP <= 1)) g.fail('top_p', 'must be in (0, 1]');
  const until = g.has('until') ? g.strList('until') : defaults.until;
  until.forEach((u, i) => {
    if (u === '') throw new FieldError([...g.path, 'until', i], 'must not be empty');
  });
  return { until, maxGenToks: g.int('max_gen_toks', 256, 1), temperature, doSample, topP, seed: g.int('seed', 1234, 0) };
}

function filterList(r: Reader, outputType: OutputType): FilterPipeline[] {
  if (!r.has('filter_list')) return [NO_FILTER];
  if (outputType !== 'generate_until') r.fail('filter_list', 'only applies to generate_until');
  const names = new Set<string>();
  return r.list('filter_list').map((item, i) => {
    const p = Reader.of(item, ['filter_list', i]);
    p.onlyKeys(['name', 'filter']);
    const name = p.str('name');
    if (names.has(name)) p.fail('name', `duplicate filter name '${name}'`);
    names.add(name);
    const steps = p.list('filter').map((s, j) => filterStep(Reader.of(s, ['filter_list', i, 'filter', j])));
    return { name, steps };
  });
}

function filterStep(s: Reader): FilterStep {
  const fn = s.str('function');
  switch (fn) {
    case 'regex': {
      s.onlyKeys(['function', 'regex_pattern', 'group_select', 'fallback']);
      return {
        fn,
        pattern: regex(s, 'regex_pattern', s.str('regex_pattern')),
        groupSelect: s.int('group_select', 0, Number.MIN_SAFE_INTEGER),
        fallback: s.optStr('fallback') ?? '[invalid]',
      };
    }
    case 'remove': {
      s.onlyKeys(['function', 'patterns']);
      return { fn, patterns: s.strList('patterns').map((p, i) => regex(s, 'patterns', p, i, 'g')) };
    }
    case 'take_first':
    case 'strip':
    case 'lowercase':
      s.onlyKeys(['function']);
      return { fn };
    default:
      return s.fail('function', `unknown filter '${fn}'; known: ${FILTER_FUNCTIONS.join(', ')}`);
  }
}

function regex(s: Reader, key: string, source: string, index?: number, flags = ''): RegExp {
  try {
    return compilePyRegex(source, flags);
  } catch (e) {
    throw new FieldError(index === undefined ? [...s.path, key] : [...s.path, key, index], `invalid regex: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function metricList(r: Reader, outputType: OutputType, repeats: number, hasCode: boolean): MetricConfig[] {
  const list = r.list('metric_list');
  if (list.length === 0) r.fail('metric_list', 'must name at least one metric');
  const seen = new Set<string>();
  return list.map((item, i) => {
    const m = Reader.of(item, ['metric_list', i]);
    const name = m.str('metric');
    const def = METRICS.get(name);
    if (!def) return m.fail('metric', `unknown metric '${name}'; known: ${[...METRICS.keys()].join(', ')}`);
    if (seen.has(name)) m.fail('metric', `'${name}' listed twice`);
    seen.add(name);
    m.onlyKeys(['metric', 'aggregation', 'higher_is_better', ...Object.keys(def.options)]);
    if (!def.outputTypes.includes(outputType)) {
      m.fail('metric', `'${name}' does not apply to ${outputType} (only ${def.outputTypes.join(', ')})`);
    }
    const aggregation = m.optStr('aggregation') ?? def.aggregation;
    if (!AGGREGATIONS.includes(aggregation as never)) m.fail('aggregation', `unknown aggregation '${aggregation}'`);
    if (aggregation !== def.aggregation) m.fail('aggregation', `'${name}' aggregates with ${def.aggregation}, not ${aggregation}`);
    const higherIsBetter = m.bool('higher_is_better', def.higherIsBetter);
    if (higherIsBetter !== def.higherIsBetter) m.fail('higher_is_better', `is ${def.higherIsBetter} for '${name}'`);
    let k: number[] = [];
    if (name === 'pass_at_k') {
      if (!hasCode) m.fail('metric', "pass_at_k needs a 'code' block (the program to run)");
      k = m.list('k').map((x, j) => {
        if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw new FieldError(['metric_list', i, 'k', j], 'must be an integer >= 1');
        if (x > repeats) throw new FieldError(['metric_list', i, 'k', j], `k=${x} exceeds repeats=${repeats} (n samples)`);
        return x;
      });
      if (k.length === 0) m.fail('k', 'must list at least one k');
    }
    return {
      metric: name,
      aggregation: def.aggregation,
      higherIsBetter,
      ignoreCase: m.bool('ignore_case', false),
      ignorePunctuation: m.bool('ignore_punctuation', false),
      regexesToIgnore: m.has('regexes_to_ignore') ? m.strList('regexes_to_ignore').map((p, j) => regex(m, 'regexes_to_ignore', p, j, 'g')) : [],
      k,
    };
  });
}

function codeConfig(r: Reader, outputType: OutputType): CodeConfig {
  if (outputType !== 'generate_until') r.fail('code', 'only applies to generate_until');
  const c = r.child('code');
  c.onlyKeys(['program', 'timeout_s']);
  const timeout = c.num('timeout_s', 10);
  if (!(timeout > 0)) c.fail('timeout_s', 'must be > 0');
  return { program: template(c, 'program'), timeoutMs: Math.round(timeout * 1000) };
}
