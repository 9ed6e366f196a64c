// Moves what a deployment's streams still hold under a renamed subject (contracts.ts RENAMED_*) to
// its new name, once, when a broker connects: queued jobs would otherwise wait forever on a subject
// no worker reads, and unread events would never reach the renamed subscribers. Idempotent, and safe
// when several services connect at once (republished messages carry a dedupe id).
import { JetStreamApiCodes, JetStreamApiError, type ConsumerInfo, type JetStreamClient, type JetStreamManager, type MsgRequest } from '@nats-io/jetstream';
import { RENAMED_EVENTS, RENAMED_JOBS, type JobKind } from '../contracts.js';
import { decodeJson } from '../runtime/decode.js';
import { jobMessageId, type BusNames } from '../names.js';

export interface RenamedSubjectsReport {
  /** Messages republished under their new subject. */
  moved: number;
  /** Durable consumers of an old subject that were removed. */
  consumersRemoved: number;
}

export async function moveRenamedSubjects(jsm: JetStreamManager, js: JetStreamClient, names: BusNames): Promise<RenamedSubjectsReport> {
  const report: RenamedSubjectsReport = { moved: 0, consumersRemoved: 0 };
  for (const [old, kind] of Object.entries(RENAMED_JOBS)) {
    const from = `${names.prefix}jobs.${old}`;
    // A work queue holds exactly the jobs not yet done: all of them move.
    report.moved += await republish(jsm, js, names.jobsStream, from, names.job(kind), 0, (data, seq) => jobDedupeId(kind, data, seq));
    report.consumersRemoved += await removeConsumers(jsm, names.jobsStream, await consumersOf(jsm, names.jobsStream, from));
    await purgeSubject(jsm, names.jobsStream, from);
  }
  for (const [old, name] of Object.entries(RENAMED_EVENTS)) {
    const from = `${names.prefix}events.${old}`;
    const legacy = await consumersOf(jsm, names.eventsStream, from);
    // Events every old subscriber acknowledged were handled; the rest (all of them when nobody
    // subscribed, as a new durable would replay them) move.
    const handled = legacy.length === 0 ? 0 : Math.min(...legacy.map((c) => c.ack_floor.stream_seq));
    report.moved += await republish(jsm, js, names.eventsStream, from, names.event(name), handled, (_data, seq) => `renamed:${old}:${seq}`);
    report.consumersRemoved += await removeConsumers(jsm, names.eventsStream, legacy);
    await purgeSubject(jsm, names.eventsStream, from);
  }
  return report;
}

async function republish(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  from: string,
  to: string,
  afterSeq: number,
  dedupeId: (data: Uint8Array, seq: number) => string,
): Promise<number> {
  let moved = 0;
  for (let seq = afterSeq + 1; ; ) {
    // next_by_subj is the server's "first message on this subject from seq" (the typed API omits it).
    const m = await jsm.streams.getMessage(stream, { seq, next_by_subj: from } as unknown as MsgRequest);
    if (m === null) return moved;
    await js.publish(to, m.data, { msgID: dedupeId(m.data, m.seq) });
    moved += 1;
    seq = m.seq + 1;
  }
}

function jobDedupeId(kind: JobKind, data: Uint8Array, seq: number): string {
  const decoded = decodeJson(data);
  const jobId = decoded.ok && typeof decoded.value === 'object' && decoded.value !== null ? (decoded.value as { jobId?: unknown }).jobId : undefined;
  // The id a fresh publish of this job would carry, so a re-queue racing the move is one message.
  return typeof jobId === 'string' ? jobMessageId(kind, jobId) : `renamed:${kind}:${seq}`;
}

async function consumersOf(jsm: JetStreamManager, stream: string, subject: string): Promise<ConsumerInfo[]> {
  const found: ConsumerInfo[] = [];
  for await (const c of jsm.consumers.list(stream)) {
    if (c.config.filter_subject === subject || (c.config.filter_subjects ?? []).includes(subject)) found.push(c);
  }
  return found;
}

async function removeConsumers(jsm: JetStreamManager, stream: string, consumers: readonly ConsumerInfo[]): Promise<number> {
  let removed = 0;
  for (const c of consumers) {
    try {
      await jsm.consumers.delete(stream, c.name);
      removed += 1;
    } catch (err) {
      // Another service removed it first.
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    }
  }
  return removed;
}

async function purgeSubject(jsm: JetStreamManager, stream: string, subject: string): Promise<void> {
  await jsm.streams.purge(stream, { filter: subject });
}
