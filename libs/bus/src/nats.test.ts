import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { busContract, type BusFixture } from './bus.contract.js';
import { trackedJobContract } from './tracked-job.contract.js';
import { BusNames, connectBus, type Bus } from './index.js';

const NATS_URL = process.env.NATS_URL?.trim() || 'nats://127.0.0.1:4222';

const natsFixture = async (): Promise<BusFixture> => {
  // A random namespace per test: its own subjects and streams on the shared server.
  const names = new BusNames(`t${randomBytes(4).toString('hex')}.`);
  const buses: Bus[] = [];
  return {
    async connect(logger) {
      const bus = await connectBus({ kind: 'nats', servers: NATS_URL, prefix: names.prefix, ...(logger ? { logger } : {}) });
      buses.push(bus);
      return bus;
    },
    async dispose() {
      await Promise.all(buses.map((b) => b.close()));
      const nc = await connect({ servers: NATS_URL });
      try {
        const jsm = await jetstreamManager(nc);
        for (const stream of [names.jobsStream, names.eventsStream]) await jsm.streams.delete(stream).catch(() => false);
      } finally {
        await nc.close();
      }
    },
  };
};

busContract('nats', natsFixture);
trackedJobContract('nats', natsFixture);
