// runTrackedJob's lifecycle on a real consumer of each Bus (memory.test.ts, nats.test.ts): what the
// row records and what the bus sees for a completion, a redelivered completion, a retried failure,
// a permanent failure, the last delivery, a cancel, a shutdown and a long job kept alive by its heartbeat.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusFixture } from './bus.contract.js';
import { waitFor, withFixture } from './bus.contract.js';
import { runTrackedJob, type Bus, type JobContext, type JobProgress, type TrackedStatus } from './index.js';

/** A job row as a service stores it, in memory: its status, note and what was asked of it. */
class FakeRow {
  status: TrackedStatus = 'queued';
  note: string | null = null;
  readonly calls: string[] = [];
  exists = true;

  record() {
    return {
      load: async () => (this.exists ? { status: this.status } : undefined),
      status: (row: { status: TrackedStatus }) => row.status,
      markRunning: async () => this.set('running', null),
      markQueued: async (note: string | null) => this.set('queued', note),
      markFailed: async (message: string) => this.set('failed', message),
      markCancelled: async () => this.set('cancelled', 'cancelled'),
    };
  }

  private set(status: TrackedStatus, note: string | null): void {
    this.status = status;
    this.note = note;
    this.calls.push(status);
  }
}

class PermanentError extends Error {}

interface Harness {
  bus: Bus;
  row: FakeRow;
  attempts: number[];
  announced: number;
  failedEvents: string[];
  progress: JobProgress[];
}

/** Consumes capture jobs with runTrackedJob around `work`; returns what it observed. */
async function harness(
  f: BusFixture,
  work: (job: JobContext<'capture'>, h: Harness) => Promise<void>,
  opts: { maxDeliver?: number; ackWaitMs?: number; heartbeatMs?: number } = {},
) {
  const bus = await f.connect();
  const h: Harness = { bus, row: new FakeRow(), attempts: [], announced: 0, failedEvents: [], progress: [] };
  bus.subscribeProgress({ kind: 'capture' }, (p) => void h.progress.push(p));
  const logger = { info: () => undefined, error: () => undefined };
  const maxDeliver = opts.maxDeliver ?? 3;
  const consumer = await bus.consumeJobs(
    'capture',
    async (job) => {
      h.attempts.push(job.attempt);
      if (h.row.status === 'completed') h.row.calls.push('redelivered');
      await runTrackedJob({
        job,
        kind: 'capture',
        bus,
        logger,
        row: h.row.record(),
        isPermanent: (err) => err instanceof PermanentError,
        maxDeliver,
        heartbeatMs: opts.heartbeatMs ?? 5000,
        work: async ({ progress }) => {
          progress(0, 2, 'working');
          await work(job, h);
          progress(2, 2, 'done');
          h.row.status = 'completed';
        },
        announce: async () => void (h.announced += 1),
        onFailed: async (message) => void h.failedEvents.push(message),
      });
    },
    { maxDeliver, retryDelayMs: 20, ackWaitMs: opts.ackWaitMs ?? 2000 },
  );
  return { h, consumer, publish: () => bus.publishJob('capture', { jobId: 'job-1', checkpointId: 'c', probeSetId: 'p' }) };
}

export function trackedJobContract(name: string, make: () => Promise<BusFixture>): void {
  describe(`runTrackedJob: ${name}`, { concurrency: true }, () => {
    it('runs the work between running and the completion event; a redelivered completed job announces again without working', () =>
      withFixture(make, async (f) => {
        let runs = 0;
        const { h, publish } = await harness(f, async () => void (runs += 1));
        await publish();
        await waitFor('the completion', () => h.announced === 1 && h.progress.some((p) => p.status === 'completed'));
        assert.deepEqual(h.row.calls, ['running']);
        // The same job delivered again (a crash after the commit): announced again, not rerun.
        h.row.status = 'completed';
        await h.bus.publishJob('capture', { jobId: 'job-2', checkpointId: 'c', probeSetId: 'p' });
        await waitFor('the second announcement', () => h.announced === 2);
        assert.equal(runs, 1);
      }));

    it('a failure a retry may mend puts the row back to queued with the reason, and the next delivery completes', () =>
      withFixture(make, async (f) => {
        const { h, publish } = await harness(f, async (job) => {
          if (job.attempt === 1) throw new Error('connection reset');
        });
        await publish();
        await waitFor('the completion', () => h.announced === 1);
        assert.deepEqual(h.attempts, [1, 2]);
        assert.deepEqual(h.row.calls, ['running', 'queued', 'running']);
      }));

    it('a permanent failure fails the row at once, runs onFailed and is not redelivered', () =>
      withFixture(make, async (f) => {
        const { h, publish } = await harness(f, async () => {
          throw new PermanentError('the checkpoint is unreadable');
        });
        await publish();
        await waitFor('the failure', () => h.row.status === 'failed' && h.progress.some((p) => p.status === 'failed'));
        await sleep(200);
        assert.deepEqual(h.attempts, [1]);
        assert.equal(h.row.note, 'the checkpoint is unreadable');
        assert.deepEqual(h.failedEvents, ['the checkpoint is unreadable']);
        assert.equal(h.announced, 0);
      }));

    it('the last allowed delivery records the failure', () =>
      withFixture(make, async (f) => {
        const { h, publish } = await harness(
          f,
          async () => {
            throw new Error('still down');
          },
          { maxDeliver: 2 },
        );
        await publish();
        await waitFor('the final failure', () => h.row.status === 'failed');
        assert.deepEqual(h.attempts, [1, 2]);
        assert.deepEqual(h.row.calls, ['running', 'queued', 'running', 'failed']);
        assert.equal(h.row.note, 'still down');
      }));

    it('cancelJob while it runs: the row is cancelled and the job is not redelivered', () =>
      withFixture(make, async (f) => {
        const { h, publish } = await harness(f, async (job) => {
          await new Promise<void>((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason as Error), { once: true }));
        });
        await publish();
        await waitFor('the job to run', () => h.row.status === 'running');
        await h.bus.cancelJob('capture', 'job-1');
        await waitFor('the cancel', () => h.row.status === 'cancelled' && h.progress.some((p) => p.status === 'cancelled'));
        await sleep(200);
        assert.deepEqual(h.attempts, [1]);
      }));

    it('a worker shutting down mid-job puts the row back to queued; another worker completes it', () =>
      withFixture(make, async (f) => {
        const first = await harness(f, async (job) => {
          await new Promise<void>((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason as Error), { once: true }));
        });
        await first.publish();
        await waitFor('the job to run', () => first.h.row.status === 'running');
        await first.consumer.stop();
        assert.equal(first.h.row.status, 'queued');
        assert.equal(first.h.row.note, null);
        const second = await harness(f, async () => undefined);
        await waitFor('the other worker to complete it', () => second.h.announced === 1, 10_000);
      }));

    it('a long job is kept alive by its heartbeat: no redelivery after ackWait', () =>
      withFixture(make, async (f) => {
        const { h, publish } = await harness(f, async () => sleep(900), { ackWaitMs: 300, heartbeatMs: 50 });
        await publish();
        await waitFor('the completion', () => h.announced === 1, 5000);
        assert.deepEqual(h.attempts, [1]);
      }));
  });
}
