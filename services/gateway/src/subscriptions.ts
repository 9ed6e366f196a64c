// GraphQL subscriptions over graphql-ws, bridged from the bus's job-progress messages.
// Apollo Gateway does not federate subscriptions, so the gateway serves them from this small schema.
import type { Server } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { hostname } from 'node:os';
import type { Bus, EventPayload, JobKind, JobProgress, Stoppable } from '@grokwatch/bus';
import type { GraphQLSchema } from 'graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { JOB_STATUS_DESCRIPTION, JOB_STATUS_DESCRIPTIONS } from '@grokwatch/service-kit';

export const SUBSCRIPTION_SDL = /* GraphQL */ `
  "What a job does: capture routing, compute pathway metrics, or evaluate a benchmark."
  enum JobKind {
    "Routing capture of a probe set at a checkpoint."
    capture
    "Pathway metrics of a probe set at a checkpoint."
    metrics
    "A benchmark task at a checkpoint."
    evaluation
  }

  "${JOB_STATUS_DESCRIPTION}"
  enum JobStatus {
${Object.entries(JOB_STATUS_DESCRIPTIONS)
  .map(([v, d]) => `    "${d}"\n    ${v}`)
  .join('\n')}
  }

  "Progress of a capture, metrics or evaluation job."
  type JobProgress {
    "What the job does."
    kind: JobKind!
    "The job's id (the capture, metrics or evaluation job of the queries)."
    jobId: ID!
    "Units done so far (samples, pairs or benchmark items)."
    done: Int!
    "Units in all."
    total: Int!
    "Where the job stands."
    status: JobStatus!
    "What the job is doing, when it says."
    message: String
  }

  "A JSON object."
  scalar JSONObject

  "A grokking phase of a run's probe set, as the query's GrokkingAlert serves it (the same JSON on every channel)."
  type GrokkingEvent {
    "The run."
    runId: ID!
    "The probe set judged."
    probeSetId: ID!
    "Its domain."
    domain: String!
    "First checkpoint step of the phase."
    startStep: Int!
    "Last checkpoint step of the phase."
    endStep: Int!
    "ISO 8601."
    detectedAt: String!
    "Signature metrics that agreed."
    agreeing: [String!]!
    "threshold, loss, metrics (per-metric evidence), context, rule."
    evidence: JSONObject!
  }

  "A layer of a run whose routing collapsed, as the query's RoutingCollapseAlert serves it (recoveredStep is recorded later, in the query)."
  type RoutingCollapseEvent {
    "The run."
    runId: ID!
    "Routed layer, from 0."
    layer: Int!
    "First checkpoint step where the rule held."
    step: Int!
    "The checkpoint where it held."
    checkpointId: ID!
    "Dead experts of the layer at that step."
    deadExperts: Int!
    "Dead experts at the run's first checkpoint."
    baselineDead: Int!
    "Experts of the layer."
    experts: Int!
    "ISO 8601."
    detectedAt: String!
  }

  type Query {
    "Subscriptions live at this endpoint; queries and mutations go to the federated /graphql over HTTP."
    subscriptionsInfo: String!
  }

  "Live events over graphql-ws on the gateway's /graphql."
  type Subscription {
    "Progress events; filter by kind and/or job id (none: every job)."
    jobProgress(kind: JobKind, jobId: ID): JobProgress!
    "Grokking alerts as they are detected; filter by run (none: every run)."
    grokkingDetected(runId: ID): GrokkingEvent!
    "Routing collapse alerts as they are detected; filter by run (none: every run)."
    routingCollapsed(runId: ID): RoutingCollapseEvent!
  }
`;

/** The alerts as the bus contract carries them (the metrics service's payloads). */
type GrokkingEvent = EventPayload<'grokking.detected'>;
type RoutingCollapseEvent = EventPayload<'routing.collapsed'>;

/**
 * An alert event reaches this gateway through one durable consumer of its own (named after the
 * host, so a restart resumes it) and fans out to every open GraphQL subscription.
 */
export class EventFanOut<E extends 'grokking.detected' | 'routing.collapsed'> {
  private readonly listeners = new Set<(e: EventPayload<E>) => void>();
  private subscription: Stoppable | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly event: E,
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribeEvents(
      this.event,
      async (e) => {
        for (const l of this.listeners) l(e);
      },
      { durable: `gateway-${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}`, deliver: 'new' },
    );
  }

  listen(listener: (e: EventPayload<E>) => void): Stoppable {
    this.listeners.add(listener);
    return { stop: async () => void this.listeners.delete(listener) };
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}

/** Turns callback delivery into an async iterator, buffering while the client is slow. */
function iterate<T, K extends string>(key: K, listen: (push: (v: T) => void) => Stoppable): AsyncIterableIterator<Record<K, T>> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const sub = listen((p) => {
    queue.push(p);
    wake?.();
  });
  const finish = async () => {
    done = true;
    wake?.();
    await sub.stop();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (queue.length > 0) return { value: { [key]: queue.shift()! } as Record<K, T>, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      await finish();
      return { value: undefined, done: true };
    },
  };
}

export function buildSubscriptionSchema(bus: Bus, grokking: EventFanOut<'grokking.detected'>, collapse: EventFanOut<'routing.collapsed'>): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: SUBSCRIPTION_SDL,
    resolvers: {
      JSONObject: GraphQLJSONObject,
      Query: { subscriptionsInfo: () => 'subscribe to jobProgress over graphql-ws at this URL' },
      Subscription: {
        jobProgress: {
          subscribe: (_: unknown, args: { kind?: JobKind | null; jobId?: string | null }) =>
            iterate<JobProgress, 'jobProgress'>('jobProgress', (push) => bus.subscribeProgress({ kind: args.kind ?? undefined, jobId: args.jobId ?? undefined }, push)),
        },
        grokkingDetected: {
          subscribe: (_: unknown, args: { runId?: string | null }) =>
            iterate<GrokkingEvent, 'grokkingDetected'>('grokkingDetected', (push) =>
              grokking.listen((e) => {
                if (!args.runId || e.runId === args.runId) push(e);
              }),
            ),
        },
        routingCollapsed: {
          subscribe: (_: unknown, args: { runId?: string | null }) =>
            iterate<RoutingCollapseEvent, 'routingCollapsed'>('routingCollapsed', (push) =>
              collapse.listen((e) => {
                if (!args.runId || e.runId === args.runId) push(e);
              }),
            ),
        },
      },
    },
  });
}

export interface SubscriptionServer {
  stop(): Promise<void>;
}

/** Serves graphql-ws on the gateway's HTTP server at `path`. */
export async function serveSubscriptions(httpServer: Server, bus: Bus, path = '/graphql'): Promise<SubscriptionServer> {
  const grokking = new EventFanOut(bus, 'grokking.detected');
  await grokking.start();
  const collapse = new EventFanOut(bus, 'routing.collapsed');
  await collapse.start();
  const wss = new WebSocketServer({ server: httpServer, path });
  const cleanup = useServer({ schema: buildSubscriptionSchema(bus, grokking, collapse) }, wss);
  return {
    async stop() {
      await grokking.stop();
      await collapse.stop();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
