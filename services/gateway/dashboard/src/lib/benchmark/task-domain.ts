// The library's task-to-domain rule, one rule for the pipeline's test groups and the page. In the
// browser this path is served as the library module itself (gateway routes.ts,
// /dashboard/lib/benchmark/task-domain.js); under Node this re-export resolves the package.
export { domainMatch, tasksOfDomain } from '@grokwatch/benchmark/task-domain';
