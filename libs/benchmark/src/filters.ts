/**
 * Answer-extraction filters (harness `filter_list`): each named pipeline turns the model's
 * completions for one document into the strings the metrics compare.
 */

export type FilterStep =
  | { readonly fn: 'regex'; readonly pattern: RegExp; readonly groupSelect: number; readonly fallback: string }
  | { readonly fn: 'take_first' }
  | { readonly fn: 'strip' }
  | { readonly fn: 'lowercase' }
  | { readonly fn: 'remove'; readonly patterns: readonly RegExp[] };

export interface FilterPipeline {
  readonly name: string;
  readonly steps: readonly FilterStep[];
}

export const FILTER_FUNCTIONS = ['regex', 'take_first', 'strip', 'lowercase', 'remove'] as const;

/** The harness's name for "no filter". */
export const NO_FILTER: FilterPipeline = { name: 'none', steps: [] };

export function applyFilters(pipeline: FilterPipeline, completions: readonly string[]): string[] {
  let out = [...completions];
  for (const step of pipeline.steps) {
    switch (step.fn) {
      case 'regex':
        out = out.map((c) => regexExtract(c, step.pattern, step.groupSelect, step.fallback));
        break;
      case 'take_first':
        out = out.slice(0, 1);
        break;
      case 'strip':
        out = out.map((c) => c.trim());
        break;
      case 'lowercase':
        out = out.map((c) => c.toLowerCase());
        break;
      case 'remove':
        out = out.map((c) => step.patterns.reduce((s, p) => s.replace(p, ''), c));
        break;
    }
  }
  return out;
}

/**
 * Python `re.findall` semantics as the harness's RegexFilter uses them: take match number
 * `groupSelect` (negative counts from the end); with capture groups, its first non-empty
 * group; strip it. No match: `fallback`.
 */
export function regexExtract(text: string, pattern: RegExp, groupSelect: number, fallback: string): string {
  const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
  const matches = [...text.matchAll(global)];
  if (matches.length === 0) return fallback;
  const at = groupSelect < 0 ? matches.length + groupSelect : groupSelect;
  const m = matches[at];
  if (!m) return fallback;
  if (m.length === 1) return m[0].trim();
  const groups = m.slice(1).filter((g): g is string => g !== undefined && g !== '');
  if (m.length === 2) return (m[1] ?? '').trim();
  return groups.length > 0 ? groups[0].trim() : fallback;
}
