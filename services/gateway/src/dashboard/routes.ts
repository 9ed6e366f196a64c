// Serves the dashboard page: `/` (index.html), `/dashboard.css` and `/favicon.svg` from
// services/gateway/dashboard, and `/dashboard/<module>.js`, the browser modules compiled from
// services/gateway/dashboard/src into dist/dashboard-web, plus the browser-safe library modules they
// import (`/dashboard/lib/...`). The page reads everything else from the
// public GraphQL API, so the Content-Security-Policy allows no origin but this one.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request, Response } from 'express';

export interface DashboardOptions {
  /** Folder of index.html, dashboard.css and favicon.svg (default: services/gateway/dashboard). */
  assetsDir?: string;
  /** Folder of the compiled browser modules (default: services/gateway/dist/dashboard-web). */
  modulesDir?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_ASSETS_DIR = resolve(here, '../../dashboard');
export const DEFAULT_MODULES_DIR = resolve(here, '../dashboard-web');

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/dashboard.css': 'dashboard.css',
  '/favicon.svg': 'favicon.svg',
};

/** Browser-safe library modules the page imports, served from the package itself (no copy to drift). */
const LIBRARY_MODULES: Readonly<Record<string, string>> = {
  'lib/benchmark/primary-score.js': '@grokwatch/benchmark/primary-score',
  'lib/benchmark/task-domain.js': '@grokwatch/benchmark/task-domain',
};

// Module paths are lower-case words joined by "-" and "/", ending in .js; tests are not served.
const MODULE_PATH = /^(?:[a-z0-9][a-z0-9-]*\/)*[a-z0-9][a-z0-9-]*\.js$/;

function headers(res: Response): void {
  res.set('Content-Security-Policy', DASHBOARD_CSP);
  res.set('X-Content-Type-Options', 'nosniff');
  // Revalidate every load (ETag) so a rebuilt dashboard is picked up without a restart.
  res.set('Cache-Control', 'no-cache');
}

function notBuilt(res: Response, modulesDir: string): void {
  headers(res);
  res
    .status(503)
    .type('text/plain')
    .send(
      `The dashboard's browser code is not built (${join(modulesDir, 'main.js')} is missing).\n` +
        'Build it with `npm run build` or `npx tsc -b services/gateway/dashboard`, then reload.\n',
    );
}

/** Mounts the dashboard routes; pass to startGatewayServer's `routes`. */
export function dashboardRoutes(opts: DashboardOptions = {}): (app: Express) => void {
  const assetsDir = opts.assetsDir ?? DEFAULT_ASSETS_DIR;
  const modulesDir = opts.modulesDir ?? DEFAULT_MODULES_DIR;
  return (app) => {
    for (const [route, file] of Object.entries(STATIC_FILES)) {
      app.get(route, (_req: Request, res: Response) => {
        if (file === 'index.html' && !existsSync(join(modulesDir, 'main.js'))) return notBuilt(res, modulesDir);
        headers(res);
        res.sendFile(file, { root: assetsDir });
      });
    }
    app.get('/dashboard/*path', (req: Request, res: Response) => {
      const segments = (req.params as { path?: string[] }).path ?? [];
      const path = segments.join('/');
      headers(res);
      const library = LIBRARY_MODULES[path];
      if (library !== undefined) {
        res.type('text/javascript').sendFile(fileURLToPath(import.meta.resolve(library)));
        return;
      }
      if (!MODULE_PATH.test(path) || path.endsWith('.test.js')) {
        res.status(404).type('text/plain').send(`no dashboard module ${path}`);
        return;
      }
      res.type('text/javascript').sendFile(path, { root: modulesDir }, (err) => {
        if (err && !res.headersSent) res.status(404).type('text/plain').send(`no dashboard module ${path}`);
      });
    });
  };
}
