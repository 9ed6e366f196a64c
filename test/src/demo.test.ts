// The README's start command on a fresh data folder: `node services/gateway/dist/embedded.js` (what
// `npm start` runs after building) registers the bundled runs (grokking-clean, the paper's
// signature, and grokking-moe, the drift example), captures, measures and evaluates every
// checkpoint, and reports completion; the dashboard opens on grokking-clean and states its verdict
// (screenshot saved), and `grokwatch correlate --run grokking-clean` prints the table and parses.
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
const RUNS = ['grokking-clean', 'grokking-moe'];
const SCREENSHOT = resolve('test-results', 'demo-dashboard.png');
const GROUPS_SCREENSHOT = resolve('test-results', 'demo-groups.png');
const DEMO_TIMEOUT_MS = 20 * 60_000;

interface Manifest {
  domains: { name: string }[];
  controls?: { name: string }[];
  checkpoints: { step: number }[];
}

describe('the demo on first start', () => {
  let server: ChildProcess;
  let dataDir: string;
  let url: string;
  let completeSeconds: number;
  const manifests = new Map<string, Manifest>();
  let browser: Browser;
  const output: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install the Debian package chromium`);
    for (const run of RUNS) manifests.set(run, JSON.parse(await readFile(join(ROOT, 'models', run, 'manifest.json'), 'utf8')) as Manifest);
    dataDir = await mkdtemp(join(tmpdir(), 'gw-demo-'));
    // What a newcomer's shell has: no servers configured, defaults everywhere but the data folder.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, WATCH_INTERVAL_MS: '500', LOG_LEVEL: 'warn' };
    for (const name of ['DATABASE_URL', 'NATS_URL', 'SUITES_DIR', 'DEMO_RUN_DIRS', 'GROKWATCH_API_KEY', 'GROKWATCH_DEMO']) delete env[name];
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
        found ||= /GraphQL +(http\S+)/.exec(text)?.[1] ?? '';
        const done = /\[demo\] grokking-clean and grokking-moe complete in (\d+) s/.exec(text);
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
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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

  test("routing health: grokking-clean's layer 3 collapses early (step 150) and recovers by step 750; grokking-moe stays healthy", async () => {
    type Alerts = { runs: { name: string; routingCollapseAlerts: { layer: number; step: number; deadExperts: number; experts: number; recoveredStep: number | null }[] }[] };
    const runs = dataOf(await postGraphQL<Alerts>(url, '{ runs(limit: 10) { name routingCollapseAlerts { layer step deadExperts experts recoveredStep } } }')).runs;
    const alerts = (name: string) => runs.find((r) => r.name === name)!.routingCollapseAlerts;
    assert.deepEqual(
      alerts('grokking-clean').map((a) => [a.layer, a.step, a.deadExperts, a.experts, a.recoveredStep]),
      [[3, 150, 6, 8, 750]],
    );
    assert.deepEqual(alerts('grokking-moe'), []);
  });

  test('the start command completes the demo runs: every checkpoint captured, measured and evaluated', async (t) => {
    t.diagnostic(`demo complete in ${completeSeconds} s`);
    type Run = {
      name: string;
      checkpoints: { step: number; status: string; evaluationJobs: { task: string; status: string }[] }[];
      grokkingAlerts: { domain: string; startStep: number; endStep: number; agreeing: string[] }[];
    };
    const runs = dataOf(
      await postGraphQL<{ runs: Run[] }>(
        url,
        `{ runs(limit: 10) { name checkpoints { step status evaluationJobs { task status } } grokkingAlerts { domain startStep endStep agreeing } } }`,
      ),
    ).runs;
    for (const name of RUNS) {
      const run = runs.find((r) => r.name === name);
      const manifest = manifests.get(name)!;
      assert.ok(run, `${name} is registered`);
      assert.deepEqual(
        run.checkpoints.map((c) => c.step).sort((a, b) => a - b),
        manifest.checkpoints.map((c) => c.step).sort((a, b) => a - b),
      );
      for (const c of run.checkpoints) {
        assert.equal(c.status, 'captured', `${name} step ${c.step}`);
        assert.deepEqual(
          c.evaluationJobs.map((j) => j.status),
          manifest.domains.map(() => 'completed'),
          `${name} step ${c.step}`,
        );
      }
      t.diagnostic(`${name} alerts: ${JSON.stringify(run.grokkingAlerts)}`);
    }
    // The signature run alerts in math (validate.test.ts checks the timing); the drift run raises nothing.
    assert.deepEqual(
      runs.find((r) => r.name === 'grokking-clean')!.grokkingAlerts.map((a) => a.domain),
      ['math'],
    );
    assert.deepEqual(runs.find((r) => r.name === 'grokking-moe')!.grokkingAlerts, []);
  });

  test('grokwatch correlate --run grokking-clean prints the table; --json parses', async () => {
    const exec = promisify(execFile);
    const manifest = manifests.get('grokking-clean')!;
    const table = (await exec(process.execPath, [CLI, '--url', url, 'correlate', '--run', 'grokking-clean'])).stdout;
    assert.match(table, /domain\s+benchmark\s+metric\s+pearson\s+spearman\s+n/);
    assert.match(table, /^math\s+grok_math\s+distance\s+[+-]?\d/m, 'a complete series shows its r');
    const rows = JSON.parse((await exec(process.execPath, [CLI, '--url', url, '--json', 'correlate', '--run', 'grokking-clean'])).stdout) as {
      domain: string;
      metric: string;
      pearson: number | null;
      n: number;
      coverage: { complete: boolean };
    }[];
    assert.deepEqual([...new Set(rows.map((r) => r.domain))], ['math'], 'controls have no benchmark, so no row');
    // The pipeline computes every default variant at every checkpoint: every row is complete.
    for (const r of rows) {
      assert.ok(r.coverage.complete, `${r.metric}: complete`);
      assert.equal(r.n, manifest.checkpoints.length, `${r.metric}: n`);
    }
  });

  // shared/notes-signal.md measured the `=` token's routing (the position before the answer) falling
  // in raw distance as the clean run generalizes, where the whole-sample raw distance rises with
  // pathway length. The position scope, requested through the CLI, reproduces that on real captures.
  test('routing at the marked position: requested through the CLI, its raw distance falls as test accuracy rises', async (t) => {
    const exec = promisify(execFile);
    const cli = (...args: string[]) => exec(process.execPath, [CLI, '--url', url, ...args]);
    const requested = (await cli('metrics', 'request', '--run', 'grokking-clean', '--domain', 'math', '--scope', 'position')).stdout;
    assert.match(requested, /added to the run; \d+ computations queued/);
    type Row = { metric: string; pearson: number | null; coverage: { complete: boolean } };
    const deadline = Date.now() + 5 * 60_000;
    let rows: Row[] = [];
    for (;;) {
      rows = JSON.parse((await cli('--json', 'correlate', '--run', 'grokking-clean', '--scope', 'position')).stdout) as Row[];
      const distance = rows.find((r) => r.metric === 'distance')!;
      if (distance.coverage.complete) break;
      assert.ok(Date.now() < deadline, 'the position variant is computed within 5 minutes');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const r = rows.find((x) => x.metric === 'distance')!.pearson!;
    t.diagnostic(`position scope: Pearson r(raw char distance, test accuracy) = ${r.toFixed(3)}`);
    assert.ok(r < -0.5, `the marked position's raw distance falls with generalization (r = ${r})`);
  });

  test("groups: each bundled run's Test@t groups after the contamination filter, its Pretrain@t groups, their pairing and lags; the group view (screenshot)", async (t) => {
    type Groups = {
      testGroups: {
        partial: boolean;
        items: number;
        generalized: number;
        neverGeneralized: number;
        groups: { label: string; size: number }[];
        contamination: { applied: boolean; dropped: number; unscored: number };
      } | null;
      groupPairing: {
        partial: boolean;
        together: boolean;
        note: string;
        trainGroups: { label: string }[];
        testGroups: { label: string }[];
        pairs: { train: { label: string; size: number }; test: { label: string; size: number }; lag: number; similarity: number }[];
      } | null;
    };
    const read = async (name: string): Promise<Groups | null> => {
      const runs = dataOf(
        await postGraphQL<{ runs: ({ name: string } & Groups)[] }>(
          url,
          `{ runs(limit: 10) { name
        testGroups(task: "grok_math") { partial items generalized neverGeneralized groups { label size } contamination { applied dropped unscored } }
        groupPairing(domain: "math") { partial together note trainGroups { label } testGroups { label } pairs(limit: 100) { train { label size } test { label size } lag similarity } } } }`,
        ),
      ).runs;
      const run = runs.find((r) => r.name === name);
      // The pipeline refreshes groups after the last evaluation event: wait for the complete result.
      return run?.testGroups && run.groupPairing && !run.testGroups.partial && !run.groupPairing.partial ? run : null;
    };
    for (const name of RUNS) {
      let groups: Groups | null = null;
      for (let tries = 0; groups === null && tries < 240; tries++) {
        groups = await read(name);
        if (groups === null) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(groups?.testGroups && groups.groupPairing, `${name}: groups complete`);
      const { testGroups: tg, groupPairing: gp } = groups;
      // 768 suite items, all scored by Min-K%++: the filter drops floor(0.1 x 768) = 76.
      assert.equal(tg.items, 768);
      assert.deepEqual(tg.contamination, { applied: true, dropped: 76, unscored: 0 });
      assert.equal(tg.generalized + tg.neverGeneralized, 768 - 76);
      assert.equal(
        tg.groups.reduce((n, g) => n + g.size, 0),
        tg.generalized,
      );
      assert.ok(gp.pairs.length > 0 && gp.pairs.length === Math.min(gp.trainGroups.length, gp.testGroups.length));
      t.diagnostic(`${name}: ${tg.generalized} of ${tg.items} items generalize (${tg.neverGeneralized} never, 76 dropped) in ${tg.groups.length} test groups; ${gp.note}`);
      t.diagnostic(
        `${name} pairs: ${gp.pairs.map((p) => `${p.train.label}(${p.train.size})->${p.test.label}(${p.test.size}) lag ${p.lag} sim ${p.similarity.toFixed(2)}`).join('; ')}`,
      );
      // The bundled runs memorize and generalize at many different steps: the view must not claim they move together.
      assert.equal(gp.together, false);
    }
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(url.replace(/\/graphql$/, '/'));
    await page.waitForSelector('[data-run-title="grokking-clean"]', { timeout: 20_000 });
    await page.waitForSelector('[data-groups-domain="math"] svg.groups-svg .lag-arrow', { timeout: 20_000 });
    const clean = (await read('grokking-clean'))!.groupPairing!;
    assert.equal(await page.locator('[data-groups-domain="math"] .lag-arrow').count(), clean.pairs.length, 'an arrow per pair');
    assert.equal(await page.locator('[data-groups-domain="math"] circle.group-dot.train').count(), clean.trainGroups.length);
    assert.equal(await page.locator('[data-groups-domain="math"] circle.group-dot.test').count(), clean.testGroups.length);
    assert.match(await page.locator('[data-groups-domain="code"]').innerText(), /no task of domain code/);
    assert.deepEqual(problems, []);
    // The sticky header would cover the panel in an element shot (the CSP allows CSSOM, not style tags).
    await page.evaluate(`document.querySelector('header').style.position = 'static'`);
    await mkdir(resolve('test-results'), { recursive: true });
    await page.locator('#groups').screenshot({ path: GROUPS_SCREENSHOT });
    t.diagnostic(`group view screenshot: ${GROUPS_SCREENSHOT}`);
  });

  test('the dashboard opens on the signature run, states its verdict and draws the controls', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const res = await page.goto(url.replace(/\/graphql$/, '/'));
    assert.equal(res?.status(), 200);
    await page.waitForSelector('[data-run-title="grokking-clean"]', { timeout: 20_000 });
    const manifest = manifests.get('grokking-clean')!;
    const n = manifest.checkpoints.length;
    await page.waitForFunction(`document.querySelectorAll('[data-domain="math"] svg[data-metric="accuracy"] .pt').length === ${n}`, null, { timeout: 20_000 });
    for (const metric of ['loss', 'distance', 'consistency', 'effective-dimension']) {
      assert.equal(await page.locator(`[data-domain="math"] svg[data-metric="${metric}"] .pt`).count(), n, `math ${metric} points`);
    }
    assert.equal(await page.locator('[data-domain="math"] svg[data-metric="consistency"] path.control').count(), manifest.controls!.length, 'a dashed curve per control');
    const verdict = await page.locator('[data-verdict="math"]').innerText();
    t.diagnostic(`verdict: ${verdict}`);
    assert.match(verdict, /^Generalization signal at steps/);
    await page.waitForSelector('svg.heatmap rect.cell', { timeout: 20_000 });
    assert.deepEqual(problems, []);
    await page.evaluate('window.scrollTo(0, 0)');
    await mkdir(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`demo dashboard screenshot: ${SCREENSHOT}`);
  });
});
