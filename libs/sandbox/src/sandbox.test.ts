// Escape attempts against the real bwrap sandbox. Each must be contained, reported as a
// failed run, and leave the host untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxPool } from './index.js';
import { pidsWithMarker, uniqueMarker } from './test-helpers.js';

/** Runs trusted test code on the host, as a control showing a check is able to fail. */
function runHostPython(program: string, argv: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', ['-', ...argv]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => resolve(out));
    child.stdin.end(program);
  });
}

const pool = new SandboxPool({ concurrency: 2, limits: { wallTimeMs: 5000, cpuSeconds: 5 } });

describe('sandbox: ordinary programs', () => {
  it('runs a passing program and reports its output', async () => {
    const r = await pool.run('import sys\nprint("hello", sys.argv[1:])\n', { argv: ['a', 'b'] });
    assert.equal(r.passed, true);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "hello ['a', 'b']\n");
  });

  it('reports a failing assertion as not passed with its traceback', async () => {
    const r = await pool.run('def f(x):\n    return x + 1\nassert f(1) == 3\n');
    assert.equal(r.passed, false);
    assert.equal(r.timedOut, false);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /AssertionError/);
  });

  it('caps captured output', async () => {
    const r = await pool.run('import sys\nsys.stdout.write("x" * 3_000_000)\n', { limits: { maxOutputBytes: 1000 } });
    assert.equal(r.passed, true);
    assert.equal(r.stdout.length, 1000);
    assert.equal(r.stdoutTruncated, true);
  });
});

