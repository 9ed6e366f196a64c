// Registering a checkpoint folder checks what its capture will need, at once and with a clear error:
// a config.json of the run's architecture and a tokenizer (the folder's own, one in the two folders
// above, or the run's, which configureRun can set or change later). A watched folder refused for want
// of a tokenizer is registered once the run gets one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { dataOf, errorCode, startPlatform, until, type Platform } from './harness.js';
import { DATASETS, TINY_OLMOE_REAL_VOCAB } from './tiny-checkpoint.js';

const TOKENIZER = join(DATASETS, 'tokenizer_olmoe', 'tokenizer.json');
/** What the server stores: the real path (../shared may be a link). */
const TOKENIZER_REAL = realpathSync(TOKENIZER);
const CLI = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
const exec = promisify(execFile);

describe('checkpoint registration checks the folder (embedded)', () => {
  let p: Platform;
  let root: string;
  let runId: string;
  const register = (uri: string, step: number) =>
    p.gql<{ registerCheckpoint: { id: string } }>(`mutation($r: ID!, $s: Int!, $u: String!) { registerCheckpoint(input: { runId: $r, step: $s, uri: $u }) { id } }`, {
      r: runId,
      s: step,
      u: uri,
    });
  const folder = async (name: string, config: unknown | string | null): Promise<string> => {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    if (config !== null) await writeFile(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return dir;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gw-register-'));
    p = await startPlatform('embedded', { watchIntervalMs: 200 });
    runId = dataOf(await p.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { name: "registration", architecture: "OlmoeForCausalLM" }) { id } }`)).createRun.id;
  });

  after(async () => {
    await p?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('a folder without a usable config.json is refused, without echoing what the file holds', async () => {
    const empty = await register(await folder('empty/step1', null), 1);
    assert.equal(errorCode(empty), 'BAD_USER_INPUT');
    assert.match(empty.errors![0].message, /config\.json in .* is missing, unreadable or not valid JSON/);
    const secret = await register(await folder('secret/step1', 'root:x:0:0:secret-line'), 1);
    assert.equal(errorCode(secret), 'BAD_USER_INPUT');
    assert.doesNotMatch(secret.errors![0].message, /secret-line|root:x/);
    const bad = await register(await folder('bad/step1', { ...TINY_OLMOE_REAL_VOCAB, num_experts_per_tok: 99 }), 1);
    assert.match(bad.errors![0].message, /field "num_experts_per_tok" is invalid: 99 exceeds the number of experts 8/);
  });

  test("another architecture than the run's is refused", async () => {
    const res = await register(await folder('mixtral/step1', { ...TINY_OLMOE_REAL_VOCAB, architectures: ['MixtralForCausalLM'], num_local_experts: 8 }), 1);
    assert.equal(errorCode(res), 'BAD_USER_INPUT');
    assert.match(res.errors![0].message, /the checkpoint is a MixtralForCausalLM, the run's architecture is OlmoeForCausalLM/);
  });

  test('a tokenizer is found in the folder or two folders above; else the run must name one, which configureRun can do later', async () => {
    const lonely = await folder('lonely/checkpoints/step5', TINY_OLMOE_REAL_VOCAB);
    const refused = await register(lonely, 5);
    assert.equal(errorCode(refused), 'BAD_USER_INPUT');
    assert.match(refused.errors![0].message, /no tokenizer\.json in .*configureRun/);

    // A run root above checkpoints/step<N>, as the bundled trainer and many labs lay it out.
    const runRoot = join(root, 'trainer-layout');
    const nested = await folder('trainer-layout/checkpoints/step5', TINY_OLMOE_REAL_VOCAB);
    await copyFile(TOKENIZER, join(runRoot, 'tokenizer.json'));
    assert.equal(errorCode(await register(nested, 6)), undefined);

    const configured = dataOf(
      await p.gql<{ configureRun: { tokenizer: string } }>(`mutation($r: ID!, $t: String) { configureRun(id: $r, input: { tokenizer: $t }) { tokenizer } }`, {
        r: runId,
        t: TOKENIZER,
      }),
    );
    assert.equal(configured.configureRun.tokenizer, TOKENIZER_REAL);
    assert.equal(errorCode(await register(lonely, 5)), undefined);
  });

  test('a watched folder refused for want of a tokenizer is registered once the run has one', async () => {
    const watched = join(root, 'watched');
    await folder('watched/step100', TINY_OLMOE_REAL_VOCAB);
    const run = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($w: String!) { createRun(input: { name: "watched", architecture: "OlmoeForCausalLM", watchDir: $w }) { id } }`, {
        w: watched,
      }),
    ).createRun.id;
    const count = async () => dataOf(await p.gql<{ run: { checkpointCount: number } }>(`query($r: ID!) { run(id: $r) { checkpointCount } }`, { r: run })).run.checkpointCount;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await count(), 0, 'refused: no tokenizer anywhere');
    dataOf(await p.gql(`mutation($r: ID!, $t: String) { configureRun(id: $r, input: { tokenizer: $t }) { id } }`, { r: run, t: TOKENIZER }));
    await until('the watched folder registered', async () => ((await count()) === 1 ? true : undefined), 10_000);
  });

  test("the CLI sets and clears a run's tokenizer, and every command answers --help with its options", async () => {
    const help = (await exec(process.execPath, [CLI, 'run', 'create', '--help'])).stdout;
    assert.match(help, /^usage: grokwatch run create <name> .*--tokenizer/);
    const set = JSON.parse((await exec(process.execPath, [CLI, '--url', p.url, '--json', 'run', 'configure', 'registration', '--tokenizer', TOKENIZER])).stdout) as {
      tokenizer: string | null;
    };
    assert.equal(set.tokenizer, TOKENIZER_REAL);
    const cleared = JSON.parse((await exec(process.execPath, [CLI, '--url', p.url, '--json', 'run', 'configure', 'registration', '--no-tokenizer'])).stdout) as {
      tokenizer: string | null;
    };
    assert.equal(cleared.tokenizer, null);
    await assert.rejects(
      exec(process.execPath, [CLI, '--url', p.url, 'run', 'configure', 'registration', '--tokenizer', TOKENIZER, '--no-tokenizer']),
      /usage: grokwatch run configure/,
    );
  });
});
