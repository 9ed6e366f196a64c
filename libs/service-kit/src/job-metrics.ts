// Job metrics on /metrics: how many jobs of each kind are in each status (queue depth is
// status="queued"), read from the service's job table at scrape time so every replica reports the
// same truth, and how long this process's handlers take, by outcome.
import { Gauge, Histogram, type Registry } from 'prom-client';

export interface JobMeter {
  /** The handler, timed into grokwatch_job_seconds{kind, outcome}. */
  timed<C>(kind: string, handler: (ctx: C) => Promise<void>): (ctx: C) => Promise<void>;
}

/** Counts of a kind's jobs by status (queued, running, completed, failed, cancelled). */
export type JobStatusCounts = () => Promise<Readonly<Record<string, number>>>;

export function jobMetrics(registry: Registry, counts: Readonly<Record<string, JobStatusCounts>>): JobMeter {
  new Gauge({
    name: 'grokwatch_jobs',
    help: 'Jobs by kind and status, from the job table (status="queued" is the queue depth)',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [kind, count] of Object.entries(counts)) {
        for (const [status, n] of Object.entries(await count())) this.set({ kind, status }, n);
      }
    },
  });
  const seconds = new Histogram({
    name: 'grokwatch_job_seconds',
    help: "Time this process's handlers took per job delivery, by kind and outcome",
    labelNames: ['kind', 'outcome'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  return {
    timed: (kind, handler) => async (ctx) => {
      const end = seconds.startTimer({ kind });
      try {
        await handler(ctx);
        end({ outcome: 'ok' });
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    },
  };
}
