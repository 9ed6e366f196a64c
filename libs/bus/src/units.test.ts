import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capturingLogger } from './bus.contract.js';
import { JOBS } from './contracts.js';
import { count, optional, text, token, validate } from './fields.js';
import { BusClosedError, BusConfigError, BusNames, connectBus, BusShutdownError, busConfigFromEnv, JobCancelledError, JobFailed, type JobContext } from './index.js';
import { MemoryStream } from './memory/memory-stream.js';
import { subjectMatches } from './memory/subject-match.js';
import { retryDelay } from './runtime/backoff.js';
import { CancelRegistry } from './runtime/cancel-registry.js';
import { encodeJson } from './runtime/decode.js';
import type { Delivery } from './runtime/delivery.js';
import { runJob, type JobRunnerOptions } from './runtime/job-runner.js';

describe('validate', () => {
  const shape = { id: token, n: count, note: optional(text) };

  it('returns only the shape fields, typed', () => {
    assert.deepEqual(validate(shape, { id: 'a-1', n: 3 }, true), { ok: true, value: { id: 'a-1', n: 3 } });
    assert.deepEqual(validate(shape, { id: 'a', n: 0, note: 'x', extra: 1 }, false), { ok: true, value: { id: 'a', n: 0, note: 'x' } });
  });

  it('names the first bad field and says why', () => {
    assert.deepEqual(validate(shape, { n: 1 }, true), { ok: false, field: 'id', problem: 'is required' });
    const r = validate(shape, { id: 'a', n: 1.5 }, true);
    assert.ok(!r.ok && r.field === 'n' && /integer >= 0, got 1.5/.test(r.problem));
    const e = validate(shape, { id: 'a', n: 1, extra: true }, true);
    assert.ok(!e.ok && e.field === 'extra' && /not part of this contract/.test(e.problem));
    const t = validate(shape, { id: 'a.b', n: 1 }, true);
    assert.ok(!t.ok && t.field === 'id');
    const p = validate(shape, [1], true);
    assert.ok(!p.ok && p.field === '(payload)' && /got array/.test(p.problem));
    const empty = validate(shape, { id: 'a', n: 1, note: '' }, true);
    assert.ok(!empty.ok && empty.field === 'note' && /empty/.test(empty.problem));
  });
});

