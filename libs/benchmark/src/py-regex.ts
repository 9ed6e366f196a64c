/**
 * Compiles a regex written for Python's `re` (as in harness YAML files). JavaScript has no
 * inline flag groups, so a leading `(?s)`, `(?i)`, `(?m)` (or a combination) becomes a flag.
 * Throws SyntaxError with the JavaScript engine's message on an invalid pattern.
 */
export function compilePyRegex(source: string, extraFlags = ''): RegExp {
  let pattern = source;
  let flags = extraFlags;
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  if (inline) {
    pattern = pattern.slice(inline[0].length);
    for (const f of inline[1]) if (!flags.includes(f)) flags += f;
  }
  return new RegExp(pattern, flags);
}
