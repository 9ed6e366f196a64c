import type { MetricsService } from '../metrics-service.js';

export interface MetricsContext {
  metrics: MetricsService;
}
