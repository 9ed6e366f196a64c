export { dashboardRoutes, DASHBOARD_CSP, DEFAULT_ASSETS_DIR, DEFAULT_MODULES_DIR, type DashboardOptions } from './routes.js';
