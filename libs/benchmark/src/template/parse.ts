import { TemplateError } from '../errors.js';
import type { Expr, PathStep, PipeArg, PipeCall, Template, TemplatePart } from './ast.js';
import { PIPE_NAMES } from './pipes.js';

/**
 * Parses `text {{ field.sub[0] | pipe: "arg", other_field }} text`. Syntax errors and unknown
 * pipes are reported here, when the task config is loaded, not at render time.
 */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let i = 0;
  let text = '';
  while (i < source.length) {
    if (source.startsWith('{{', i)) {
      const end = findClose(source, i + 2);
      if (end < 0) throw new TemplateError(source, `unclosed '{{' at offset ${i}`);
      if (text) parts.push({ kind: 'text', text });
      text = '';
      const inner = source.slice(i + 2, end);
      parts.push({ kind: 'expr', expr: new ExprParser(source, inner).parse(), source: inner.trim() });
      i = end + 2;
    } else if (source.startsWith('}}', i)) {
      throw new TemplateError(source, `'}}' without '{{' at offset ${i}`);
    } else {
      text += source[i];
      i += 1;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  return { source, parts };
}

/** Index of the `}}` closing a placeholder, skipping over string literals. */
function findClose(s: string, from: number): number {
  let inString = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '}' && s[i + 1] === '}') return i;
  }
  return -1;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const INT = /-?[0-9]+/y;

class ExprParser {
  private pos = 0;
  constructor(
    private readonly template: string,
    private readonly src: string,
  ) {}

  parse(): Expr {
    this.skipSpace();
    const path = this.path();
    const pipes: PipeCall[] = [];
    this.skipSpace();
    while (this.peek() === '|') {
      this.pos += 1;
      this.skipSpace();
      pipes.push(this.pipe());
      this.skipSpace();
    }
    if (this.pos !== this.src.length) this.fail(`unexpected '${this.src.slice(this.pos)}'`);
    return { path, pipes };
  }

  private pipe(): PipeCall {
    const name = this.match(IDENT) ?? this.fail('expected a pipe name after |');
    if (!PIPE_NAMES.includes(name)) this.fail(`unknown pipe '${name}'; known: ${PIPE_NAMES.join(', ')}`);
    const args: PipeArg[] = [];
    this.skipSpace();
    if (this.peek() === ':') {
      this.pos += 1;
      do {
        this.skipSpace();
        args.push(this.arg());
        this.skipSpace();
      } while (this.peek() === ',' && ++this.pos);
    }
    return { name, args };
  }

  private arg(): PipeArg {
    if (this.peek() === '"') return { kind: 'literal', value: this.string() };
    const n = this.match(INT);
    if (n !== null) return { kind: 'literal', value: Number(n) };
    return { kind: 'path', path: this.path() };
  }

  private path(): PathStep[] {
    const first = this.match(IDENT) ?? this.fail('expected a field name');
    const steps: PathStep[] = [{ kind: 'key', key: first }];
    for (;;) {
      if (this.peek() === '.') {
        this.pos += 1;
        const key = this.match(IDENT) ?? this.match(/[0-9]+/y) ?? this.fail("expected a field name after '.'");
        steps.push({ kind: 'key', key });
      } else if (this.peek() === '[') {
        this.pos += 1;
        this.skipSpace();
        const n = this.match(INT) ?? this.fail("expected an integer index after '['");
        this.skipSpace();
        if (this.peek() !== ']') this.fail("expected ']'");
        this.pos += 1;
        steps.push({ kind: 'index', index: Number(n) });
      } else return steps;
    }
  }

  private string(): string {
    let out = '';
    this.pos += 1; // opening quote
    while (this.pos < this.src.length) {
      const c = this.src[this.pos++];
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.src[this.pos++];
      const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
      if (!(e in escapes)) this.fail(`unknown escape '\\${e ?? ''}' in string`);
      out += escapes[e];
    }
    return this.fail('unterminated string');
  }

  private match(re: RegExp): string | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos += 1;
  }

  private fail(detail: string): never {
    throw new TemplateError(this.template, `in {{${this.src}}}: ${detail}`);
  }
}
