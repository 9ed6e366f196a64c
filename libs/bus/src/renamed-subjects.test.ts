// An upgrade over a live NATS: jobs and events a deployment still holds under the old names
// (jobs.eval, events.eval.completed, events.probeset.*) reach the renamed workers and subscribers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { capturingLogger, waitFor } from './bus.contract.js';
import { BusNames, connectBus, type Bus } from './index.js';

const NATS_URL = process.env.NATS_URL?.trim() || 'nats://127.0.0.1:4222';
const names = new BusNames(`t${randomBytes(4).toString('hex')}.`);
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
let nc: NatsConnection;
let jsm: JetStreamManager;
const buses: Bus[] = [];

before(async () => {
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
  // What an earlier release left: its streams, two queued jobs, and events part-read by a subscriber.
  buses.push(await connectBus({ kind: 'nats', servers: NATS_URL, prefix: names.prefix, logger: capturingLogger() }));
  const js = jetstream(nc);
  await jsm.consumers.add(names.jobsStream, { durable_name: 'eval-workers', filter_subject: `${names.prefix}jobs.eval`, ack_policy: AckPolicy.Explicit });
  for (const jobId of ['j1', 'j2']) {
    await js.publish(`${names.prefix}jobs.eval`, encode({ jobId, checkpointId: 'c', task: 'gsm8k' }), { msgID: `eval:${jobId}` });
  }
  await jsm.consumers.add(names.eventsStream, {
    durable_name: 'metrics-groups-eval__eval_completed',
    filter_subject: `${names.prefix}events.eval.completed`,
    ack_policy: AckPolicy.Explicit,
  });
  for (const jobId of ['e1', 'e2', 'e3']) await js.publish(`${names.prefix}events.eval.completed`, encode({ jobId, checkpointId: 'c', task: 'gsm8k' }));
  const old = await js.consumers.get(names.eventsStream, 'metrics-groups-eval__eval_completed');
  const first = await old.next({ expires: 2000 });
  assert.ok(first, 'the old subscriber read the first event');
  assert.ok(await first.ackAck(), 'and acknowledged it');
  await js.publish(`${names.prefix}events.probeset.deleted`, encode({ probeSetId: 'p1' }));
});

after(async () => {
  await Promise.all(buses.map((b) => b.close()));
  for (const stream of [names.jobsStream, names.eventsStream]) await jsm.streams.delete(stream).catch(() => false);
  await nc.close();
});

test('connecting moves queued jobs and unhandled events to the renamed subjects, once', async () => {
  const logger = capturingLogger();
  const bus = await connectBus({ kind: 'nats', servers: NATS_URL, prefix: names.prefix, logger });
  buses.push(bus);
  assert.deepEqual(
    logger.lines.map((l) => l.context),
    [{ moved: 5, consumersRemoved: 2 }],
    '2 jobs, the 2 events the old subscriber had not acknowledged, 1 event nobody had read',
  );

  const jobs: string[] = [];
  const completed: string[] = [];
  const deleted: string[] = [];
  await bus.consumeJobs('evaluation', async (job) => void jobs.push(job.payload.jobId));
  await bus.subscribeEvents('evaluation.completed', async (e) => void completed.push(e.jobId), { durable: 'metrics-groups-evaluation' });
  await bus.subscribeEvents('probeSet.deleted', async (e) => void deleted.push(e.probeSetId), { durable: 'metrics-probe-set-deleted' });
  await waitFor('every moved message', () => jobs.length === 2 && completed.length === 2 && deleted.length === 1);
  assert.deepEqual(jobs.sort(), ['j1', 'j2']);
  assert.deepEqual(completed.sort(), ['e2', 'e3'], 'the acknowledged event is not handled again');
  assert.deepEqual(deleted, ['p1']);

  for (const subject of ['jobs.eval', 'events.eval.completed', 'events.probeset.deleted']) {
    const stream = subject.startsWith('jobs.') ? names.jobsStream : names.eventsStream;
    assert.equal(await jsm.streams.getMessage(stream, { last_by_subj: `${names.prefix}${subject}` }), null, `${subject} is empty`);
  }
  const consumers: string[] = [];
  for (const stream of [names.jobsStream, names.eventsStream]) for await (const c of jsm.consumers.list(stream)) consumers.push(c.name);
  assert.ok(!consumers.includes('eval-workers') && !consumers.includes('metrics-groups-eval__eval_completed'), consumers.join(', '));

  const again = capturingLogger();
  buses.push(await connectBus({ kind: 'nats', servers: NATS_URL, prefix: names.prefix, logger: again }));
  assert.deepEqual(again.lines, [], 'a second connect finds nothing to move');
});
