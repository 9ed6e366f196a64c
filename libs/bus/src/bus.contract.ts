// The behaviour every Bus must have, run against NATS (nats.test.ts) and memory (memory.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusPayloadError, BusShutdownError, JobCancelledError, JobFailed, type Bus, type BusLogger, type JobPayload } from './index.js';

export interface BusFixture {
  /** A new connection to the same broker and namespace (like another process). */
  connect(logger?: BusLogger): Promise<Bus>;
  /** Closes every bus it connected and removes the namespace's streams. */
  dispose(): Promise<void>;
}

export interface LogLine {
  level: 'warn' | 'error';
  message: string;
  context: Record<string, unknown>;
}

export function capturingLogger(): BusLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (context, message) => void lines.push({ level: 'warn', message, context }),
    error: (context, message) => void lines.push({ level: 'error', message, context }),
  };
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function capture(jobId: string): JobPayload<'capture'> {
  return { jobId, checkpointId: 'ckpt-1', probeSetId: 'probes-1' };
}

/** Runs `body` with a fresh namespace, always disposing it. */
export async function withFixture(make: () => Promise<BusFixture>, body: (f: BusFixture) => Promise<void>): Promise<void> {
  const f = await make();
  try {
    await body(f);
  } finally {
    await f.dispose();
  }
}

