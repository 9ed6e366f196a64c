import { busContract, type BusFixture } from './bus.contract.js';
import { trackedJobContract } from './tracked-job.contract.js';
import { connectBus, MemoryHub, type Bus } from './index.js';

const memoryFixture = async (): Promise<BusFixture> => {
  const hub = new MemoryHub();
  const buses: Bus[] = [];
  return {
    async connect(logger) {
      const bus = await connectBus({ kind: 'memory', hub, prefix: 'test.', ...(logger ? { logger } : {}) });
      buses.push(bus);
      return bus;
    },
    async dispose() {
      await Promise.all(buses.map((b) => b.close()));
    },
  };
};

busContract('memory', memoryFixture);
trackedJobContract('memory', memoryFixture);
