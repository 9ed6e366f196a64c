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

registerEnumType(JobStatusValue, {
  name: 'JobStatus',
  description: 'Where a job stands: queued, running, then completed, failed or cancelled.',
  valuesConfig: {
    queued: { description: 'Waiting for a worker.' },
    running: { description: 'A worker has it (progress says how far).' },
    completed: { description: 'Done; its results are stored.' },
    failed: { description: 'Stopped with an error (error says why); a retry request re-runs it.' },
    cancelled: { description: 'Cancelled on request.' },
  },
});
