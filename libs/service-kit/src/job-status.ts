// One JobStatus for every subgraph's jobs (capture, metrics, evaluation): federation merges the
// identical enum, and a client handles job states one way.
import { registerEnumType } from 'type-graphql';

export enum JobStatusValue {
  queued = 'queued',
  running = 'running',
  completed = 'completed',
  failed = 'failed',
  cancelled = 'cancelled',
}

export const JOB_STATUS_DESCRIPTION = 'Where a job stands: queued, running, then completed, failed or cancelled.';

/** Each status's meaning, for every schema that shows job states (the subscriptions' SDL too). */
export const JOB_STATUS_DESCRIPTIONS: Readonly<Record<JobStatusValue, string>> = {
  queued: 'Waiting for a worker.',
  running: 'A worker has it (progress says how far).',
  completed: 'Done; its results are stored.',
  failed: 'Stopped with an error (error says why); a retry request re-runs it.',
  cancelled: 'Cancelled on request.',
};

registerEnumType(JobStatusValue, {
  name: 'JobStatus',
  description: JOB_STATUS_DESCRIPTION,
  valuesConfig: Object.fromEntries(Object.entries(JOB_STATUS_DESCRIPTIONS).map(([v, description]) => [v, { description }])),
});
