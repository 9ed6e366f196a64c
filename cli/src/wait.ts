// Following a job to its end: progress events over the subscription, with a status poll as a
// safety net (an event published before the subscription started is otherwise never seen).
import type { GrokwatchClient } from './client.js';
import { ProgressBar } from './progress.js';

export type JobKind = 'capture' | 'metrics' | 'evaluation';

export interface JobState {
  status: string;
  done: number;
  total: number;
  error?: string | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export async function waitForJob(
  client: GrokwatchClient,
  kind: JobKind,
  jobId: string,
  fetchState: () => Promise<JobState>,
  opts: { quiet: boolean; pollMs?: number },
): Promise<JobState> {
  const bar = opts.quiet ? null : new ProgressBar(`${kind} ${jobId.slice(0, 8)}`);
  let final: JobState | null = null;
  const show = (s: JobState) => {
    bar?.update(s.done, s.total, s.status);
    if (TERMINAL.has(s.status)) final = s;
  };
  const subscription = client.subscribe<{ jobProgress: JobState }>(
    'subscription($kind: JobKind, $jobId: ID) { jobProgress(kind: $kind, jobId: $jobId) { status done total message } }',
    { kind, jobId },
    (d) => {
      show(d.jobProgress);
      return final !== null;
    },
  );
  subscription.done.catch(() => undefined); // the poll below still follows the job
  while (final === null) {
    show(await fetchState());
    if (final === null) await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
  subscription.stop();
  bar?.finish();
  // The terminal state from the database is authoritative (it carries the error message).
  const state = await fetchState();
  return TERMINAL.has(state.status) ? state : final;
}
