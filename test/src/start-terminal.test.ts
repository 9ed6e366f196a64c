// `npm start` as a person at a terminal sees it (a pseudo-terminal through script(1)), with no
// environment set: the dashboard's address comes first, logs are not raw JSON, and the demo's
// progress is one status line rewritten in place rather than a line per change.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('at a terminal: the dashboard address first, readable logs, one live status line', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-tty-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', PORT: '0', DATA_DIR: dataDir };
  const command = `${process.execPath} ${join(ROOT, 'services', 'gateway', 'dist', 'embedded.js')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  try {
    // Long enough for the demo's jobs to start moving the status line.
    await new Promise<void>((res, rej) => {
      const deadline = setTimeout(() => rej(new Error(`no progress after 120 s:\n${out.slice(-2000)}`)), 120_000);
      const poll = setInterval(() => {
        if ((out.match(/\r\x1b\[2K\[demo\]/g) ?? []).length >= 3) {
          clearInterval(poll);
          clearTimeout(deadline);
          res();
        }
      }, 250);
    });
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
  const lines = out
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/\r\x1b\[2K/g, '\n')
        .split('\n')
        .pop()!
        .trim(),
    )
    .filter((l) => l !== '');
  const first = lines.findIndex((l) => l.startsWith('dashboard'));
  assert.ok(first >= 0 && first <= 2, `the dashboard address is among the first lines:\n${lines.slice(0, 8).join('\n')}`);
  assert.match(lines[first], /^dashboard +http:\/\/[^ ]+\/$/);
  assert.ok(!out.includes('{"level":'), 'no raw JSON log line at a terminal');
  const statusUpdates = (out.match(/\r\x1b\[2K\[demo\]/g) ?? []).length;
  const newlineStatus = lines.filter((l) => l.startsWith('[demo]')).length;
  assert.ok(statusUpdates >= 3 && newlineStatus <= 1, `progress rewrites one line (${statusUpdates} updates, ${newlineStatus} on lines of their own)`);
});
