/** Parsed form of a template: literal text and {{ expression }} placeholders. */
export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

export type TemplatePart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'expr'; readonly expr: Expr; readonly source: string };

/** `path | pipe: arg, arg | pipe` */
export interface Expr {
  readonly path: readonly PathStep[];
  readonly pipes: readonly PipeCall[];
}

export type PathStep = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number };

export interface PipeCall {
  readonly name: string;
  readonly args: readonly PipeArg[];
}

export type PipeArg = { readonly kind: 'literal'; readonly value: string | number } | { readonly kind: 'path'; readonly path: readonly PathStep[] };

export function formatPath(path: readonly PathStep[]): string {
  return path.map((s, i) => (s.kind === 'index' ? `[${s.index}]` : i === 0 ? s.key : `.${s.key}`)).join('');
}
