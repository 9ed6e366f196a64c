// How a subgraph listens in a distributed deployment: on loopback unless told otherwise, and, when a
// token is configured, answering only the gateway that sends it.
import type { Logger } from 'pino';

export interface SubgraphListen {
  host: string;
  /** Required of every /graphql request (see http-server.ts SUBGRAPH_TOKEN_HEADER); undefined: open. */
  token: string | undefined;
}

/** GROKWATCH_SUBGRAPH_TOKEN, else GROKWATCH_API_KEY (one secret protects a small deployment whole). */
export function subgraphTokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.GROKWATCH_SUBGRAPH_TOKEN?.trim() || env.GROKWATCH_API_KEY?.trim();
  return token === '' ? undefined : token;
}

/** HOST (default 127.0.0.1) and the token; warns when a subgraph is reachable from outside and open. */
export function subgraphListen(env: NodeJS.ProcessEnv, logger: Logger): SubgraphListen {
  const host = env.HOST?.trim() || '127.0.0.1';
  const token = subgraphTokenFromEnv(env);
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  if (!loopback && token === undefined) {
    logger.warn({ host }, 'this subgraph listens beyond loopback without GROKWATCH_SUBGRAPH_TOKEN: anyone who reaches it bypasses the gateway and its API key');
  }
  return { host, token };
}
