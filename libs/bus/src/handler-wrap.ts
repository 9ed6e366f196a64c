// A bus whose job handlers pass through `wrap` (timing, tracing) on their way to consumeJobs;
// everything else is the bus itself.
import type { JobKind } from './contracts.js';
import type { Bus, JobHandler } from './types.js';

export function wrapJobHandlers(bus: Bus, wrap: <K extends JobKind>(kind: K, handler: JobHandler<K>) => JobHandler<K>): Bus {
  return new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop === 'consumeJobs') {
        return <K extends JobKind>(kind: K, handler: JobHandler<K>, opts?: Parameters<Bus['consumeJobs']>[2]) => target.consumeJobs(kind, wrap(kind, handler), opts);
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
