import type { TaskConfig } from './config/types.js';
import { formatOrigin, type Doc } from './doc.js';
import { ScoringError } from './errors.js';
import { evaluateTemplate, renderTemplate, type Template } from './template/index.js';

/** The document's id: the task's doc_id template, or file:line. */
export function docIdOf(task: TaskConfig, doc: Doc): string {
  return task.docId ? renderTemplate(task.docId, doc.data, formatOrigin(doc.origin)) : formatOrigin(doc.origin);
}

export function groupOf(task: TaskConfig, doc: Doc): string | undefined {
  return task.groupBy ? renderTemplate(task.groupBy, doc.data, formatOrigin(doc.origin)) : undefined;
}

/** doc_to_target as text (the reference answer, or the text scored for bits-per-byte). */
export function targetText(task: TaskConfig, doc: Doc): string {
  return renderTemplate(task.docToTarget, doc.data, formatOrigin(doc.origin));
}

/** The answer options of a multiple_choice document. */
export function choicesOf(task: TaskConfig, doc: Doc): string[] {
  const where = formatOrigin(doc.origin);
  const spec = task.docToChoice;
  if (!spec) throw new ScoringError(task.task, where, 'task has no doc_to_choice');
  if (isTemplateList(spec)) return spec.map((t) => renderTemplate(t, doc.data, where));
  const v = evaluateTemplate(spec, doc.data, where);
  if (!Array.isArray(v) || v.length < 2 || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
    throw new ScoringError(task.task, where, `doc_to_choice must give a list of at least 2 strings, got ${JSON.stringify(v)}`);
  }
  return v.map(String);
}

/**
 * Index of the gold choice. As in the harness: a number, or a string of digits, is an index;
 * any other string must be one of the choices.
 */
export function goldIndex(task: TaskConfig, doc: Doc, choices: readonly string[]): number {
  const where = formatOrigin(doc.origin);
  const v = evaluateTemplate(task.docToTarget, doc.data, where);
  let idx: number;
  if (typeof v === 'number') idx = v;
  else if (typeof v === 'string' && /^[0-9]+$/.test(v)) idx = Number(v);
  else if (typeof v === 'string') {
    idx = choices.indexOf(v);
    if (idx < 0) throw new ScoringError(task.task, where, `target '${v}' is not among the choices ${JSON.stringify(choices)}`);
  } else throw new ScoringError(task.task, where, `doc_to_target must give an index or a choice, got ${JSON.stringify(v)}`);
  if (!Number.isInteger(idx) || idx < 0 || idx >= choices.length) {
    throw new ScoringError(task.task, where, `target index ${idx} is out of range for ${choices.length} choices`);
  }
  return idx;
}

/**
 * The test item as one text, the way a training sample holds it: doc_to_text, the target delimiter
 * and the gold answer (the gold choice of a multiple_choice document), with the answer's character
 * span. Zero-shot: what an item's embedding and Min-K%++ score describe is the item, not the prompt.
 * A generated answer brings its own leading space (the delimiter of generate_until tasks is often
 * empty), so a word boundary is kept: "4 + 17 =" and "21" make "4 + 17 = 21", not "4 + 17 =21".
 */
export function itemText(task: TaskConfig, doc: Doc): { text: string; target: { start: number; end: number } } {
  const question = renderTemplate(task.docToText, doc.data, formatOrigin(doc.origin));
  let answer: string;
  if (task.outputType === 'multiple_choice') {
    const choices = choicesOf(task, doc);
    answer = choices[goldIndex(task, doc, choices)] as string;
  } else answer = targetText(task, doc);
  const joined = task.targetDelimiter !== '' || question === '' || /\s$/.test(question) || /^\s/.test(answer);
  const delimiter = joined ? task.targetDelimiter : ' ';
  const start = question.length + delimiter.length;
  return { text: question + delimiter + answer, target: { start, end: start + answer.length } };
}

function isTemplateList(s: Template | readonly Template[]): s is readonly Template[] {
  return Array.isArray(s);
}
