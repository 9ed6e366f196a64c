// Moves what a deployment's streams still hold under a renamed subject (contracts.ts RENAMED_*) to
// its new name, once, when a broker connects: queued jobs would otherwise wait forever on a subject
// no worker reads, and unread events would never reach the renamed subscribers. Idempotent, and safe
// when several services connect at once (republished messages carry a dedupe id). A stream with
// nothing under an old name costs two reads per connect and no write.
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

/** One old subject of a stream, its new name, and which of its messages still need handling. */
interface Rename {
  from: string;
  to: string;
  /** Messages at or below this sequence were handled by every old consumer (0: none were). */
  handledThrough(oldConsumers: readonly ConsumerInfo[]): number;
  dedupeId(data: Uint8Array, seq: number): string;
}

export async function moveRenamedSubjects(jsm: JetStreamManager, js: JetStreamClient, names: BusNames): Promise<RenamedSubjectsReport> {
  const report: RenamedSubjectsReport = { moved: 0, consumersRemoved: 0 };
  const jobs = Object.entries(RENAMED_JOBS).map(
    ([old, kind]): Rename => ({
      from: `${names.prefix}jobs.${old}`,
      to: names.job(kind),
      // A work queue holds exactly the jobs not yet done: all of them move.
      handledThrough: () => 0,
      dedupeId: (data, seq) => jobDedupeId(kind, data, seq),
    }),
  );
  const events = Object.entries(RENAMED_EVENTS).map(
    ([old, name]): Rename => ({
      from: `${names.prefix}events.${old}`,
      to: names.event(name),
      // Events every old subscriber acknowledged were handled; the rest (all of them when nobody
      // subscribed, as a new durable would replay them) move.
      handledThrough: (legacy) => (legacy.length === 0 ? 0 : Math.min(...legacy.map((c) => c.ack_floor.stream_seq))),
      dedupeId: (_data, seq) => `renamed:${old}:${seq}`,
    }),
  );
  await moveStream(jsm, js, names.jobsStream, names.jobsWildcard, jobs, report);
  await moveStream(jsm, js, names.eventsStream, names.eventsWildcard, events, report);
  return report;
}

async function moveStream(jsm: JetStreamManager, js: JetStreamClient, stream: string, wildcard: string, renames: readonly Rename[], report: RenamedSubjectsReport): Promise<void> {
  const stored = (await jsm.streams.info(stream, { subjects_filter: wildcard })).state.subjects ?? {};
  const consumers: ConsumerInfo[] = [];
  for await (const c of jsm.consumers.list(stream)) consumers.push(c);
  for (const r of renames) {
    const legacy = consumers.filter((c) => c.config.filter_subject === r.from || (c.config.filter_subjects ?? []).includes(r.from));
    if (legacy.length === 0 && !(stored[r.from] ?? 0)) continue;
    report.moved += await republish(jsm, js, stream, r, r.handledThrough(legacy));
    report.consumersRemoved += await removeConsumers(jsm, stream, legacy);
    await jsm.streams.purge(stream, { filter: r.from });
  }
}

async function republish(jsm: JetStreamManager, js: JetStreamClient, stream: string, r: Rename, afterSeq: number): Promise<number> {
  let moved = 0;
  for (let seq = afterSeq + 1; ; ) {
    // next_by_subj is the server's "first message on this subject from seq" (the typed API omits it).
    const m = await jsm.streams.getMessage(stream, { seq, next_by_subj: r.from } as unknown as MsgRequest);
    if (m === null) return moved;
    await js.publish(r.to, m.data, { msgID: r.dedupeId(m.data, m.seq) });
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
