import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { ConsumerSpec } from '../runtime/broker.js';

/** Dedupe window for job ids (Nats-Msg-Id); the in-memory hub uses the same. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** Events are kept this long so a new durable subscriber can catch up. */
export const EVENT_MAX_AGE_MS = 7 * 24 * 3600_000;

export function jobsStreamConfig(name: string, subject: string): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [subject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}

export function eventsStreamConfig(name: string, subject: string): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(EVENT_MAX_AGE_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}

/** Create the stream, or bring an existing one to this configuration (idempotent; safe when racing). */
export async function ensureStream(jsm: JetStreamManager, cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(cfg.name);
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
    try {
      await jsm.streams.add(cfg);
      return;
    } catch (addErr) {
      // Another process created it between our info and add; fall through to update.
      if (!(addErr instanceof JetStreamApiError)) throw addErr;
    }
  }
  const { name, ...update } = cfg;
  await jsm.streams.update(name, update);
}

export function consumerConfig(spec: ConsumerSpec): ConsumerConfig {
  return {
    durable_name: spec.name,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    deliver_policy: spec.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
  };
}

/** Create the durable pull consumer, or update its settings (ackWait, maxDeliver) if it exists. */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, spec: ConsumerSpec): Promise<void> {
  const cfg = consumerConfig(spec);
  try {
    await jsm.consumers.info(stream, spec.name);
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    try {
      await jsm.consumers.add(stream, cfg);
      return;
    } catch (addErr) {
      if (!(addErr instanceof JetStreamApiError)) throw addErr;
    }
  }
  // deliver_policy cannot change on an existing consumer; everything else we set can.
  const { durable_name: _name, deliver_policy: _policy, ...update } = cfg;
  await jsm.consumers.update(stream, spec.name, update);
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
