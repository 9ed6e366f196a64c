import { BusShutdownError } from '../errors.js';
import type { BusLogger, Stoppable } from '../types.js';
import { sleep } from './backoff.js';
import type { Delivery, DeliverySource } from './delivery.js';

export interface PoolOptions {
  concurrency: number;
  drainTimeoutMs: number;
  /** Names the consumer in logs and in the shutdown abort reason. */
  what: string;
  logger: BusLogger;
}

/** After aborting the handlers on shutdown, how long stop() still waits for them to settle. */
const ABORT_GRACE_MS = 5_000;

/**
 * Pulls only as many deliveries as there are free slots (so a slow job never sits in a client-side
 * buffer while its ackWait runs) and runs `process` on each. `process` owns ack/nak/term and gets a
 * signal that aborts when stop() gives up waiting for it. stop(): no more pulls, wait for running
 * work up to drainTimeoutMs, then abort it and wait a little longer.
 */
export function startPool(source: DeliverySource, process: (d: Delivery, shutdown: AbortSignal) => Promise<void>, opts: PoolOptions): Stoppable {
  const stopping = new AbortController();
  const shutdown = new AbortController();
  const running = new Set<Promise<void>>();
  let slotFreed: () => void = () => undefined;

  const launch = (d: Delivery) => {
    const task = process(d, shutdown.signal)
      .catch((err: unknown) => opts.logger.error({ consumer: opts.what, err: String(err) }, 'bus: delivery processing failed'))
      .finally(() => {
        running.delete(task);
        slotFreed();
      });
    running.add(task);
  };

  const waitForSlot = () =>
    new Promise<void>((resolve) => {
      if (running.size < opts.concurrency || stopping.signal.aborted) return resolve();
      const done = () => {
        stopping.signal.removeEventListener('abort', done);
        slotFreed = () => undefined;
        resolve();
      };
      slotFreed = done;
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await waitForSlot();
      if (stopping.signal.aborted) break;
      try {
        for await (const d of source.pull(opts.concurrency - running.size, stopping.signal)) {
          // Arrived after stop(): hand it straight back for another worker.
          if (stopping.signal.aborted) d.nak(0);
          else launch(d);
        }
      } catch (err) {
        if (stopping.signal.aborted) break;
        opts.logger.warn({ consumer: opts.what, err: String(err) }, 'bus: pull failed, retrying in 1 s');
        await sleep(1000, stopping.signal);
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await loop;
        if (!(await settled(running, opts.drainTimeoutMs))) {
          shutdown.abort(new BusShutdownError(opts.what));
          if (!(await settled(running, ABORT_GRACE_MS))) {
            opts.logger.warn({ consumer: opts.what, running: running.size }, 'bus: handlers ignored shutdown; leaving them to ackWait');
          }
        }
      })();
      return stopped;
    },
  };
}

/** True if every task settled within `ms`. */
async function settled(tasks: Set<Promise<void>>, ms: number): Promise<boolean> {
  if (tasks.size === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const all = Promise.allSettled([...tasks]).then(() => true as const);
  const result = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return result;
}
