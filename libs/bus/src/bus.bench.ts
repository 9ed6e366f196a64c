// Job and progress throughput, in-memory vs NATS: `npm run bench -- bus.bench`.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { BusNames, connectBus, type Bus, type BusConfig } from './index.js';

const NATS_URL = process.env.NATS_URL?.trim() || 'nats://127.0.0.1:4222';
const JOBS = 2000;
const PROGRESS = 20000;

let round = 0;

async function jobsPerSecond(bus: Bus, concurrency: number): Promise<number> {
  round++; // fresh job ids: repeats within 2 minutes would be deduplicated
  let done = 0;
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const worker = await bus.consumeJobs('metrics', async () => void (++done === JOBS && finish()), { concurrency });
  const start = performance.now();
  for (let i = 0; i < JOBS; i++) await bus.publishJob('metrics', { jobId: `r${round}-${i}`, checkpointId: 'c', probeSetId: 'p' });
  await all;
  const seconds = (performance.now() - start) / 1000;
  await worker.stop();
  return JOBS / seconds;
}

async function progressPerSecond(bus: Bus): Promise<number> {
  let got = 0;
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const sub = bus.subscribeProgress({ kind: 'capture' }, () => void (++got === PROGRESS && finish()));
  await new Promise((r) => setTimeout(r, 100));
  const start = performance.now();
  for (let i = 0; i < PROGRESS; i++) bus.publishProgress({ kind: 'capture', jobId: 'j', done: i, total: PROGRESS, status: 'running' });
  await all;
  const seconds = (performance.now() - start) / 1000;
  await sub.stop();
  return PROGRESS / seconds;
}

async function run(label: string, config: BusConfig, cleanup: () => Promise<void>): Promise<void> {
  const bus = await connectBus(config);
  try {
    for (const c of [1, 8]) console.log(`${label}: ${JOBS} jobs publish->ack, concurrency ${c}: ${(await jobsPerSecond(bus, c)).toFixed(0)} jobs/s`);
    console.log(`${label}: ${PROGRESS} progress messages: ${(await progressPerSecond(bus)).toFixed(0)} msgs/s`);
  } finally {
    await bus.close();
    await cleanup();
  }
}

await run('memory', { kind: 'memory' }, async () => undefined);
const names = new BusNames(`bench${randomBytes(3).toString('hex')}.`);
await run('nats', { kind: 'nats', servers: NATS_URL, prefix: names.prefix }, async () => {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const s of [names.jobsStream, names.eventsStream]) await jsm.streams.delete(s).catch(() => false);
  await nc.close();
});
