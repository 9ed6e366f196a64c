import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { DASHBOARD_CSP, DEFAULT_ASSETS_DIR, dashboardRoutes } from './routes.js';

async function serve(modulesDir: string): Promise<{ base: string; server: Server }> {
  const app = express();
  dashboardRoutes({ modulesDir })(app);
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('dashboard routes', () => {
  let dir: string;
  let built: { base: string; server: Server };
  let unbuilt: { base: string; server: Server };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-dashboard-'));
    await mkdir(join(dir, 'modules', 'views'), { recursive: true });
    await writeFile(join(dir, 'modules', 'main.js'), 'export const main = 1;\n');
    await writeFile(join(dir, 'modules', 'views', 'curves.js'), 'export const curves = 2;\n');
    await writeFile(join(dir, 'modules', 'pathway.test.js'), 'test\n');
    await writeFile(join(dir, 'secret.js'), 'nope\n');
    built = await serve(join(dir, 'modules'));
    unbuilt = await serve(join(dir, 'empty'));
  });
  after(async () => {
    for (const s of [built, unbuilt]) await new Promise((r) => s?.server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('the library modules the page imports are the package itself, browser-safe (no bare imports)', async () => {
    for (const [path, exported] of [
      ['primary-score.js', 'primaryScoreMetric'],
      ['task-domain.js', 'tasksOfDomain'],
    ] as const) {
      const res = await fetch(`${built.base}/dashboard/lib/benchmark/${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      assert.equal(res.headers.get('content-security-policy'), DASHBOARD_CSP);
      const text = await res.text();
      assert.match(text, new RegExp(`export function ${exported}`));
      assert.doesNotMatch(text, /^import /m);
    }
  });

  test('the page, its stylesheet and icon come with a same-origin-only CSP', async () => {
    const page = await fetch(`${built.base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('content-security-policy'), DASHBOARD_CSP);
    const html = await page.text();
    assert.match(html, /<script type="module" src="dashboard\/main\.js">/);
    assert.match(html, /id="run-select"/);
    const css = await fetch(`${built.base}/dashboard.css`);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    const icon = await fetch(`${built.base}/favicon.svg`);
    assert.match(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);
    assert.ok(DEFAULT_ASSETS_DIR.endsWith(join('gateway', 'dashboard')));
  });

  test('compiled modules are served as JavaScript; tests, other names and traversal are not', async () => {
    const main = await fetch(`${built.base}/dashboard/main.js`);
    assert.equal(main.status, 200);
    assert.match(main.headers.get('content-type') ?? '', /text\/javascript/);
    assert.equal(await main.text(), 'export const main = 1;\n');
    assert.equal((await fetch(`${built.base}/dashboard/views/curves.js`)).status, 200);
    for (const path of ['pathway.test.js', 'missing.js', 'main.js.map', '..%2fsecret.js', '%2e%2e/secret.js', 'Main.js']) {
      const res = await fetch(`${built.base}/dashboard/${path}`);
      assert.equal(res.status, 404, path);
    }
  });

  test('an unbuilt dashboard says how to build it instead of serving a broken page', async () => {
    const res = await fetch(`${unbuilt.base}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /not built .*main\.js is missing\)\.\nBuild it with `npm run build` or `npx tsc -b services\/gateway\/dashboard`/s);
  });
});