describe('subjectMatches', () => {
  const cases: [string, string, boolean][] = [
    ['a.b.c', 'a.b.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*', 'a.b.c', false],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.b.c', 'a.b', false],
    ['*.*', 'a.b', true],
    ['p.progress.capture.*', 'p.progress.capture.j1', true],
    ['p.progress.*.j1', 'p.progress.evaluation.j1', true],
    ['p.progress.*.j1', 'p.progress.evaluation.j2', false],
  ];
  for (const [pattern, subject, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${subject}`, () => assert.equal(subjectMatches(pattern, subject), expected));
  }
});

describe('BusNames', () => {
  it('prefixes subjects and derives stream names', () => {
    const n = new BusNames('t8f3a.');
    assert.equal(n.job('capture'), 't8f3a.jobs.capture');
    assert.equal(n.event('capture.completed'), 't8f3a.events.capture.completed');
    assert.equal(n.jobsStream, 'T8F3A_JOBS');
    assert.equal(n.eventsStream, 'T8F3A_EVENTS');
    assert.equal(n.progressFilter({ jobId: 'j' }), 't8f3a.progress.*.j');
    assert.equal(n.cancel, 't8f3a.control.cancel');
    assert.equal(new BusNames().jobsStream, 'JOBS');
    assert.equal(new BusNames().job('evaluation'), 'jobs.evaluation');
  });

  it('rejects prefixes that would break subjects', () => {
    for (const bad of ['t8f3a', 'a..', '.a.', 'a b.', 'a.*.']) assert.throws(() => new BusNames(bad), BusConfigError);
  });
});

describe('retryDelay', () => {
  it('doubles per attempt from the base and caps at 60 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((a) => retryDelay(1000, a)),
      [1000, 2000, 4000, 8000],
    );
    assert.equal(retryDelay(1000, 20), 60_000);
    assert.equal(retryDelay(0, 3), 0);
  });
});

describe('busConfigFromEnv', () => {
  it('NATS_URL selects nats (comma-separated servers), otherwise memory', () => {
    assert.deepEqual(busConfigFromEnv({}), { kind: 'memory' });
    assert.deepEqual(busConfigFromEnv({ NATS_URL: 'nats://a:4222, nats://b:4222', BUS_PREFIX: 'staging.' }), {
      kind: 'nats',
      servers: ['nats://a:4222', 'nats://b:4222'],
      prefix: 'staging.',
    });
    assert.throws(() => busConfigFromEnv({ NATS_URL: 'http://x y' }), /NATS_URL/);
  });
});

describe('CancelRegistry', () => {
  it('aborts running jobs with JobCancelledError and remembers the cancel for 10 minutes', () => {
    const reg = new CancelRegistry();
    const c = new AbortController();
    const unregister = reg.register('capture', 'j', c);
    reg.cancel('capture', 'j', 1_000);
    assert.ok(c.signal.reason instanceof JobCancelledError);
    unregister();
    assert.equal(reg.wasCancelled('capture', 'j', 1_000 + 9 * 60_000), true);
    assert.equal(reg.wasCancelled('capture', 'j', 1_000 + 11 * 60_000), false);
    assert.equal(reg.wasCancelled('evaluation', 'j', 1_000), false);
  });
});

/** A Delivery that records what the runner decided. */
function fakeDelivery(data: unknown, attempt = 1): Delivery & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    data: typeof data === 'string' ? new TextEncoder().encode(data) : encodeJson(data),
    attempt,
    ack: () => void calls.push('ack'),
    nak: (ms) => void calls.push(`nak:${ms}`),
    term: () => void calls.push('term'),
    working: () => void calls.push('working'),
  };
}

function runnerOptions(handler: (job: JobContext<'capture'>) => Promise<void>, cancels = new CancelRegistry()) {
  const logger = capturingLogger();
  const progress: unknown[] = [];
  const o: JobRunnerOptions<'capture'> = {
    kind: 'capture',
    subject: 'jobs.capture',
    handler,
    maxDeliver: 3,
    ackWaitMs: 1000,
    retryDelayMs: 100,
    cancels,
    publishProgress: (p) => void progress.push(p),
    logger,
  };
  return { o, logger, progress };
}

describe('runJob verdicts', () => {
  const job = { jobId: 'j1', checkpointId: 'c', probeSetId: 'p' };
  const never = new AbortController().signal;

  it('acks after the handler resolves', async () => {
    const d = fakeDelivery(job);
    await runJob(d, runnerOptions(async () => undefined).o, never);
    assert.deepEqual(d.calls, ['ack']);
  });

  it('naks with the backoff delay for the attempt when the handler throws', async () => {
    const d = fakeDelivery(job, 2);
    await runJob(
      d,
      runnerOptions(async () => {
        throw new Error('x');
      }).o,
      never,
    );
    assert.deepEqual(d.calls, ['nak:200']);
  });

  it('terms on the last allowed attempt, on JobFailed{retry:false}, but not on JobFailed{retry:true}', async () => {
    const last = fakeDelivery(job, 3);
    const { o, logger } = runnerOptions(async () => {
      throw new Error('x');
    });
    await runJob(last, o, never);
    assert.deepEqual(last.calls, ['term']);
    assert.equal(logger.lines[0].level, 'error');
    const fatal = fakeDelivery(job, 1);
    await runJob(
      fatal,
      runnerOptions(async () => {
        throw new JobFailed('bad', { retry: false });
      }).o,
      never,
    );
    assert.deepEqual(fatal.calls, ['term']);
    const retry = fakeDelivery(job, 1);
    await runJob(
      retry,
      runnerOptions(async () => {
        throw new JobFailed('flaky');
      }).o,
      never,
    );
    assert.deepEqual(retry.calls, ['nak:100']);
  });

  it('terms an invalid payload without calling the handler, naming the field in the log', async () => {
    let called = false;
    for (const data of ['not json', { jobId: 'j', checkpointId: 'c' }]) {
      const d = fakeDelivery(data);
      const { o, logger } = runnerOptions(async () => void (called = true));
      await runJob(d, o, never);
      assert.deepEqual(d.calls, ['term']);
      assert.match(String(logger.lines[0].context.field), /\(payload\)|probeSetId/);
    }
    assert.equal(called, false);
  });

  it('terms a cancelled job, and naks at once a job aborted by shutdown', async () => {
    const cancels = new CancelRegistry();
    const cancelled = fakeDelivery(job);
    await runJob(
      cancelled,
      runnerOptions(async (ctx) => {
        cancels.cancel('capture', 'j1');
        ctx.signal.throwIfAborted();
      }, cancels).o,
      never,
    );
    assert.deepEqual(cancelled.calls, ['term']);

    const shutdown = new AbortController();
    const stopped = fakeDelivery({ ...job, jobId: 'j2' });
    await runJob(
      stopped,
      runnerOptions(async (ctx) => {
        shutdown.abort(new BusShutdownError('test'));
        assert.ok(ctx.signal.reason instanceof BusShutdownError);
        ctx.signal.throwIfAborted();
      }).o,
      shutdown.signal,
    );
    assert.deepEqual(stopped.calls, ['nak:0']);
  });

  it('progress() publishes every call but heartbeats at most every ackWait/4', async () => {
    const d = fakeDelivery(job);
    const { o, progress } = runnerOptions(async (ctx) => {
      for (let i = 0; i < 50; i++) ctx.progress(i, 50);
      await new Promise((r) => setTimeout(r, 260));
      ctx.progress(50, 50, 'done');
    });
    await runJob(d, o, never);
    assert.equal(progress.length, 51);
    assert.deepEqual(progress[50], { kind: 'capture', jobId: 'j1', done: 50, total: 50, status: 'running', message: 'done' });
    assert.deepEqual(d.calls, ['working', 'ack']);
  });
});

describe('MemoryStream', () => {
  it('limits retention drops the oldest beyond maxMessages; a "new" consumer skips history', () => {
    const s = new MemoryStream({ name: 'E', retention: 'limits', duplicateWindowMs: 1000, maxMessages: 2 });
    for (const x of ['1', '2', '3']) s.publish('events.x', new TextEncoder().encode(x), undefined);
    assert.equal(new TextDecoder().decode(s.nextAfter('events.x', 0)!.data), '2');
    const late = s.ensureConsumer({ stream: 'events', name: 'late', filterSubject: 'events.x', ackWaitMs: 1000, maxDeliver: 1, deliver: 'new' });
    assert.ok(late);
    assert.equal(s.publish('events.x', new Uint8Array(), 'id-1', 0), true);
    assert.equal(s.publish('events.x', new Uint8Array(), 'id-1', 999), false, 'duplicate inside the window');
    assert.equal(s.publish('events.x', new Uint8Array(), 'id-1', 1001), true, 'window passed');
  });

  it('a work-queue stream refuses a second consumer on the same subject', () => {
    const s = new MemoryStream({ name: 'J', retention: 'workqueue', duplicateWindowMs: 1000 });
    const spec = { stream: 'jobs' as const, name: 'a', filterSubject: 'jobs.capture', ackWaitMs: 1000, maxDeliver: 1, deliver: 'all' as const };
    s.ensureConsumer(spec);
    assert.doesNotThrow(() => s.ensureConsumer({ ...spec, ackWaitMs: 2000 }), 'same durable: update');
    assert.throws(() => s.ensureConsumer({ ...spec, name: 'b' }), /already has consumer a/);
  });
});

it('every job contract has a jobId field', () => {
  for (const [kind, shape] of Object.entries(JOBS)) assert.ok('jobId' in shape, kind);
});

describe('BrokerBus argument checks (memory)', () => {
  it('rejects bad consumer options, a second durable for one job kind, and use after close', async () => {
    const bus = await connectBus({ kind: 'memory', logger: capturingLogger() });
    const handler = async () => undefined;
    await assert.rejects(bus.consumeJobs('capture', handler, { concurrency: 0 }), (e: Error) => e instanceof BusConfigError && /^concurrency:/.test(e.message));
    await assert.rejects(bus.consumeJobs('capture', handler, { ackWaitMs: 1.5 }), /ackWaitMs/);
    await assert.rejects(bus.consumeJobs('capture', handler, { durable: 'a.b' }), /durable/);
    await assert.rejects(bus.subscribeEvents('run.created', handler, { durable: '' }), /durable/);
    const first = await bus.consumeJobs('capture', handler);
    await assert.rejects(bus.consumeJobs('capture', handler, { durable: 'other' }), /one durable per job kind/);
    assert.throws(() => bus.subscribeProgress({ jobId: 'a.b' }, () => undefined), /jobId/);
    await first.stop();
    await bus.close();
    await assert.rejects(bus.publishJob('capture', { jobId: 'j', checkpointId: 'c', probeSetId: 'p' }), BusClosedError);
    assert.throws(() => bus.publishProgress({ kind: 'capture', jobId: 'j', done: 0, total: 1, status: 'queued' }), BusClosedError);
    await bus.close(); // idempotent
  });
});
