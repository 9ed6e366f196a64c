// The public entry point: federated /graphql over HTTP, subscriptions over graphql-ws on the same path.
import type { ApolloGateway } from '@apollo/gateway';
import type { BaseContext } from '@apollo/server';
import type { Bus } from '@grokwatch/bus';
import { evaluationFieldCosts } from '@grokwatch/evaluation';
import { inferenceFieldCosts } from '@grokwatch/inference';
import { metricsFieldCosts } from '@grokwatch/metrics';
import {
  DEFAULT_QUERY_LIMITS,
  startHttpService,
  withFieldCosts,
  type HealthCheck,
  type HttpService,
  type Logger,
  type QueryLimits,
  type RateLimit,
  type Registry,
} from '@grokwatch/service-kit';
import type { Express } from 'express';
import { apiKeyPlugin } from './auth.js';
import { introspectionWithSubscriptions } from './introspection.js';
import { serveSubscriptions } from './subscriptions.js';

export interface GatewayServerOptions<C extends BaseContext> {
  port: number;
  host?: string;
  gateway: ApolloGateway;
  context: () => Promise<C>;
  bus: Bus;
  apiKey?: string;
  /** Default: every subgraph's declared field costs (GATEWAY_QUERY_LIMITS). */
  limits?: QueryLimits;
  logger: Logger;
  registry: Registry;
  health: Record<string, HealthCheck>;
  routes?: (app: Express) => void;
  /** Per-client request rate; unset: none. */
  rateLimit?: RateLimit;
  operationTimeoutMs?: number;
  maxResponseBytes?: number;
}

export interface GatewayServer {
  url: string;
  wsUrl: string;
  http: HttpService;
  stop(): Promise<void>;
}

/** The supergraph's query limits: the defaults with every subgraph's declared field costs. */
export const GATEWAY_QUERY_LIMITS: QueryLimits = withFieldCosts(DEFAULT_QUERY_LIMITS, inferenceFieldCosts, metricsFieldCosts, evaluationFieldCosts);

export async function startGatewayServer<C extends BaseContext>(opts: GatewayServerOptions<C>): Promise<GatewayServer> {
  const http = await startHttpService<C>({
    name: 'gateway',
    port: opts.port,
    host: opts.host,
    apollo: { gateway: opts.gateway, plugins: [apiKeyPlugin(opts.apiKey), introspectionWithSubscriptions()] },
    context: () => opts.context(),
    health: opts.health,
    registry: opts.registry,
    logger: opts.logger,
    limits: opts.limits ?? GATEWAY_QUERY_LIMITS,
    routes: opts.routes,
    rateLimit: opts.rateLimit,
    operationTimeoutMs: opts.operationTimeoutMs,
    maxResponseBytes: opts.maxResponseBytes,
  });
  const subscriptions = await serveSubscriptions(http.httpServer, opts.bus);
  return {
    url: http.url,
    wsUrl: http.url.replace(/^http/, 'ws'),
    http,
    async stop() {
      await subscriptions.stop();
      await http.stop();
    },
  };
}
