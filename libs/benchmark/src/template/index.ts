export type { Template } from './ast.js';
export { parseTemplate } from './parse.js';
export { renderTemplate, evaluateTemplate } from './render.js';
export { PIPE_NAMES } from './pipes.js';
