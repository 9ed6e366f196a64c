import { TemplateError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { typeName } from '../json.js';
import { formatPath, type Expr, type PathStep, type Template } from './ast.js';
import { applyPipe, PipeMisuse } from './pipes.js';

/**
 * Value of a template: the raw value (list, number, ...) when the template is a single
 * placeholder and nothing else, otherwise the rendered string. Used for doc_to_choice
 * ("{{choices.text}}" -> list) and doc_to_target (index or string).
 */
export function evaluateTemplate(t: Template, scope: JsonObject, where?: string): JsonValue {
  if (t.parts.length === 1 && t.parts[0].kind === 'expr') return evalExpr(t, t.parts[0].expr, scope, where);
  return renderTemplate(t, scope, where);
}

/** Renders to a string; every placeholder must yield a string, number or boolean. */
export function renderTemplate(t: Template, scope: JsonObject, where?: string): string {
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const v = evalExpr(t, part.expr, scope, where);
    if (typeof v === 'string') out += v;
    else if (typeof v === 'number' || typeof v === 'boolean') out += String(v);
    else throw new TemplateError(t.source, `{{${part.source}}} is a ${typeName(v)}, not text`, where);
  }
  return out;
}

function evalExpr(t: Template, expr: Expr, scope: JsonObject, where?: string): JsonValue {
  let v = resolvePath(t, expr.path, scope, where);
  for (const pipe of expr.pipes) {
    const args = pipe.args.map((a) => (a.kind === 'literal' ? a.value : resolvePath(t, a.path, scope, where)));
    try {
      v = applyPipe(pipe.name, v, args);
    } catch (e) {
      if (e instanceof PipeMisuse) throw new TemplateError(t.source, e.message, where, { cause: e });
      throw e;
    }
  }
  return v;
}

function resolvePath(t: Template, path: readonly PathStep[], scope: JsonObject, where?: string): JsonValue {
  let v: JsonValue = scope;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    const upTo = formatPath(path.slice(0, i + 1));
    if (step.kind === 'key') {
      if (Array.isArray(v) && /^[0-9]+$/.test(step.key) && Number(step.key) < v.length) {
        v = v[Number(step.key)];
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, step.key)) {
        v = v[step.key];
      } else {
        const has = typeof v === 'object' && v !== null && !Array.isArray(v) ? `; fields: ${Object.keys(v).join(', ')}` : '';
        throw new TemplateError(t.source, `field '${upTo}' not found${has}`, where);
      }
    } else {
      if (!Array.isArray(v)) throw new TemplateError(t.source, `'${upTo}' indexes a ${typeName(v)}, not a list`, where);
      const at: number = step.index < 0 ? v.length + step.index : step.index;
      if (at < 0 || at >= v.length) {
        throw new TemplateError(t.source, `'${upTo}' out of range (list has ${v.length} items)`, where);
      }
      v = v[at];
    }
  }
  return v;
}
