// A tiny element builder, so views read as the structure they produce.

/** Arrays are flattened, so a view can pass a computed list of children in place. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Listener = (ev: Event) => void;
export type Props = Record<string, string | number | boolean | null | undefined | Listener>;

function apply(el: Element, props: Props | null | undefined): void {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (!key.startsWith('on')) throw new Error(`property ${key} is a function but not an on* listener`);
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'number' ? String(c) : (c as Node | string));
  }
}

/** An HTML element with attributes (on* functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An SVG element; numeric geometry is rounded to 0.01 px to keep the markup small, while data-*
 * attributes keep the exact value they carry.
 */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  const rounded: Props = {};
  for (const [k, v] of Object.entries(props ?? {})) rounded[k] = typeof v === 'number' && !k.startsWith('data-') ? Math.round(v * 100) / 100 : v;
  apply(el, rounded);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A section's message box: what is missing and what to do about it. */
export function notice(kind: 'empty' | 'error' | 'info', title: string, ...body: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('strong', null, title), ...body);
}

/** Inline code, for commands and mutations the user can run. */
export function code(text: string): HTMLElement {
  return h('code', null, text);
}
