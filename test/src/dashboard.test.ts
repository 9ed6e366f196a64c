// The dashboard in headless Chromium against the embedded platform: data seeded only through the
// GraphQL API (routing ingested with constructed weights, evaluations answered by scripted models
// behind the OpenAI-compatible server), metrics computed by the platform's own worker; the page
// must list the run, plot every curve, correlate, and draw the sample's pathway and heatmap.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startOpenAiServer, type OpenAiServer } from '@grokwatch/evaluation';
import { ScriptedModel } from '@grokwatch/evaluation/testing';
import { extractPathway, serializePathway } from '@grokwatch/pathway';
import { chromium, type Browser } from 'playwright-core';
import { dataOf, startPlatform, type Platform } from './harness.js';
import { mulberry32 } from '@grokwatch/pathway';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = resolve('test-results', 'dashboard.png');

const LAYERS = 4;
const EXPERTS = 8;
const HIDDEN = 6;
const SAMPLES = 8;
const STEPS = [100, 200, 400, 800, 1600, 3200, 4800, 6400];
/**
 * Share of the routing common to all samples, per checkpoint. The pathway distance first rises a
 * little, then falls, and consistency rises, while the loss is already low and flat from step 400:
 * the grokking phase the platform's detector looks for (first judged over steps 800-4800).
 */
const SHARED = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
/** Suite items the scripted model answers right at each checkpoint (of SUITE.length). */
const CORRECT = [0, 1, 2, 4, 6, 8, 8, 8];

const SUITE = Array.from({ length: 8 }, (_, i) => ({
  id: `m${i}`,
  prompt: `${i + 2} plus ${i + 5} =`,
  answer: String(2 * i + 7),
  group: i % 2 ? 'odd' : 'even',
  domain: 'math',
}));

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

/**
 * Sample i's token-mean router softmax at checkpoint c: its own random routing mixed with one
 * shared by every sample and layer, so pathways converge and adjacent layers agree more over time.
 */
function routing(c: number, i: number): number[][] {
  const rand = mulberry32(1000 * i + 17);
  return Array.from({ length: LAYERS }, (_, l) => {
    const own = softmax(Array.from({ length: EXPERTS }, () => rand() * 4));
    const shared = softmax(Array.from({ length: EXPERTS }, (_, k) => (k === 0 ? 4 : k === 1 ? 3 : 0)));
    const a = SHARED[c];
    return own.map((w, k) => (1 - a) * w + a * shared[k]);
  });
}

/** Per-token training NLL: samples 0-3 reach their floor at step 200, samples 4-7 at step 400. */
function nll(c: number, i: number): number {
  if (c >= (i < 4 ? 1 : 2)) return 0.05 + 0.004 * i;
  return c === 0 ? 2.5 + 0.1 * i : 1.2;
}

/**
 * Router rows: one direction per expert, shared by the layers, plus per-layer noise. Directions are
 * centred, so the routing embeddings of unrelated per-layer routing point apart (low consistency)
 * and those of the shared routing align (high): consistency and raw cosine rise as routing is shared.
 */
