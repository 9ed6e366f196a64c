import { join } from 'node:path';
import type { Doc } from '../doc.js';
import { DatasetError } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { fieldOf, intField, rowError, stringField, stringListField } from './fields.js';
import { jsonRows, parseJsonDocument, parseJsonl } from './parse.js';
import { readDatasetText } from './read-file.js';

/** What a task's `dataset:` block resolves to. */
export interface DatasetSpec {
  /** How rows are read and normalized; see LOADERS. */
  readonly loader: LoaderKind;
  /** Name of the directory root (given at runtime) the path is relative to. */
  readonly root: string;
  readonly path: string;
  readonly split: string;
  /** Second file some loaders need (PubMedQA's test_ground_truth.json), relative to the same root. */
  readonly labels?: string;
}

export type LoaderKind = 'jsonl' | 'json' | 'arc' | 'pubmedqa' | 'mbpp';
export const LOADER_KINDS: readonly LoaderKind[] = ['jsonl', 'json', 'arc', 'pubmedqa', 'mbpp'];

/** Splits each loader accepts ('*': any name, recorded but not used to select rows). */
export const LOADER_SPLITS: Record<LoaderKind, readonly string[] | '*'> = {
  jsonl: '*',
  json: '*',
  arc: '*',
  pubmedqa: ['test', 'all'],
  mbpp: ['test', 'validation', 'train', 'prompt', 'all'],
};

/** Directory roots that dataset paths are relative to, e.g. { datasets: '/data', suites: 'models/x/suites' }. */
export type DatasetRoots = Readonly<Record<string, string>>;

export async function loadDataset(spec: DatasetSpec, roots: DatasetRoots): Promise<Doc[]> {
  const file = resolveIn(roots, spec.root, spec.path);
  switch (spec.loader) {
    case 'jsonl':
      return parseJsonl(await readDatasetText(file), file);
    case 'json':
      return jsonRows(parseJsonDocument(await readDatasetText(file), file), file, '_key');
    case 'arc':
      return parseJsonl(await readDatasetText(file), file).map(normalizeArc);
    case 'mbpp':
      return selectMbppSplit(parseJsonl(await readDatasetText(file), file).map(checkMbpp), spec.split);
    case 'pubmedqa': {
      if (!spec.labels) throw new DatasetError(file, "the pubmedqa loader needs 'labels' (test_ground_truth.json)");
      return loadPubmedqa(file, resolveIn(roots, spec.root, spec.labels), spec.split);
    }
  }
}

function resolveIn(roots: DatasetRoots, root: string, path: string): string {
  const dir = roots[root];
  if (dir === undefined) {
    throw new DatasetError(path, `dataset root '${root}' was not given; roots given: ${Object.keys(roots).join(', ') || '(none)'}`);
  }
  return join(dir, path);
}

/** AI2 ARC rows ({question: {stem, choices: [{text, label}]}, answerKey}) to the HF ai2_arc shape. */
function normalizeArc(doc: Doc): Doc {
  const stem = stringField(doc, 'question.stem');
  const raw = fieldOf(doc, 'question.choices');
  if (!Array.isArray(raw) || raw.length < 2) throw rowError(doc, "field 'question.choices' must be a list of at least 2 choices");
  const text: string[] = [];
  const label: string[] = [];
  raw.forEach((c, i) => {
    if (!isJsonObject(c) || typeof c.text !== 'string' || typeof c.label !== 'string') {
      throw rowError(doc, `question.choices[${i}] must have string 'text' and 'label'`);
    }
    text.push(c.text);
    label.push(c.label);
  });
  const answerKey = stringField(doc, 'answerKey');
  if (!label.includes(answerKey)) throw rowError(doc, `answerKey '${answerKey}' is not one of the labels ${label.join(',')}`);
  const id = stringField(doc, 'id');
  return { data: { id, question: stem, choices: { text, label }, answerKey }, origin: doc.origin };
}

function checkMbpp(doc: Doc): Doc {
  intField(doc, 'task_id');
  stringField(doc, 'text');
  stringField(doc, 'code');
  stringField(doc, 'test_setup_code');
  stringListField(doc, 'test_list');
  return doc;
}

/** The MBPP paper's split by task_id: prompt 1-10, test 11-510, validation 511-600, train 601-974. */
const MBPP_RANGES: Record<string, [number, number]> = {
  prompt: [1, 10],
  test: [11, 510],
  validation: [511, 600],
  train: [601, 974],
  all: [1, Number.MAX_SAFE_INTEGER],
};

function selectMbppSplit(docs: Doc[], split: string): Doc[] {
  const range = MBPP_RANGES[split];
  if (!range) throw new DatasetError(docs[0]?.origin.file ?? 'mbpp', `unknown MBPP split '${split}'`);
  return docs.filter((d) => {
    const id = d.data.task_id as number;
    return id >= range[0] && id <= range[1];
  });
}

const PUBMEDQA_LABELS = ['yes', 'no', 'maybe'];

/**
 * PubMedQA PQA-L (ori_pqal.json: PMID -> {QUESTION, CONTEXTS, final_decision, ...}) in the HF
 * pubmed_qa shape {pubid, question, context: {contexts, labels, meshes}, long_answer,
 * final_decision}. split 'test': the 500 PMIDs of the official test_ground_truth.json, in
 * that file's order; 'all': all 1,000 (what the harness evaluates: its "train" split).
 */
async function loadPubmedqa(file: string, labelsFile: string, split: string): Promise<Doc[]> {
  const rows = jsonRows(parseJsonDocument(await readDatasetText(file), file), file, 'pubid').map(normalizePubmedqa);
  if (split === 'all') return rows;
  if (split !== 'test') throw new DatasetError(file, `unknown PubMedQA split '${split}' (test or all)`);
  const truth = parseJsonDocument(await readDatasetText(labelsFile), labelsFile);
  if (!isJsonObject(truth)) throw new DatasetError(labelsFile, 'expected an object {PMID: label}');
  const byId = new Map(rows.map((d) => [d.data.pubid as string, d]));
  return Object.entries(truth).map(([pmid, label]) => {
    const doc = byId.get(pmid);
    if (!doc) throw new DatasetError(labelsFile, `PMID not found in ${file}`, undefined, pmid);
    if (label !== doc.data.final_decision) {
      throw new DatasetError(labelsFile, `label ${JSON.stringify(label)} disagrees with final_decision '${String(doc.data.final_decision)}' in ${file}`, undefined, pmid);
    }
    return doc;
  });
}

function normalizePubmedqa(doc: Doc): Doc {
  const decision = stringField(doc, 'final_decision');
  if (!PUBMEDQA_LABELS.includes(decision)) throw rowError(doc, `final_decision '${decision}' is not yes/no/maybe`);
  const data: JsonObject = {
    pubid: stringField(doc, 'pubid'),
    question: stringField(doc, 'QUESTION'),
    context: {
      contexts: stringListField(doc, 'CONTEXTS'),
      labels: stringListField(doc, 'LABELS'),
      meshes: stringListField(doc, 'MESHES'),
    },
    long_answer: stringField(doc, 'LONG_ANSWER'),
    final_decision: decision,
  };
  return { data, origin: doc.origin };
}
