export { startEmbedded, type EmbeddedOptions, type EmbeddedPlatform, type PlatformContext, type PlatformTables } from './embedded.js';
export { startGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';
export { composeSupergraph, subgraphSdl, CompositionError, type NamedSubgraph } from './supergraph.js';
export { renderSchemaFiles } from './schema-files.js';
export { apiKeyPlugin, API_KEY_HEADER } from './auth.js';
export { SUBSCRIPTION_SDL } from './subscriptions.js';
export { startDistributedGateway, type DistributedGatewayConfig, type SubgraphUrls } from './distributed.js';