const routerWeights = (() => {
  const rand = mulberry32(99);
  const base = Array.from({ length: EXPERTS }, () => Array.from({ length: HIDDEN }, () => 2 * rand() - 1));
  return Array.from({ length: LAYERS }, () => base.map((row) => row.map((x) => x + 0.3 * (rand() - 0.5))));
})();

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('dashboard (embedded platform, headless Chromium)', () => {
  let p: Platform;
  let browser: Browser;
  let suites: string;
  const servers: OpenAiServer[] = [];
  const suffix = Math.random().toString(36).slice(2, 8);
  const runName = `dash-${suffix}`;
  let probeSetId: string;
  let checkpointIds: string[];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install the Debian package chromium (apt-get install chromium)`);
    suites = await mkdtemp(join(tmpdir(), 'gw-dashboard-suites-'));
    await writeFile(join(suites, 'math.jsonl'), SUITE.map((r) => JSON.stringify(r)).join('\n') + '\n');
    process.env.SUITES_DIR = suites;
    [p, browser] = await Promise.all([
      startPlatform('embedded'),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await p?.stop();
    for (const s of servers) await s.stop();
    await rm(suites, { recursive: true, force: true });
  });

  test('seeded through the API: routing, metrics by the worker, evaluations by scripted models', async () => {
    const probes = dataOf(
      await p.gql<{ createProbeSet: { id: string } }>(`mutation($input: CreateProbeSetInput!) { createProbeSet(input: $input) { id } }`, {
        input: {
          name: `dash-math-${suffix}`,
          domain: 'math',
          rows: Array.from({ length: SAMPLES }, (_, i) => ({ id: `s${i}`, text: `probe sample ${i}: ${i} + ${i} = ${2 * i}`, group: i < 4 ? 'early' : 'late' })),
        },
      }),
    ).createProbeSet;
    probeSetId = probes.id;
    const run = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`, {
        input: { name: runName, architecture: 'OlmoeForCausalLM', thresholds: [0.7] },
      }),
    ).createRun;
    checkpointIds = [];
    for (const step of STEPS) {
      checkpointIds.push(
        dataOf(
          await p.gql<{ registerCheckpoint: { id: string } }>(`mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }`, {
            input: { runId: run.id, step, tokensSeen: step * 4096, uri: `external://nowhere/${runName}/step${step}` },
          }),
        ).registerCheckpoint.id,
      );
    }

    for (const [c, checkpointId] of checkpointIds.entries()) {
      const res = dataOf(
        await p.gql<{ ingestRouting: { stored: number } }>(`mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`, {
          input: {
            checkpointId,
            probeSetId,
            routerWeights,
            samples: Array.from({ length: SAMPLES }, (_, i) => ({ index: i, weights: routing(c, i), nll: nll(c, i), tokenCount: 12 })),
          },
        }),
      );
      assert.equal(res.ingestRouting.stored, SAMPLES);
    }

    const jobIds: string[] = [];
    for (const [c, checkpointId] of checkpointIds.entries()) {
      const right = new Map(SUITE.slice(0, CORRECT[c]).map((r) => [r.prompt, r.answer]));
      const server = await startOpenAiServer({ model: new ScriptedModel((prompt) => right.get(prompt) ?? 'no idea'), modelName: 'scripted', host: '127.0.0.1', port: 0 });
      servers.push(server);
      jobIds.push(
        dataOf(
          await p.gql<{ startEvaluation: { id: string } }>(`mutation($input: StartEvaluationInput!) { startEvaluation(input: $input) { id } }`, {
            input: { checkpointId, task: 'grok_math', backend: { openai: server.baseUrl, model: 'scripted' } },
          }),
        ).startEvaluation.id,
      );
    }

    const series = (metric: string, normalized = false) =>
      p.gql<{ run: { metricSeries: { points: { value: number | null }[] } } }>(
        `query($id: ID!, $ps: ID, $m: MetricName!, $n: Boolean!) { run(id: $id) { metricSeries(probeSet: $ps, metric: $m, normalized: $n) { points { value } } } }`,
        { id: run.id, ps: probeSetId, m: metric, n: normalized },
      );
    // Ingested routing that completes the probe set queues the run's metric variants; the worker fills them in.
    for (const [metric, normalized] of [
      ['distance', false],
      ['consistency', false],
      ['distance', true],
    ] as const) {
      await until(`${metric}${normalized ? ' (normalized)' : ''} at every checkpoint`, async () => {
        const values = dataOf(await series(metric, normalized)).run.metricSeries.points.map((x) => x.value);
        return values.length === STEPS.length && values.every((v) => v !== null) ? values : null;
      });
    }
    const alerts = await until('a grokking alert', async () => {
      const found = dataOf(
        await p.gql<{ run: { grokkingAlerts: { domain: string; startStep: number; endStep: number }[] } }>(
          `query($id: ID!) { run(id: $id) { grokkingAlerts { domain startStep endStep } } }`,
          { id: run.id },
        ),
      ).run.grokkingAlerts;
      return found.length > 0 ? found : null;
    });
    assert.equal(alerts[0].domain, 'math');
    for (const id of jobIds) {
      const status = await until(`evaluation ${id}`, async () => {
        const job = dataOf(
          await p.gql<{ evaluationJob: { status: string; error: string | null } }>(`query($id: ID!) { evaluationJob(id: $id) { status error } }`, { id }),
        ).evaluationJob;
        return job.status === 'queued' || job.status === 'running' ? null : job;
      });
      assert.equal(status.status, 'completed', status.error ?? '');
    }
    // The probe set and task are attached only now: the run's automation reacts to registrations,
    // and must neither capture (no capturer here) nor evaluate these checkpoints on its own.
    dataOf(
      await p.gql(`mutation($id: ID!, $input: RunSettingsInput!) { configureRun(id: $id, input: $input) { id } }`, {
        id: run.id,
        input: { probeSetIds: [probeSetId], tasks: ['grok_math'] },
      }),
    );
  });

  test('the page lists the run, plots every curve, correlates, and draws the sample view', async (t) => {
    assert.ok(checkpointIds?.length === STEPS.length, 'seeding failed');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    const base = p.url.replace(/\/graphql$/, '/');
    const res = await page.goto(base);
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'grokwatch');

    await page.waitForSelector(`[data-run-title="${runName}"]`, { timeout: 10_000 });
    assert.match(await page.locator('#run-select option:checked').innerText(), new RegExp(`^${runName} · ${STEPS.length} checkpoints$`));

    const points = (metric: string) => page.locator(`[data-domain="math"] svg[data-metric="${metric}"] .pt`);
    // Waits poll from here through locators: the page's CSP (script-src 'self') refuses the eval that
    // a string or function predicate of page.waitForFunction can need.
    await until('every accuracy point drawn', async () => ((await points('accuracy').count()) === STEPS.length ? true : null), 10_000);
    for (const metric of ['loss', 'distance', 'distance-normalized', 'consistency', 'effective-dimension', 'accuracy']) {
      assert.equal(await points(metric).count(), STEPS.length, `${metric} points`);
      assert.equal(await page.locator(`[data-domain="math"] svg[data-metric="${metric}"] path.series`).count(), 1, `${metric} line`);
    }
    // The accuracy points are the scripted models' scores: CORRECT[c] of 8.
    const accuracy = await points('accuracy').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    assert.deepEqual(
      accuracy,
      CORRECT.map((n) => n / SUITE.length),
    );
    assert.ok((await points('memorized').count()) > 0, 'memorization groups are drawn');
    // The detected phase: a banner, and a shaded band on every chart of the domain.
    const banner = await page.locator('[data-alert-domain="math"]').innerText();
    assert.match(banner, /Generalization detected in math between steps 800 and 4\.8k: memorized .* while \d of 5 pathway metrics moved the paper's way/);
    assert.match(banner, /Raw pathway distance \(length-confounded, not voting\)/);
    // The verdict in words beside the curves: the alert, the metrics that agreed, its lead over the 90% crossing.
    const verdict = await page.locator('[data-verdict="math"]').innerText();
    assert.match(verdict, /^Generalization signal at steps 800–4\.8k: .*consistency.* grok_math reached 90% at step 3\.2k; the signal came 1 checkpoint after that\.$/);
    assert.equal(await page.locator('[data-domain="math"] svg rect.band').count(), 7);

    // Hovering one chart shows the same checkpoint on all of them.
    const box = (await page.locator('[data-domain="math"] svg[data-metric="distance"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.4);
    const readouts = await page.locator('[data-domain="math"] .readout').allInnerTexts();
    assert.ok(readouts.length === 7 && readouts.every((r) => r.startsWith('step 6.4k')), readouts.join(' | '));
    await page.mouse.move(0, 0);

    // Correlation table: distance against accuracy has a value over every checkpoint.
    const distanceRow = page.locator('[data-corr-domain="math"] tr[data-corr-metric="distance"] td');
    const rCell = page.locator('[data-corr-domain="math"] tr[data-corr-metric="distance"] td.r');
    await until(
      'the distance correlation',
      async () =>
        /^[+−]\d\.\d\d$/.test(
          await rCell
            .first()
            .innerText({ timeout: 1_000 })
            .catch(() => ''),
        )
          ? true
          : null,
      10_000,
    );
    assert.equal(await distanceRow.nth(3).innerText(), String(STEPS.length));

    assert.ok((await page.locator('[data-mem-domain="math"] tr[data-group]').count()) > 0, 'grokking groups listed');

    // Routing health: the worst layer's dead experts, imbalance and entropy at every checkpoint.
    for (const metric of ['dead-experts', 'load-cv', 'load-entropy']) {
      const healthPoints = page.locator(`[data-health="run"] svg[data-metric="${metric}"] .pt`);
      await until(`health ${metric}`, async () => ((await healthPoints.count()) === STEPS.length ? true : null), 10_000);
    }
    await mkdir(resolve('test-results'), { recursive: true });
    await page.locator('#health').screenshot({ path: resolve('test-results', 'dashboard-health.png') });

    // Sample view: the first sample's pathways, serialized in the browser, equal @grokwatch/pathway's on the stored float32 weights.
    await page.waitForSelector('svg.heatmap rect.cell', { timeout: 10_000 });
    assert.equal(await page.locator('svg.heatmap rect.cell').count(), LAYERS * EXPERTS);
    assert.ok((await page.locator('svg.heatmap circle.path-dot').count()) >= LAYERS, 'pathway experts marked');
    const shown = await page.locator('tr[data-pathway-step] td.pathway').allInnerTexts();
    const expected = STEPS.map((_, c) =>
      serializePathway(
        extractPathway(
          routing(c, 0).map((row) => row.map(Math.fround)),
          0.7,
        ),
      ),
    );
    assert.deepEqual(shown, expected);

    // Another sample and the log axis.
    await page.locator('button[data-sample-index="5"]').click();
    const want = serializePathway(
      extractPathway(
        routing(5, 5).map((row) => row.map(Math.fround)),
        0.7,
      ),
    );
    const pathwayAt3200 = page.locator('tr[data-pathway-step="3200"] td.pathway');
    await until(
      "the other sample's pathway",
      async () =>
        (await pathwayAt3200
          .first()
          .textContent({ timeout: 1_000 })
          .catch(() => null)) === want
          ? true
          : null,
      5_000,
    );
    await page.locator('#scale-log').click();
    assert.equal(await page.locator('#scale-log').getAttribute('aria-pressed'), 'true');
    assert.equal(await points('distance').count(), STEPS.length);
    await page.locator('#scale-linear').click();

    // A chart enlarged: the same points, a moving average on request, its series as CSV.
    await page.locator('[data-domain="math"] figure[data-chart="distance"] button.chart-zoom').click();
    const zoomed = page.locator('dialog[data-zoomed="distance"]');
    await zoomed.waitFor({ timeout: 5_000 });
    assert.equal(await zoomed.locator('svg .pt').count(), await points('distance').count());
    await mkdir(resolve('test-results'), { recursive: true });
    await zoomed.screenshot({ path: resolve('test-results', 'dashboard-zoom.png') });
    const linesBefore = await zoomed.locator('svg path.series').count();
    await zoomed.locator('input.chart-smooth').check();
    assert.ok((await zoomed.locator('svg path.series').count()) > linesBefore, 'the moving average is drawn beside the raw curve');
    const [download] = await Promise.all([page.waitForEvent('download'), zoomed.locator('a.chart-csv').click()]);
    const csvLines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    assert.equal(csvLines[0].split(',')[0], 'step');
    assert.equal(csvLines.length, STEPS.length + 1);
    const [png] = await Promise.all([page.waitForEvent('download'), zoomed.locator('button.chart-png').click()]);
    await png.saveAs(resolve('test-results', 'dashboard-chart.png'));
    const pngBytes = await readFile((await png.path())!);
    assert.deepEqual([...pngBytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
    assert.ok(pngBytes.length > 5_000, `the PNG holds a drawn chart (${pngBytes.length} bytes)`);
    await zoomed.locator('button.chart-close').click();
    // The dialog's 'close' event, which removes it, is dispatched as a task after close().
    await page.locator('dialog.chart-dialog').waitFor({ state: 'detached', timeout: 5_000 });

    assert.equal(await page.locator('#status.status-error').count(), 0, await page.locator('#status').innerText());
    await page.mouse.wheel(0, -100_000);
    await mkdir(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`dashboard screenshot: ${SCREENSHOT}`);
    console.log(`dashboard screenshot: ${SCREENSHOT}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the CLI: export carries the benchmark beside the metrics, correlate --after-rise says where r starts, --benchmark keeps only the domains named', async () => {
    const cli = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, '--url', p.url, ...args]);
    const rows = JSON.parse((await run('--json', 'export', '--run', runName)).stdout) as { domain: string; step: number; metric: string; value: number | null }[];
    const accuracy = rows.filter((r) => r.metric.startsWith('accuracy (grok_math'));
    assert.deepEqual(
      accuracy.map((r) => r.step),
      [...STEPS],
    );
    assert.ok(accuracy.every((r) => r.domain === 'math' && r.value !== null && r.value >= 0 && r.value <= 1));
    const csvText = (await run('export', '--run', runName)).stdout;
    assert.match(csvText, /^math,\d+,"?accuracy \(grok_math [^)]+\)"?,\d/m);

    const afterRise = (await run('correlate', '--run', runName, '--after-rise')).stdout;
    assert.match(afterRise, /from step \(rise\)/);
    const plain = (await run('correlate', '--run', runName)).stdout;
    assert.doesNotMatch(plain, /from step \(rise\)/);
    const only = await run('correlate', '--run', runName, '--benchmark', 'code=grok_math').then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    assert.match(only, /has no domain with a benchmark/, 'math is left out when only code is named');
  });

  test('two runs overlaid: a second run of the same domain is drawn on every curve in its own colour', async () => {
    const other = `compare-${suffix}`;
    const otherId = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($n: String!, $p: [ID!]!) { createRun(input: { name: $n, architecture: "OlmoeForCausalLM", probeSetIds: $p }) { id } }`, {
        n: other,
        p: [probeSetId],
      }),
    ).createRun.id;
    // The second run trails the first by two checkpoints of convergence.
    for (const [c, step] of STEPS.slice(0, 4).entries()) {
      const checkpointId = dataOf(
        await p.gql<{ registerCheckpoint: { id: string } }>(
          `mutation($r: ID!, $s: Int!) { registerCheckpoint(input: { runId: $r, step: $s, uri: "external://nowhere/other" }) { id } }`,
          { r: otherId, s: step },
        ),
      ).registerCheckpoint.id;
      dataOf(
        await p.gql(`mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`, {
          input: {
            checkpointId,
            probeSetId,
            routerWeights,
            samples: Array.from({ length: SAMPLES }, (_, i) => ({ index: i, weights: routing(Math.max(0, c - 2), i), nll: nll(c, i), tokenCount: 12 })),
          },
        }),
      );
    }
    await until(
      "the second run's distances",
      async () => {
        const pts = dataOf(
          await p.gql<{ run: { metricSeries: { points: { value: number | null }[] } } }>(
            `query($r: ID!, $p: ID) { run(id: $r) { metricSeries(probeSet: $p, metric: distance) { points { value } } } }`,
            { r: otherId, p: probeSetId },
          ),
        ).run.metricSeries.points;
        return pts.length === 4 && pts.every((x) => x.value !== null) ? true : null;
      },
      30_000,
    );
    const mainId = dataOf(await p.gql<{ run: { id: string } }>(`query($n: String) { run(name: $n) { id } }`, { n: runName })).run.id;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(`${p.url.replace(/\/graphql$/, '/')}#run=${mainId}&vs=${otherId}`);
      const overlay = page.locator(`[data-domain="math"] svg[data-metric="distance"] path.series.control[data-control="run ${other}"]`);
      await overlay.waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('#compare-select option:checked').innerText(), other);
      await mkdir(resolve('test-results'), { recursive: true });
      await page.locator('[data-domain="math"]').screenshot({ path: resolve('test-results', 'dashboard-compare.png') });
      // Choosing none removes it.
      await page.locator('#compare-select').selectOption('');
      await until('the overlay gone', async () => ((await overlay.count()) === 0 ? true : null), 10_000);
    } finally {
      await page.close();
    }
  });

  test('a panel the reader closed stays closed when the page refreshes itself', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    try {
      await page.goto(p.url.replace(/\/graphql$/, '/'));
      const panel = page.locator('details[data-panel="checkpoints"]');
      await panel.waitFor({ timeout: 10_000 });
      const isOpen = async () => (await panel.getAttribute('open')) !== null;
      if (!(await isOpen())) await panel.locator('summary').click();
      assert.equal(await isOpen(), true);
      await panel.locator('summary').click();
      assert.equal(await isOpen(), false);
      // The page refreshes itself every 10 s: after one refresh the reader's choice still holds.
      const status = page.locator('#status');
      const before = await status.innerText();
      await until('an automatic refresh', async () => ((await status.innerText()) !== before && /updated/.test(await status.innerText()) ? true : null), 20_000);
      assert.equal(await isOpen(), false);
    } finally {
      await page.close();
    }
  });

  test('the run picker remembers the run chosen: a newer scratch run does not take its place', async () => {
    dataOf(await p.gql(`mutation($n: String!) { createRun(input: { name: $n, architecture: "OlmoeForCausalLM" }) { id } }`, { n: `scratch-${suffix}` }));
    const base = p.url.replace(/\/graphql$/, '/');
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    try {
      const first = await context.newPage();
      await first.goto(base);
      const checked = first.locator('#run-select option:checked');
      await until('the newest run opens first', async () => ((await checked.innerText().catch(() => '')).startsWith(`scratch-${suffix}`) ? true : null), 10_000);
      const chosen = await first.locator('#run-select option', { hasText: runName }).getAttribute('value');
      await first.locator('#run-select').selectOption(chosen!);
      await first.waitForSelector(`[data-run-title="${runName}"]`, { timeout: 10_000 });
      await first.close();
      const again = await context.newPage();
      await again.goto(base);
      await again.waitForSelector(`[data-run-title="${runName}"]`, { timeout: 10_000 });
      assert.match(await again.locator('#run-select option:checked').innerText(), new RegExp(`^${runName} `));
    } finally {
      await context.close();
    }
  });
});
