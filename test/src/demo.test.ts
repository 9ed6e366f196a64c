// The README's start command on a fresh data folder: `node services/gateway/dist/embedded.js` (what
// `npm start` runs after building) registers the bundled grokking run, captures, measures and
// evaluates every checkpoint, and reports completion; then the dashboard shows the whole run in
// headless Chromium (screenshot saved), and `grokwatch correlate --run grokking-demo` prints the
// table and parses as JSON.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { dataOf, postGraphQL } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const CLI = join(ROOT, 'cli', 'bin', 'grokwatch.js');
const MODEL_DIR = join(ROOT, 'models', 'grokking-moe');
const SCREENSHOT = resolve('test-results', 'demo-dashboard.png');
const DEMO_TIMEOUT_MS = 20 * 60_000;

interface Manifest { domains: { name: string }[]; checkpoints: { step: number }[] }

describe('the demo on first start', () => {
  let server: ChildProcess;
  let dataDir: string;
  let url: string;
  let completeSeconds: number;
  let manifest: Manifest;
  let browser: Browser;
  const output: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install the Debian package chromium`);
    manifest = JSON.parse(await readFile(join(MODEL_DIR, 'manifest.json'), 'utf8')) as Manifest;
    dataDir = await mkdtemp(join(tmpdir(), 'gw-demo-'));
    // What a newcomer's shell has: no servers configured, defaults everywhere but the data folder.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, WATCH_INTERVAL_MS: '500', LOG_LEVEL: 'warn' };
    for (const name of ['DATABASE_URL', 'NATS_URL', 'SUITES_DIR', 'DEMO_MODEL_DIR', 'GROKWATCH_API_KEY', 'GROKWATCH_DEMO']) delete env[name];
    server = spawn(process.execPath, [join(ROOT, 'services', 'gateway', 'dist', 'embedded.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = Date.now();
    [url, completeSeconds] = await new Promise<[string, number]>((res, rej) => {
      let found = '';
      const timer = setTimeout(() => rej(new Error(`demo not complete after ${DEMO_TIMEOUT_MS / 60_000} min:\n${output.slice(-30).join('')}`)), DEMO_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString();
        output.push(text);
        found ||= /grokwatch is running: (\S+)/.exec(text)?.[1] ?? '';
        const done = /\[demo\] grokking-demo complete in (\d+) s/.exec(text);
        if (done && found) {
          clearTimeout(timer);
          res([found, Number(done[1])]);
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.once('exit', (code) => rej(new Error(`the start command exited (${code}):\n${output.slice(-30).join('')}`)));
    });
    output.push(`(test) demo complete ${((Date.now() - started) / 1000).toFixed(0)} s after spawn\n`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('the start command completes the demo run: every checkpoint captured, measured and evaluated', async (t) => {
    t.diagnostic(`demo complete in ${completeSeconds} s`);
    const run = dataOf(await postGraphQL<{ runs: { name: string; checkpoints: { step: number; status: string; evaluationJobs: { task: string; status: string }[] }[]; grokkingAlerts: { domain: string }[] }[] }>(
      url, `{ runs { name checkpoints { step status evaluationJobs { task status } } grokkingAlerts { domain } } }`,
    )).runs.find((r) => r.name === 'grokking-demo');
    assert.ok(run, 'the demo run is registered');
    assert.deepEqual(run.checkpoints.map((c) => c.step).sort((a, b) => a - b), manifest.checkpoints.map((c) => c.step).sort((a, b) => a - b));
    for (const c of run.checkpoints) {
      assert.equal(c.status, 'captured', `step ${c.step}`);
      assert.deepEqual(c.evaluationJobs.map((j) => j.status), manifest.domains.map(() => 'completed'), `step ${c.step}`);
    }
    // Whether alerts must fire is the fixture replay's question (fixture-grokking.test.ts); here they are reported.
    t.diagnostic(`grokking alerts: ${JSON.stringify(run.grokkingAlerts)}`);
  });

  test('grokwatch correlate --run grokking-demo prints the table; --json parses', async () => {
    const exec = promisify(execFile);
    const table = (await exec(process.execPath, [CLI, '--url', url, 'correlate', '--run', 'grokking-demo'])).stdout;
    assert.match(table, /domain\s+benchmark\s+metric\s+pearson\s+spearman\s+n/);
    for (const { name } of manifest.domains) assert.match(table, new RegExp(`^${name}\\s+grok_${name}\\s+distance\\s`, 'm'));
    const rows = JSON.parse((await exec(process.execPath, [CLI, '--url', url, '--json', 'correlate', '--run', 'grokking-demo'])).stdout) as
      { domain: string; metric: string; pearson: number | null; spearman: number | null; n: number }[];
    assert.deepEqual([...new Set(rows.map((r) => r.domain))].sort(), manifest.domains.map((d) => d.name).sort());
    // The demo computes the default variants at every checkpoint; other variants are computed when first asked for.
    for (const r of rows) {
      if (['distance', 'consistency', 'training loss'].includes(r.metric)) assert.equal(r.n, manifest.checkpoints.length, `${r.domain} ${r.metric}: n`);
      else assert.ok(r.n <= manifest.checkpoints.length, `${r.domain} ${r.metric}: n`);
    }
  });

  test('the dashboard shows the complete run', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const res = await page.goto(url.replace(/\/graphql$/, '/'));
    assert.equal(res?.status(), 200);
    await page.waitForSelector('[data-run-title="grokking-demo"]', { timeout: 20_000 });
    const n = manifest.checkpoints.length;
    for (const { name } of manifest.domains) {
      await page.waitForFunction(`document.querySelectorAll('[data-domain="${name}"] svg[data-metric="accuracy"] .pt').length === ${n}`, null, { timeout: 20_000 });
      for (const metric of ['loss', 'distance', 'consistency', 'effective-dimension']) {
        assert.equal(await page.locator(`[data-domain="${name}"] svg[data-metric="${metric}"] .pt`).count(), n, `${name} ${metric} points`);
      }
    }
    await page.waitForSelector('svg.heatmap rect.cell', { timeout: 20_000 });
    assert.deepEqual(problems, []);
    await page.evaluate('window.scrollTo(0, 0)');
    await mkdir(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`demo dashboard screenshot: ${SCREENSHOT}`);
  });
});
