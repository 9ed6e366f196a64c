// The library's score rule, one rule for the API and the page. In the browser this path is served
// as the library module itself (gateway routes.ts, /dashboard/lib/benchmark/primary-score.js); under
// Node (the dashboard's unit tests) this re-export resolves the package.
export { isMacroScore, primaryScoreMetric } from '@grokwatch/benchmark/primary-score';
