// A NATS server of the test's own on a spare port (JetStream on a temp store), to kill -9 and start
// again without touching the shared one. Postgres's counterpart is @grokwatch/db/testing's
// startThrowawayCluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayNats {
  readonly url: string;
  /** SIGKILL: no goodbye to clients, as a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store (JetStream state survives). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export async function startThrowawayNats(): Promise<ThrowawayNats> {
  const port = 20000 + Math.floor(Math.random() * 5000);
  const store = mkdtempSync(join(tmpdir(), 'gw-nats-'));
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not open port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A grokwatch service as its own process (its dist main), to kill -9 and start again on the same port. */
export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** True while the process runs; false once it exited (on its own or by kill()). */
  alive(): boolean;
  /** The exits nobody asked for, with their codes. */
  readonly unexpectedExits: (number | string)[];
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startServiceProcess(name: string, script: string, env: NodeJS.ProcessEnv, port: number): Promise<ServiceProcess> {
  let child: ChildProcess | null = null;
  let killing = false;
  const unexpectedExits: (number | string)[] = [];
  const url = `http://127.0.0.1:${port}/graphql`;
  const start = async (): Promise<void> => {
    killing = false;
    const c = spawn(process.execPath, [script], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    c.once('exit', (code, signal) => {
      if (!killing) unexpectedExits.push(`${name}: ${code ?? signal} ${stderr.slice(-300)}`);
    });
    child = c;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) return;
      if (c.exitCode !== null) throw new Error(`${name} exited while starting: ${stderr.slice(-500)}`);
      if (Date.now() > deadline) throw new Error(`${name} not healthy within 60 s: ${stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Sends `signal` and waits for the exit; the exit is then not counted as unexpected. */
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    killing = true;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  await start();
  return {
    name,
    port,
    url,
    alive: () => child !== null && child.exitCode === null && child.signalCode === null,
    unexpectedExits,
    kill: () => end('SIGKILL'),
    start,
    stop: () => end('SIGTERM'),
  };
}