export function busContract(name: string, make: () => Promise<BusFixture>): void {
  // Every test has its own namespace, so they can run concurrently (most of the time is waiting).
  describe(`Bus contract: ${name}`, { concurrency: true }, () => {
    it('delivers a published job once, with attempt 1 and the payload as published', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        const seen: { payload: unknown; attempt: number }[] = [];
        await bus.consumeJobs('metrics', async (job) => void seen.push({ payload: job.payload, attempt: job.attempt }));
        const payload = { jobId: 'job-1', checkpointId: 'c', probeSetId: 'p', params: { threshold: 0.7, unit: 'char' } };
        await bus.publishJob('metrics', payload);
        await waitFor('delivery', () => seen.length === 1);
        await sleep(300);
        assert.deepEqual(seen, [{ payload, attempt: 1 }]);
      }));

    it('shares jobs between two consumers on the same durable without duplicates', () =>
      withFixture(make, async (f) => {
        const [a, b] = [await f.connect(), await f.connect()];
        const seenBy: Record<string, string[]> = { a: [], b: [] };
        for (const [label, bus] of [
          ['a', a],
          ['b', b],
        ] as const) {
          await bus.consumeJobs(
            'capture',
            async (job) => {
              seenBy[label].push(job.payload.jobId);
              await sleep(30);
            },
            { concurrency: 2 },
          );
        }
        const ids = Array.from({ length: 20 }, (_, i) => `share-${i}`);
        for (const id of ids) await a.publishJob('capture', capture(id));
        await waitFor('all 20 jobs', () => seenBy.a.length + seenBy.b.length >= 20);
        await sleep(300);
        const all = [...seenBy.a, ...seenBy.b];
        assert.equal(all.length, 20, 'each job delivered exactly once');
        assert.deepEqual([...all].sort(), [...ids].sort());
        assert.ok(seenBy.a.length > 0 && seenBy.b.length > 0, `both consumers worked: a=${seenBy.a.length} b=${seenBy.b.length}`);
      }));

    it('redelivers a job whose handler threw, with attempt 2', () =>
      withFixture(make, async (f) => {
        const logger = capturingLogger();
        const bus = await f.connect(logger);
        const attempts: number[] = [];
        await bus.consumeJobs(
          'capture',
          async (job) => {
            attempts.push(job.attempt);
            if (job.attempt === 1) throw new Error('transient');
          },
          { retryDelayMs: 50 },
        );
        await bus.publishJob('capture', capture('retry-1'));
        await waitFor('second attempt', () => attempts.length === 2);
        await sleep(300);
        assert.deepEqual(attempts, [1, 2]);
        assert.ok(logger.lines.some((l) => l.level === 'warn' && l.context.jobId === 'retry-1'));
      }));

    it('does not redeliver after JobFailed{retry:false}, and logs it', () =>
      withFixture(make, async (f) => {
        const logger = capturingLogger();
        const bus = await f.connect(logger);
        const attempts: number[] = [];
        await bus.consumeJobs(
          'capture',
          async (job) => {
            attempts.push(job.attempt);
            throw new JobFailed('checkpoint unusable', { retry: false });
          },
          { ackWaitMs: 1000, retryDelayMs: 50 },
        );
        await bus.publishJob('capture', capture('fatal-1'));
        await waitFor('first attempt', () => attempts.length === 1);
        await sleep(1500); // past ackWait: a message that was not terminated would be back by now
        assert.deepEqual(attempts, [1]);
        assert.ok(logger.lines.some((l) => l.level === 'error' && l.context.jobId === 'fatal-1'));
      }));

    it('gives up after maxDeliver failed attempts and logs an error', () =>
      withFixture(make, async (f) => {
        const logger = capturingLogger();
        const bus = await f.connect(logger);
        const attempts: number[] = [];
        await bus.consumeJobs(
          'evaluation',
          async (job) => {
            attempts.push(job.attempt);
            throw new Error('always broken');
          },
          { maxDeliver: 3, retryDelayMs: 20, ackWaitMs: 1000 },
        );
        await bus.publishJob('evaluation', { jobId: 'doomed', checkpointId: 'c', task: 'gsm8k' });
        await waitFor('three attempts', () => attempts.length === 3);
        await sleep(1300);
        assert.deepEqual(attempts, [1, 2, 3]);
        const giveUp = logger.lines.filter((l) => l.level === 'error' && l.context.jobId === 'doomed');
        assert.equal(giveUp.length, 1);
        assert.match(giveUp[0].message, /last allowed attempt/);
      }));

    it('redelivers a job neither acked nor heartbeated within ackWait', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        const attempts: { attempt: number; at: number }[] = [];
        const start = Date.now();
        await bus.consumeJobs(
          'capture',
          async (job) => {
            attempts.push({ attempt: job.attempt, at: Date.now() - start });
            if (job.attempt === 1) await sleep(2000); // silent: no progress(), no ack
          },
          { ackWaitMs: 1000, concurrency: 2 },
        );
        await bus.publishJob('capture', capture('stuck-1'));
        // Generous: on a loaded machine (the whole suite shares the NATS server) a pull cycle can lag.
        await waitFor('redelivery', () => attempts.length === 2, 10_000);
        assert.equal(attempts[1].attempt, 2);
        assert.ok(attempts[1].at >= 900, `redelivered after ackWait, not before (${attempts[1].at} ms)`);
      }));

    it('does not redeliver a job longer than ackWait that sends heartbeats via progress()', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        const progress: number[] = [];
        bus.subscribeProgress({ kind: 'capture', jobId: 'long-1' }, (p) => void progress.push(p.done));
        const attempts: number[] = [];
        let finished = false;
        await bus.consumeJobs(
          'capture',
          async (job) => {
            attempts.push(job.attempt);
            for (let i = 1; i <= 10; i++) {
              await sleep(250);
              job.progress(i, 10);
            }
            finished = true;
          },
          { ackWaitMs: 1000, concurrency: 2 },
        );
        await bus.publishJob('capture', capture('long-1'));
        await waitFor('job end', () => finished, 6000);
        await sleep(1200);
        assert.deepEqual(attempts, [1], 'one delivery although the job ran 2.5 x ackWait');
        assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }));

    it('cancelJob from another connection aborts the running job, which is not redelivered', () =>
      withFixture(make, async (f) => {
        const [worker, api] = [await f.connect(), await f.connect()];
        const reasons: unknown[] = [];
        const attempts: number[] = [];
        await worker.consumeJobs(
          'capture',
          async (job) => {
            attempts.push(job.attempt);
            await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
            reasons.push(job.signal.reason);
            job.signal.throwIfAborted();
          },
          { ackWaitMs: 1000 },
        );
        await api.publishJob('capture', capture('cancel-me'));
        await waitFor('start', () => attempts.length === 1);
        await api.cancelJob('capture', 'cancel-me');
        await waitFor('abort', () => reasons.length === 1);
        assert.ok(reasons[0] instanceof JobCancelledError);
        assert.equal((reasons[0] as JobCancelledError).jobId, 'cancel-me');
        await sleep(1300);
        assert.deepEqual(attempts, [1]);
      }));

    it('terminates unrun a job that arrives after it was cancelled', () =>
      withFixture(make, async (f) => {
        const [worker, api] = [await f.connect(), await f.connect()];
        const seen: string[] = [];
        await worker.consumeJobs('capture', async (job) => void seen.push(job.payload.jobId));
        await api.cancelJob('capture', 'early-cancel');
        await sleep(100);
        await api.publishJob('capture', capture('early-cancel'));
        await api.publishJob('capture', capture('not-cancelled'));
        await waitFor('the other job', () => seen.includes('not-cancelled'));
        await sleep(200);
        assert.deepEqual(seen, ['not-cancelled']);
      }));

    it('stop() waits for a running job, which is then acked (not redelivered)', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        const attempts: number[] = [];
        let finished = false;
        const consumer = await bus.consumeJobs(
          'capture',
          async (job) => {
            attempts.push(job.attempt);
            await sleep(300);
            finished = true;
          },
          { ackWaitMs: 1000 },
        );
        await bus.publishJob('capture', capture('drain-1'));
        await waitFor('start', () => attempts.length === 1);
        await consumer.stop();
        assert.ok(finished, 'stop() resolved only after the handler finished');
        const other = await f.connect();
        await other.consumeJobs('capture', async (job) => void attempts.push(job.attempt), { ackWaitMs: 1000 });
        await sleep(1300);
        assert.deepEqual(attempts, [1]);
      }));

    it('stop() aborts a job that outlives drainTimeoutMs; another worker gets it at once', () =>
      withFixture(make, async (f) => {
        const [first, second] = [await f.connect(), await f.connect()];
        const reasons: unknown[] = [];
        const consumer = await first.consumeJobs(
          'capture',
          async (job) => {
            await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
            reasons.push(job.signal.reason);
            job.signal.throwIfAborted();
          },
          { drainTimeoutMs: 100, ackWaitMs: 30_000 },
        );
        await first.publishJob('capture', capture('abandon-1'));
        await sleep(200);
        await consumer.stop();
        assert.ok(reasons[0] instanceof BusShutdownError);
        const attempts: number[] = [];
        await second.consumeJobs('capture', async (job) => void attempts.push(job.attempt), { ackWaitMs: 30_000 });
        // Far less than ackWait: the job was handed back (nak), not left to time out.
        await waitFor('redelivery to the second worker', () => attempts.length === 1, 3000);
        assert.deepEqual(attempts, [2]);
      }));

    it('delivers each event to every durable once, shared among subscribers of one durable', () =>
      withFixture(make, async (f) => {
        const [x, y] = [await f.connect(), await f.connect()];
        const got: Record<string, number[]> = { a1: [], a2: [], b: [] };
        await x.subscribeEvents('checkpoint.registered', async (e) => void got.a1.push(e.step), { durable: 'gateway' });
        await y.subscribeEvents('checkpoint.registered', async (e) => void got.a2.push(e.step), { durable: 'gateway' });
        await y.subscribeEvents('checkpoint.registered', async (e) => void got.b.push(e.step), { durable: 'metrics' });
        for (let step = 1; step <= 6; step++) {
          await x.publishEvent('checkpoint.registered', { checkpointId: `c${step}`, runId: 'r', step, uri: `file:///c${step}` });
        }
        await waitFor('all events', () => got.a1.length + got.a2.length === 6 && got.b.length === 6);
        await sleep(300);
        assert.deepEqual(
          [...got.a1, ...got.a2].sort((p, q) => p - q),
          [1, 2, 3, 4, 5, 6],
        );
        assert.deepEqual(got.b, [1, 2, 3, 4, 5, 6]);
      }));

    it('redelivers an event whose handler threw, and keeps one durable per event name', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect(capturingLogger());
        const calls: string[] = [];
        let failOnce = true;
        await bus.subscribeEvents(
          'run.created',
          async (e) => {
            calls.push(`run:${e.runId}`);
            if (failOnce) {
              failOnce = false;
              throw new Error('db down');
            }
          },
          { durable: 'svc', retryDelayMs: 50 },
        );
        // Same durable name, different event: an independent subscription.
        await bus.subscribeEvents('probeSet.created', async (e) => void calls.push(`probes:${e.probeSetId}`), { durable: 'svc' });
        await bus.publishEvent('run.created', { runId: 'r1' });
        await bus.publishEvent('probeSet.created', { probeSetId: 'p1' });
        await waitFor('retry and other event', () => calls.length === 3);
        await sleep(300);
        assert.deepEqual(
          calls.filter((c) => c.startsWith('run:')),
          ['run:r1', 'run:r1'],
        );
        assert.deepEqual(
          calls.filter((c) => c.startsWith('probes:')),
          ['probes:p1'],
        );
      }));

    it("a new durable starts at the oldest retained event, or only new ones with deliver: 'new'", () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        await bus.publishEvent('run.created', { runId: 'before' });
        const all: string[] = [];
        const fresh: string[] = [];
        await bus.subscribeEvents('run.created', async (e) => void all.push(e.runId), { durable: 'late-all' });
        await bus.subscribeEvents('run.created', async (e) => void fresh.push(e.runId), { durable: 'late-new', deliver: 'new' });
        await bus.publishEvent('run.created', { runId: 'after' });
        await waitFor('both events', () => all.length === 2 && fresh.length === 1);
        await sleep(200);
        assert.deepEqual(all, ['before', 'after']);
        assert.deepEqual(fresh, ['after']);
      }));

    it('filters progress by kind and job id', () =>
      withFixture(make, async (f) => {
        const [pub, sub] = [await f.connect(), await f.connect()];
        const got: Record<string, string[]> = { exact: [], kind: [], all: [] };
        const label = (p: { kind: string; jobId: string }) => `${p.kind}/${p.jobId}`;
        sub.subscribeProgress({ kind: 'capture', jobId: 'j1' }, (p) => void got.exact.push(label(p)));
        sub.subscribeProgress({ kind: 'capture' }, (p) => void got.kind.push(label(p)));
        const all = sub.subscribeProgress({}, (p) => void got.all.push(label(p)));
        const byJob: string[] = [];
        sub.subscribeProgress({ jobId: 'j1' }, (p) => void byJob.push(label(p)));
        await sleep(100); // core NATS subscriptions are asynchronous to register
        pub.publishProgress({ kind: 'capture', jobId: 'j1', done: 1, total: 2, status: 'running' });
        pub.publishProgress({ kind: 'capture', jobId: 'j2', done: 0, total: 2, status: 'queued' });
        pub.publishProgress({ kind: 'evaluation', jobId: 'j1', done: 2, total: 2, status: 'completed', message: 'ok' });
        await waitFor('progress fan-out', () => got.all.length === 3);
        await sleep(100);
        assert.deepEqual(got.exact, ['capture/j1']);
        assert.deepEqual(got.kind, ['capture/j1', 'capture/j2']);
        assert.deepEqual(got.all, ['capture/j1', 'capture/j2', 'evaluation/j1']);
        assert.deepEqual(byJob, ['capture/j1', 'evaluation/j1']);
        await all.stop();
        pub.publishProgress({ kind: 'evaluation', jobId: 'j3', done: 0, total: 1, status: 'running' });
        await sleep(150);
        assert.equal(got.all.length, 3, 'no delivery after stop()');
      }));

    it('rejects invalid payloads with BusPayloadError naming subject and field', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        const isError = (field: string, subject: RegExp) => (err: unknown) =>
          err instanceof BusPayloadError && err.field === field && subject.test(err.subject) && err.message.includes(field);
        const bad = { jobId: 'x', checkpointId: 5, probeSetId: 'p' } as unknown as JobPayload<'capture'>;
        await assert.rejects(bus.publishJob('capture', bad), isError('checkpointId', /jobs\.capture$/));
        const missing = { jobId: 'x', checkpointId: 'c' } as unknown as JobPayload<'capture'>;
        await assert.rejects(bus.publishJob('capture', missing), isError('probeSetId', /jobs\.capture$/));
        const extra = { ...capture('x'), checkpointID: 'typo' } as unknown as JobPayload<'capture'>;
        await assert.rejects(bus.publishJob('capture', extra), isError('checkpointID', /jobs\.capture$/));
        await assert.rejects(bus.publishJob('capture', capture('has.dot')), isError('jobId', /jobs\.capture$/));
        await assert.rejects(bus.publishEvent('checkpoint.registered', { checkpointId: 'c', runId: 'r', step: -1, uri: 'u' }), isError('step', /events\.checkpoint\.registered$/));
        assert.throws(() => bus.publishProgress({ kind: 'capture', jobId: 'j', done: 1, total: 2, status: 'paused' as 'running' }), isError('status', /progress\.capture\.j$/));
      }));

    it('deduplicates a second publishJob with the same jobId', () =>
      withFixture(make, async (f) => {
        const bus = await f.connect();
        const seen: string[] = [];
        await bus.consumeJobs('capture', async (job) => void seen.push(job.payload.checkpointId));
        await bus.publishJob('capture', capture('dup-1'));
        await bus.publishJob('capture', { ...capture('dup-1'), checkpointId: 'other' });
        // The same id of another kind is a different job.
        await bus.publishJob('metrics', { jobId: 'dup-1', checkpointId: 'c', probeSetId: 'p' });
        await waitFor('delivery', () => seen.length >= 1);
        await sleep(500);
        assert.deepEqual(seen, ['ckpt-1']);
        const metrics: string[] = [];
        await bus.consumeJobs('metrics', async (job) => void metrics.push(job.payload.jobId));
        await waitFor('the metrics job', () => metrics.length === 1);
      }));
  });
}
