// Client-given server paths (issue 14): every path a mutation takes stays under the data roots, is
// opened only as a regular file of bounded size or a directory, and no error quotes a byte of it.
// The platform answers /healthz within a second while these run.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MAX_PROBE_FILE_BYTES } from '@grokwatch/inference';
import { assertHealthyWithin, dataOf, startPlatform, type Platform } from './harness.js';
import { TINY_OLMOE_REAL_VOCAB } from './tiny-checkpoint.js';

const CLI = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
const SECRET = 'hunter2-do-not-echo';

describe('client-given paths stay under the data roots (embedded)', () => {
  let p: Platform;
  let root: string;
  let runId: string;

  const probeSetFrom = (path: string) => p.gql(`mutation($path: String!) { createProbeSet(input: { name: "x", domain: "d", path: $path }) { id } }`, { path });
  const expectRefused = async (res: Awaited<ReturnType<Platform['gql']>>, pattern: RegExp): Promise<void> => {
    const err = res.errors?.[0];
    assert.ok(err, 'an error');
    assert.equal(err.extensions?.code, 'BAD_USER_INPUT', err.message);
    assert.match(err.message, pattern);
    assert.doesNotMatch(JSON.stringify(res), /root:|hunter2|PATH=/, 'no file content in the answer');
    assert.ok(err.message.length < 400, `a short message (${err.message.length} chars)`);
  };
  const healthy = () => assertHealthyWithin(p);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'gw-roots-'));
    p = await startPlatform('embedded', { roots: [root] });
    writeFileSync(join(root, 'ok.jsonl'), '{"id":"a","text":"1 + 1 = 2"}\n{"id":"b","text":"2 + 2 = 4"}\n');
    writeFileSync(join(root, 'secret.jsonl'), `{"id": "a", "text": "fine"}\n${SECRET} root:x:0:0\n`);
    writeFileSync(join(root, 'dupes.jsonl'), '{"id":"a","text":"x"}\n\n{"id":"a","text":"y"}\n');
    symlinkSync('/etc/passwd', join(root, 'passwd-link.jsonl'));
    symlinkSync('/dev/zero', join(root, 'zero-link.jsonl'));
    execFileSync('mkfifo', [join(root, 'fifo.jsonl')]);
    writeFileSync(join(root, 'huge.jsonl'), '');
    truncateSync(join(root, 'huge.jsonl'), MAX_PROBE_FILE_BYTES + 1); // sparse: no disk used
    mkdirSync(join(root, 'step100'));
    // What registration checks: a config.json of the run's architecture and a tokenizer beside it.
    writeFileSync(join(root, 'step100', 'config.json'), JSON.stringify(TINY_OLMOE_REAL_VOCAB));
    writeFileSync(join(root, 'step100', 'tokenizer.json'), '{}');
    runId = dataOf(await p.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { name: "roots", architecture: "OlmoeForCausalLM" }) { id } }`)).createRun.id;
  });
  after(async () => {
    await p?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('a file under the root is read; the same name relative to the root too', async () => {
    assert.ok(
      dataOf(
        await p.gql<{ createProbeSet: { id: string } }>(`mutation($path: String!) { createProbeSet(input: { name: "ok", domain: "d", path: $path }) { id } }`, {
          path: join(root, 'ok.jsonl'),
        }),
      ).createProbeSet.id,
    );
    assert.ok(
      dataOf(await p.gql<{ createProbeSet: { id: string } }>(`mutation { createProbeSet(input: { name: "ok-rel", domain: "d", path: "ok.jsonl" }) { id } }`)).createProbeSet.id,
    );
  });

  test('paths outside the roots are refused without reading them: absolute, /proc, relative escapes, symlinks out', async () => {
    for (const path of ['/etc/shadow', '/etc/passwd', '/proc/self/environ', '../../../../etc/passwd', join(root, '..', '..', 'etc', 'passwd'), '/dev/zero']) {
      await expectRefused(await probeSetFrom(path), /is outside the data roots/);
    }
    await expectRefused(await probeSetFrom(join(root, 'passwd-link.jsonl')), /is outside the data roots/);
    await expectRefused(await probeSetFrom(join(root, 'zero-link.jsonl')), /is outside the data roots/);
    await healthy();
  });

  test('a FIFO, a directory, a missing file and an oversized file are refused at once', async () => {
    const started = Date.now();
    await expectRefused(await probeSetFrom(join(root, 'fifo.jsonl')), /is not a regular file/);
    assert.ok(Date.now() - started < 2000, 'a FIFO does not block');
    await expectRefused(await probeSetFrom(root), /is not a regular file/);
    await expectRefused(await probeSetFrom(join(root, 'missing.jsonl')), /cannot be used \(ENOENT\)/);
    await expectRefused(await probeSetFrom(join(root, 'huge.jsonl')), new RegExp(`has ${MAX_PROBE_FILE_BYTES + 1} bytes, more than the ${MAX_PROBE_FILE_BYTES} allowed`));
    await healthy();
  });

  test('a malformed file under the root is named by line, its content never quoted; duplicate ids are refused', async () => {
    await expectRefused(await probeSetFrom(join(root, 'secret.jsonl')), /secret\.jsonl:2: invalid JSON \(expected one JSON object per line\)$/);
    await expectRefused(await probeSetFrom(join(root, 'dupes.jsonl')), /dupes\.jsonl:3: id "a" is also the id of the row at line 1/);
    await expectRefused(
      await p.gql(`mutation { createProbeSet(input: { name: "d2", domain: "d", rows: [{ id: "s", text: "x" }, { id: "s", text: "y" }] }) { id } }`),
      /rows:2: id "s" is also the id of the row at line 1/,
    );
  });

  test('tokenizer, watch folder and checkpoint folder: under the roots, of the right kind, absolute checkpoints', async () => {
    await expectRefused(
      await p.gql(`mutation { createRun(input: { name: "t", architecture: "OlmoeForCausalLM", tokenizer: "/etc/passwd" }) { id } }`),
      /tokenizer \/etc\/passwd is outside the data roots/,
    );
    await expectRefused(await p.gql(`mutation($id: ID!) { configureRun(id: $id, input: { watchDir: "/" }) { id } }`, { id: runId }), /watchDir \/ is outside the data roots/);
    await expectRefused(await p.gql(`mutation($id: ID!) { configureRun(id: $id, input: { watchDir: "ok.jsonl" }) { id } }`, { id: runId }), /is not a directory/);
    const register = (uri: string) => p.gql(`mutation($id: ID!, $uri: String!) { registerCheckpoint(input: { runId: $id, step: 1, uri: $uri }) { id uri } }`, { id: runId, uri });
    await expectRefused(await register('step100'), /uri must be an absolute checkpoint folder/);
    await expectRefused(await register('/etc'), /is outside the data roots/);
    await expectRefused(await register(join(root, 'step999')), /cannot be used \(ENOENT\)/);
    const ok = dataOf(await register(join(root, 'step100'))) as { registerCheckpoint: { uri: string } };
    assert.equal(ok.registerCheckpoint.uri, join(root, 'step100'));
  });

  test('grokwatch probes add --file reads the file on the client (relative to its directory) and sends its content', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'gw-client-'));
    try {
      writeFileSync(join(elsewhere, 'mine.jsonl'), '{"id":"q","text":"3 + 3 = 6"}\n');
      const out = (await promisify(execFile)(process.execPath, [CLI, '--url', p.url, 'probes', 'add', 'from-client', '--domain', 'd', '--file', 'mine.jsonl'], { cwd: elsewhere }))
        .stdout;
      assert.match(out, /probe set from-client: .* \(1 samples\)/);
      const server = await promisify(execFile)(process.execPath, [
        CLI,
        '--url',
        p.url,
        'probes',
        'add',
        'server-side',
        '--domain',
        'd',
        '--server-path',
        join(elsewhere, 'mine.jsonl'),
      ]).then(
        () => '',
        (err: { stderr: string }) => err.stderr,
      );
      assert.match(server, /is outside the data roots/, 'the same file named as a server path is outside the roots');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
