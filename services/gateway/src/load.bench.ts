// `npm run bench -- load`: the embedded platform (the start command, as a child process, on loopback)
// under concurrent clients, after the demo run is complete: a cheap query and the dashboard's
// heaviest (a domain's metric series, memorization and a correlation). Reports requests per second,
// latency percentiles, errors and the server's resident memory before and after. Bounded in time:
// LOAD_SECONDS per scenario (default 10). The first run computes the demo into
// $LOAD_BENCH_DATA_DIR (default <tmp>/grokwatch-load-bench, about 80 s); later runs reuse it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:http';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const DATA_DIR = process.env.LOAD_BENCH_DATA_DIR ?? join(tmpdir(), 'grokwatch-load-bench');

const CHEAP = '{ runs { name } }';
const HEAVY = `query Heavy($id: ID!, $ps: ID!) {
  run(id: $id) {
    loss: metricSeries(probeSet: $ps, metric: training_loss) { points { step value } coverage { complete } }
    targetLoss: metricSeries(probeSet: $ps, metric: target_loss) { points { step value } coverage { complete } }
    distance: metricSeries(probeSet: $ps, metric: distance) { points { step value } coverage { complete } }
    distanceNormalized: metricSeries(probeSet: $ps, metric: distance, normalized: true) { points { step value } coverage { complete } }
    consistency: metricSeries(probeSet: $ps, metric: consistency) { points { step value } coverage { complete } }
    effectiveDimension: metricSeries(probeSet: $ps, metric: effective_dimension) { points { step value } coverage { complete } }
    memorization(probeSet: $ps) { eps memorized total groups { step size } }
    correlation(probeSet: $ps, metric: distance, normalized: true, benchmark: "grok_math") { pearson spearman n coverage { complete } }
  }
}`;

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(): Promise<Server> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    DATA_DIR,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_S: '0',
    WATCH_INTERVAL_MS: '500',
    DEMO_RUN_DIRS: join(ROOT, 'models', 'grokking-clean'),
  };
  for (const name of ['DATABASE_URL', 'NATS_URL', 'GROKWATCH_API_KEY', 'GROKWATCH_DEMO']) delete env[name];
  const child = spawn(process.execPath, [join(ROOT, 'services', 'gateway', 'dist', 'embedded.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((res, rej) => {
    let found = '';
    const timer = setTimeout(() => rej(new Error('the demo did not complete within 10 minutes')), 600_000);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      found ||= /GraphQL +(http\S+)/.exec(text)?.[1] ?? '';
      if (/\[demo\] .* complete in \d+ s/.test(text) && found) {
        clearTimeout(timer);
        res(found);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => rej(new Error(`the server exited (${code})`)));
  });
  return { url, child };
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

/** CPU seconds the process has used (user + system), from /proc/<pid>/stat at 100 ticks per second. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Result {
  clients: number;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** One POST on a kept-alive connection; resolves with whether it was a 200 without GraphQL errors. */
function post(url: URL, body: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(res.statusCode === 200 && !text.startsWith('{"errors"'));
      });
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

async function load(target: string, body: string, clients: number, seconds: number): Promise<Result> {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let errors = 0;
  const ask = async (): Promise<void> => {
    const t0 = performance.now();
    if (!(await post(url, body, agent))) errors += 1;
    latencies.push(performance.now() - t0);
  };
  // Warm-up: connections open, query plans cached.
  const warmEnd = performance.now() + 1_000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < warmEnd) await ask();
    }),
  );
  latencies.length = 0;
  errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) await ask();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { clients, requests: latencies.length, errors, perSecond: Math.round(latencies.length / elapsed), p50: at(0.5), p99: at(0.99), max: Math.round(latencies.at(-1) ?? 0) };
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const ids = (await (
      await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ runs { id name probeSets { id domain } } }' }),
      })
    ).json()) as { data: { runs: { id: string; name: string; probeSets: { id: string; domain: string }[] }[] } };
    const run = ids.data.runs.find((r) => r.name === 'grokking-clean')!;
    const ps = run.probeSets.find((p) => p.domain === 'math')!.id;
    const heavy = JSON.stringify({ query: HEAVY, variables: { id: run.id, ps } });
    const cheap = JSON.stringify({ query: CHEAP });
    const pid = server.child.pid!;
    const rows: string[] = [];
    // On two cores the load generator competes with the server: the server's CPU per request is the
    // figure that says what it could serve with a core to itself.
    const rss0 = rssMiB(pid);
    for (const [name, body, clients] of [
      ['cheap', cheap, 200],
      ['heavy', heavy, 50],
      ['heavy', heavy, 200],
    ] as const) {
      const before = rssMiB(pid);
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      const r = await load(server.url, body, clients, SECONDS);
      const cpu = cpuSeconds(pid) - cpu0;
      const wall = (performance.now() - t0) / 1000;
      const perRequestMs = (1000 * cpu) / Math.max(1, r.requests);
      rows.push(
        `| ${name} | ${r.clients} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.max} | ${r.errors} / ${r.requests} | ${Math.round((100 * cpu) / wall)}% | ${perRequestMs.toFixed(2)} | ${before} -> ${rssMiB(pid)} |`,
      );
    }
    console.log(`\nload: embedded platform on loopback, ${SECONDS} s per scenario after 1 s warm-up, server RSS at start ${rss0} MiB`);
    console.log('| query | clients | req/s | p50 ms | p99 ms | max ms | errors | server CPU (of one core) | server CPU ms/req | server RSS MiB |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    server.child.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
