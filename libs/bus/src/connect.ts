import { BrokerBus } from './broker-bus.js';
import { stderrLogger } from './config.js';
import { BusConfigError } from './errors.js';
import { MemoryBroker } from './memory/memory-broker.js';
import { MemoryHub } from './memory/memory-hub.js';
import { BusNames } from './names.js';
import { NatsBroker } from './nats/nats-broker.js';
import type { RenamedSubjectsReport } from './nats/renamed-subjects.js';
import type { Bus, BusConfig } from './types.js';

/** Connects to NATS (creating/updating the JOBS and EVENTS streams) or to an in-memory hub. */
export async function connectBus(config: BusConfig): Promise<Bus> {
  const names = new BusNames(config.prefix ?? '');
  const logger = config.logger ?? stderrLogger;
  switch (config.kind) {
    case 'nats': {
      const servers = Array.isArray(config.servers) ? config.servers : [config.servers];
      if (servers.length === 0 || servers.some((s) => !s)) throw new BusConfigError('servers', 'must name at least one server');
      const onRenamedSubjects = (r: RenamedSubjectsReport) => logger.warn({ ...r }, 'bus: moved messages off renamed subjects (an upgrade) and removed their old consumers');
      return new BrokerBus(await NatsBroker.connect({ servers, name: config.name, onRenamedSubjects }, names), names, logger);
    }
    case 'memory':
      return new BrokerBus(new MemoryBroker(config.hub ?? new MemoryHub(), names), names, logger);
    default: {
      const unknown: never = config;
      throw new BusConfigError('kind', `must be 'nats' or 'memory', got ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