describe('sandbox: escapes', () => {
  let server: Server;
  let port = 0;
  let connections = 0;

  before(async () => {
    server = createServer((s) => {
      connections += 1;
      s.end('hello from host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const addr = server.address();
    assert.ok(addr && typeof addr === 'object');
    port = addr.port;
  });
  after(() => server.close());

  const connectProgram = `
import socket, sys
port = int(sys.argv[1])
for host in sys.argv[2:]:
    try:
        s = socket.create_connection((host, port), timeout=2)
        print("CONNECTED", host, s.recv(100))
        sys.exit(0)
    except OSError as e:
        print("blocked", host, e)
sys.exit(3)
`;

  it('cannot reach a server on the host, by loopback or by the host address', async () => {
    const hosts = ['127.0.0.1'];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) hosts.push(a.address);
    }
    // Control: the same program outside the sandbox does connect, so the check can fail.
    // (async: the server lives on this event loop)
    const control = await runHostPython(connectProgram, [String(port), ...hosts]);
    assert.match(control, /CONNECTED/, `control run must connect: ${control}`);
    const before = connections;
    const r = await pool.run(connectProgram, { argv: [String(port), ...hosts] });
    assert.equal(r.passed, false);
    assert.doesNotMatch(r.stdout, /CONNECTED/);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('blocked')).length, hosts.length);
    assert.equal(connections, before, 'the host server saw a connection from the sandbox');
  });

  it('cannot write outside its private /tmp; host paths are untouched', async () => {
    const hostDir = mkdtempSync(join(tmpdir(), 'grokwatch-escape-'));
    const name = uniqueMarker('file');
    const targets = [join(hostDir, name), join('/tmp', name), join(process.cwd(), name), `/usr/${name}`, `/${name}`];
    const program = `
import sys
ok = []
for path in sys.argv[1:]:
    try:
        with open(path, "w") as f:
            f.write("escaped")
        ok.append(path)
    except OSError as e:
        print("denied", path, type(e).__name__)
print("WROTE", ok)
sys.exit(0 if ok == [sys.argv[2]] else 1)
`;
    try {
      const r = await pool.run(program, { argv: targets });
      // Only the sandbox's own /tmp is writable, and that is a private tmpfs.
      assert.equal(r.passed, true, r.stdout + r.stderr);
      for (const t of targets) assert.equal(existsSync(t), false, `${t} appeared on the host`);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it("cannot read the service's environment variables (own environ and every /proc/*/environ)", async () => {
    const secret = uniqueMarker('secret');
    process.env.GROKWATCH_TEST_SECRET = secret;
    try {
      const program = `
import os, glob
print(sorted(os.environ.items()))
for p in glob.glob("/proc/*/environ"):
    try:
        print(p, open(p, "rb").read())
    except OSError as e:
        print(p, "unreadable", e)
`;
      const r = await pool.run(program);
      assert.equal(r.passed, true, r.stderr);
      assert.ok(!r.stdout.includes(secret), 'secret leaked into the sandbox');
      assert.match(r.stdout, /\/proc\/1\/environ/, 'the scan of /proc must have covered pid 1');
      const envLine = r.stdout.split('\n')[0];
      const keys = [...envLine.matchAll(/\('([A-Z_]+)',/g)].map((m) => m[1]);
      for (const k of keys) assert.ok(['HOME', 'LANG', 'LC_CTYPE', 'PATH', 'PWD'].includes(k), `unexpected variable ${k}`);
    } finally {
      delete process.env.GROKWATCH_TEST_SECRET;
    }
  });

  it('stops a fork bomb at the process limit and leaves no process behind', async () => {
    const marker = uniqueMarker('forkbomb');
    const program = `
import os, sys, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
except OSError as e:
    print("forks", n, e)
    sys.stdout.flush()
os._exit(1)
`;
    const r = await pool.run(program, { argv: [marker], limits: { maxProcesses: 32 } });
    assert.equal(r.passed, false);
    const forks = Number(/forks (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(forks > 0 && forks < 32, `forks=${forks}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(pidsWithMarker(marker), [], 'sleeping children survived the run');
  });

  it('kills an unbounded fork bomb at the wall limit; the host can still start processes', async () => {
    const marker = uniqueMarker('forkloop');
    const program = 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n';
    const r = await pool.run(program, { argv: [marker], timeoutMs: 1500, limits: { maxProcesses: 16 } });
    assert.equal(r.passed, false);
    assert.equal(r.timedOut, true);
    assert.ok(r.durationMs < 6000, `took ${r.durationMs} ms`);
    assert.deepEqual(pidsWithMarker(marker), []);
    assert.equal(spawnSync('/usr/bin/true').status, 0);
  });

  it('contains a memory bomb (address-space limit)', async () => {
    const program = 'chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024 * 1024))\n';
    const r = await pool.run(program, { limits: { memoryBytes: 512 * 1024 * 1024 } });
    assert.equal(r.passed, false);
    assert.equal(r.timedOut, false);
    assert.match(r.stderr, /MemoryError/);
  });

  // Each child stays under RLIMIT_AS; together they pass the run's aggregate cap.
  const FORKING_HOG = [
    'import os, time',
    'kids = []',
    'for _ in range(4):',
    '    pid = os.fork()',
    '    if pid == 0:',
    "        block = b'x' * (300 * 1024 * 1024)",
    '        time.sleep(20)',
    '        os._exit(0)',
    '    kids.append(pid)',
    'for pid in kids:',
    '    os.waitpid(pid, 0)',
  ].join('\n');

  it('kills a program whose processes together pass the aggregate memory cap, each under its own limit', async () => {
    const started = Date.now();
    const r = await pool.run(FORKING_HOG, { limits: { memoryBytes: 512 * 1024 * 1024, totalMemoryBytes: 600 * 1024 * 1024 }, timeoutMs: 30_000 });
    assert.equal(r.passed, false);
    assert.equal(r.memoryExceeded, true);
    assert.equal(r.timedOut, false);
    assert.match(r.stderr, /killed: its processes held \d+ MiB together, more than the 600 MiB allowed/);
    assert.ok(Date.now() - started < 15_000, 'killed long before the children finish sleeping');
    // The control: the same program under a cap that fits it is not killed for memory.
    const fits = await pool.run(FORKING_HOG.replace('time.sleep(20)', 'time.sleep(0.5)'), {
      limits: { memoryBytes: 512 * 1024 * 1024, totalMemoryBytes: 2048 * 1024 * 1024 },
      timeoutMs: 30_000,
    });
    assert.equal(fits.memoryExceeded, false);
    assert.equal(fits.passed, true, fits.stderr);
  });

  it('kills a busy infinite loop at the CPU limit', async () => {
    // Generous wall limit: on a loaded machine 1 s of CPU can take several seconds of wall time.
    const r = await pool.run('while True:\n    pass\n', { limits: { cpuSeconds: 1 }, timeoutMs: 30_000 });
    assert.equal(r.passed, false);
    assert.equal(r.timedOut, false, 'must be stopped by the CPU limit, not the wall clock');
    assert.ok(r.exitCode !== null && r.exitCode > 128, `exit ${r.exitCode}`);
  });

  it('kills a sleeping infinite loop at the wall limit', async () => {
    const r = await pool.run('import time\nwhile True:\n    time.sleep(1)\n', { timeoutMs: 700 });
    assert.equal(r.passed, false);
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.ok(r.durationMs < 3000, `took ${r.durationMs} ms`);
  });

  it('kills a daemonized child that would outlive the program', async () => {
    const marker = uniqueMarker('daemon');
    const program = `
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2)
        open("/tmp/late-write", "w").write("still alive")
        time.sleep(60)
    os._exit(0)
time.sleep(0.3)
print("parent exits")
`;
    const r = await pool.run(program, { argv: [marker] });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(pidsWithMarker(marker), [], 'the daemon survived its sandbox');
  });

  it('the stray-process scan does see a live sandboxed process (so the checks above can fail)', async () => {
    const marker = uniqueMarker('alive');
    const run = pool.run('import time\ntime.sleep(3)\n', { argv: [marker] });
    let seen = 0;
    for (let i = 0; i < 50 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = pidsWithMarker(marker).length;
    }
    assert.ok(seen >= 1, 'a running sandboxed python must be visible by its marker');
    assert.equal((await run).passed, true);
    assert.deepEqual(pidsWithMarker(marker), []);
  });
});
