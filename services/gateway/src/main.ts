// Distributed gateway: `node services/gateway/dist/main.js`, composing the subgraphs at their URLs.
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { busConfigFromEnv, connectBus } from '@grokwatch/bus';
import { createLogger, createRegistry, env, onShutdown, parseEnv } from '@grokwatch/service-kit';
import { startGatewayServer } from './gateway-server.js';

export function subgraphList(urls: { inference: string; metrics: string; evaluation: string }) {
  return Object.entries(urls).map(([name, url]) => ({ name, url }));
}

async function main(): Promise<void> {
  const logger = createLogger('gateway');
  const cfg = parseEnv({
    PORT: env.int({ default: 4000, min: 0, max: 65535 }),
    INFERENCE_URL: env.string({ default: 'http://localhost:4001/graphql' }),
    METRICS_URL: env.string({ default: 'http://localhost:4002/graphql' }),
    EVALUATION_URL: env.string({ default: 'http://localhost:4003/graphql' }),
    GROKWATCH_API_KEY: env.optionalString(),
    SUBGRAPH_POLL_MS: env.int({ default: 0, min: 0 }),
  });
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: subgraphList({ inference: cfg.INFERENCE_URL, metrics: cfg.METRICS_URL, evaluation: cfg.EVALUATION_URL }),
      pollIntervalInMs: cfg.SUBGRAPH_POLL_MS || undefined,
    }),
  });
  const bus = await connectBus(busConfigFromEnv(process.env));
  const server = await startGatewayServer({
    port: cfg.PORT,
    gateway,
    context: async () => ({}),
    bus,
    apiKey: cfg.GROKWATCH_API_KEY,
    logger,
    registry: createRegistry('gateway'),
    health: {
      subgraphs: async () => {
        const urls = [cfg.INFERENCE_URL, cfg.METRICS_URL, cfg.EVALUATION_URL];
        await Promise.all(urls.map(async (u) => {
          const res = await fetch(u.replace(/\/graphql$/, '/healthz'));
          if (!res.ok) throw new Error(`${u} unhealthy (${res.status})`);
        }));
      },
    },
  });
  console.log(`grokwatch gateway: ${server.url}`);
  onShutdown(logger, [() => server.stop(), () => bus.close()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
