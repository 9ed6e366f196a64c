// What every grokwatch process opens before its own parts: the database migrated to its schemas,
// the bus, a /metrics registry counting its jobs from their tables, handlers timed, and the health
// checks. One place, so the three services and the embedded platform start and stop alike.
import { connectBus, wrapJobHandlers, type Bus, type BusConfig, type JobKind } from '@grokwatch/bus';
import { jobStatusCounts, migrateSchema, openDatabase, pingDatabase, type AnyKysely, type Database, type DatabaseConfig, type SchemaMigrations } from '@grokwatch/db';
import type { GraphQLSchema } from 'graphql';
import type { BaseContext } from '@apollo/server';
import { startHttpService, type HealthCheck, type HttpService } from './http-server.js';
import { jobMetrics } from './job-metrics.js';
import { createLogger, databaseLost, type Logger } from './logger.js';
import { createRegistry, type Registry } from './metrics.js';
import { DEFAULT_QUERY_LIMITS, withFieldCosts, type FieldCosts } from './query-limits.js';

export interface ServiceHostOptions {
  /** The process's name in logs and metrics. */
  name: string;
  database: DatabaseConfig;
  /** Every schema this process owns, migrated in this order. */
  migrations: readonly SchemaMigrations[];
  bus: BusConfig;
  /** Default: a pino logger named after the process. */
  logger?: Logger | undefined;
  /** The job kinds this process runs and each one's job table (grokwatch_jobs counts it at scrape time). */
  jobTables: Readonly<Partial<Record<JobKind, string>>>;
  /** Sees the SQL of every query (tests count what a request costs). */
  onQuery?: ((sql: string) => void) | undefined;
}

export interface SubgraphServeOptions<C extends BaseContext> {
  port: number;
  host?: string;
  requireToken?: string;
  schema: GraphQLSchema;
  context: () => Promise<C>;
  fieldCosts: FieldCosts;
}

export interface ServiceHost<DB> {
  readonly logger: Logger;
  readonly db: Database<DB>;
  /** The bus connection (events, progress, ping). */
  readonly bus: Bus;
  /** The same connection with every job handler timed into grokwatch_job_seconds. */
  readonly workBus: Bus;
  readonly registry: Registry;
  /** /healthz: the database and the bus answer. */
  readonly health: Readonly<Record<string, HealthCheck>>;
  /** Serves a subgraph with the host's health checks, metrics, logger and query limits. */
  serveSubgraph<C extends BaseContext>(opts: SubgraphServeOptions<C>): Promise<HttpService>;
  /** Closes the bus, then the database (after the process's own parts have stopped). */
  close(): Promise<void>;
}

export async function openServiceHost<DB>(opts: ServiceHostOptions): Promise<ServiceHost<DB>> {
  const logger = opts.logger ?? createLogger(opts.name);
  const db = await openDatabase<DB>(opts.database, { onBackgroundError: databaseLost(logger), ...(opts.onQuery ? { onQuery: opts.onQuery } : {}) });
  let bus: Bus;
  try {
    for (const m of opts.migrations) await migrateSchema(db.kysely as unknown as AnyKysely, m);
    bus = await connectBus(opts.bus);
  } catch (err) {
    await db.close();
    throw err;
  }
  const registry = createRegistry(opts.name);
  const counts = Object.fromEntries(Object.entries(opts.jobTables).map(([kind, table]) => [kind, () => jobStatusCounts(db.kysely as unknown as AnyKysely, table as string)]));
  const meter = jobMetrics(registry, counts);
  const health = { database: () => pingDatabase(db.kysely), bus: () => bus.ping() };
  return {
    logger,
    db,
    bus,
    workBus: wrapJobHandlers(bus, (kind, handler) => meter.timed(kind, handler)),
    registry,
    health,
    serveSubgraph: (s) =>
      startHttpService({
        name: opts.name,
        port: s.port,
        host: s.host,
        requireToken: s.requireToken,
        apollo: { schema: s.schema },
        context: s.context,
        health,
        registry,
        logger,
        limits: withFieldCosts(DEFAULT_QUERY_LIMITS, s.fieldCosts),
      }),
    async close() {
      await bus.close();
      await db.close();
    },
  };
}
