// The gateway in front of separately running subgraphs, composed by introspecting their URLs.
import { disableApolloTelemetry } from './apollo-telemetry.js';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { connectBus, type BusConfig } from '@grokwatch/bus';
import { createLogger, createRegistry, DEFAULT_OPERATION_TIMEOUT_MS, SUBGRAPH_TOKEN_HEADER, type Logger, type RateLimit } from '@grokwatch/service-kit';
import { dashboardRoutes } from './dashboard/index.js';
import { startGatewayServer, type GatewayServer } from './gateway-server.js';

export interface SubgraphUrls {
  inference: string;
  metrics: string;
  evaluation: string;
}

export interface DistributedGatewayConfig {
  port: number;
  host?: string;
  subgraphs: SubgraphUrls;
  bus: BusConfig;
  apiKey?: string;
  logger?: Logger;
  pollIntervalMs?: number;
  /** Sent to every subgraph (SUBGRAPH_TOKEN_HEADER), which answers nothing else when it has one. */
  subgraphToken?: string;
  rateLimit?: RateLimit;
  operationTimeoutMs?: number;
}

/**
 * fetch that gives up after `timeoutMs`: a subgraph that hangs (stopped, partitioned) costs the
 * gateway one operation deadline per request, not a socket held forever.
 */
export function fetchWithin(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}

export async function startDistributedGateway(cfg: DistributedGatewayConfig): Promise<GatewayServer> {
  const logger = cfg.logger ?? createLogger('gateway');
  disableApolloTelemetry();
  const token = cfg.subgraphToken;
  const subgraphFetch = fetchWithin(cfg.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS);
  const gateway = new ApolloGateway({
    // Composition's introspection goes through these data sources too, so it carries the token.
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        fetcher: subgraphFetch,
        willSendRequest({ request }) {
          if (token !== undefined) request.http?.headers.set(SUBGRAPH_TOKEN_HEADER, token);
        },
      }),
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: Object.entries(cfg.subgraphs).map(([name, url]) => ({ name, url })),
      pollIntervalInMs: cfg.pollIntervalMs,
    }),
  });
  const bus = await connectBus(cfg.bus);
  const healthUrls = Object.values(cfg.subgraphs).map((u: string) => u.replace(/\/graphql$/, '/healthz'));
  const server = await startGatewayServer({
    port: cfg.port,
    host: cfg.host,
    gateway,
    context: async () => ({}),
    bus,
    apiKey: cfg.apiKey,
    logger,
    registry: createRegistry('gateway'),
    health: {
      subgraphs: async () => {
        await Promise.all(
          healthUrls.map(async (u) => {
            const res = await fetch(u, { signal: AbortSignal.timeout(1_000) });
            if (!res.ok) throw new Error(`${u} answered ${res.status}`);
          }),
        );
      },
    },
    routes: dashboardRoutes(),
    rateLimit: cfg.rateLimit,
    operationTimeoutMs: cfg.operationTimeoutMs,
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      await bus.close();
    },
  };
}
