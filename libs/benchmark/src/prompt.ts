import type { TaskConfig } from './config/types.js';
import { formatOrigin, type Doc } from './doc.js';
import { exemplarTarget, selectExemplars } from './fewshot.js';
import { renderTemplate } from './template/index.js';

/**
 * The harness's context layout:
 *   description + [text(ex) + target_delimiter + target(ex) + fewshot_delimiter]* + text(doc)
 * The answer (continuation or generation) follows it, after target_delimiter for
 * log-likelihood requests.
 */
export function buildContext(task: TaskConfig, doc: Doc, pool: readonly Doc[]): string {
  const where = formatOrigin(doc.origin);
  let out = task.description ? renderTemplate(task.description, doc.data, where) : '';
  for (const ex of selectExemplars(task, doc, pool)) {
    const text = renderTemplate(task.fewshot.docToText ?? task.docToText, ex.data, formatOrigin(ex.origin));
    out += text + task.targetDelimiter + exemplarTarget(task, ex) + task.fewshotDelimiter;
  }
  return out + renderTemplate(task.docToText, doc.data, where);
}
