import { EVENTS, type EventName, type EventPayload } from '../contracts.js';
import { validate } from '../fields.js';
import type { BusLogger } from '../types.js';
import { retryDelay } from './backoff.js';
import { decodeJson } from './decode.js';
import type { Delivery } from './delivery.js';
import { describe } from './job-runner.js';

export interface EventRunnerOptions<E extends EventName> {
  name: E;
  subject: string;
  consumer: string;
  handler: (p: EventPayload<E>) => Promise<void>;
  maxDeliver: number;
  retryDelayMs: number;
  logger: BusLogger;
}

/** ack after the handler resolves; a throw is redelivered with backoff until maxDeliver, then terminated and logged. */
export async function runEvent<E extends EventName>(d: Delivery, o: EventRunnerOptions<E>): Promise<void> {
  const decoded = decodeJson(d.data);
  const parsed = decoded.ok ? validate(EVENTS[o.name], decoded.value, false) : { ok: false as const, field: '(payload)', problem: decoded.problem };
  if (!parsed.ok) {
    o.logger.error({ subject: o.subject, consumer: o.consumer, field: parsed.field, problem: parsed.problem }, 'bus: dropping event with invalid payload');
    d.term(`invalid payload: ${parsed.field} ${parsed.problem}`);
    return;
  }
  try {
    await o.handler(parsed.value as EventPayload<E>);
    d.ack();
  } catch (err) {
    const context = { subject: o.subject, consumer: o.consumer, attempt: d.attempt, err: describe(err) };
    if (d.attempt >= o.maxDeliver) {
      o.logger.error({ ...context, maxDeliver: o.maxDeliver }, 'bus: event handler failed on its last allowed attempt; giving up');
      d.term(`gave up after ${d.attempt} attempts: ${describe(err)}`);
    } else {
      const delayMs = retryDelay(o.retryDelayMs, d.attempt);
      o.logger.warn({ ...context, retryInMs: delayMs }, 'bus: event handler failed; will be redelivered');
      d.nak(delayMs);
    }
  }
}
