// GraphQL subscriptions over graphql-ws, bridged from the bus's job-progress messages.
// Apollo Gateway does not federate subscriptions, so the gateway serves them from this small schema.
import type { Server } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Bus, JobKind, JobProgress } from '@grokwatch/bus';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export const SUBSCRIPTION_SDL = /* GraphQL */ `
  enum JobKind { capture metrics eval }

  "Progress of a capture, metrics or evaluation job."
  type JobProgress {
    kind: JobKind!
    jobId: ID!
    done: Int!
    total: Int!
    status: String!
    message: String
  }

  type Query {
    "Subscriptions live at this endpoint; queries and mutations go to the federated /graphql over HTTP."
    subscriptionsInfo: String!
  }

  type Subscription {
    "Progress events; filter by kind and/or job id (none: every job)."
    jobProgress(kind: JobKind, jobId: ID): JobProgress!
  }
`;

/** Turns callback delivery into an async iterator, buffering while the client is slow. */
function progressIterator(bus: Bus, filter: { kind?: JobKind; jobId?: string }): AsyncIterableIterator<{ jobProgress: JobProgress }> {
  const queue: JobProgress[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const sub = bus.subscribeProgress(filter, (p) => {
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
      if (queue.length > 0) return { value: { jobProgress: queue.shift()! }, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      await finish();
      return { value: undefined, done: true };
    },
  };
}

export function buildSubscriptionSchema(bus: Bus): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: SUBSCRIPTION_SDL,
    resolvers: {
      Query: { subscriptionsInfo: () => 'subscribe to jobProgress over graphql-ws at this URL' },
      Subscription: {
        jobProgress: {
          subscribe: (_: unknown, args: { kind?: JobKind | null; jobId?: string | null }) =>
            progressIterator(bus, { kind: args.kind ?? undefined, jobId: args.jobId ?? undefined }),
        },
      },
    },
  });
}

export interface SubscriptionServer {
  stop(): Promise<void>;
}

/** Serves graphql-ws on the gateway's HTTP server at `path`. */
export function serveSubscriptions(httpServer: Server, bus: Bus, path = '/graphql'): SubscriptionServer {
  const wss = new WebSocketServer({ server: httpServer, path });
  const cleanup = useServer({ schema: buildSubscriptionSchema(bus) }, wss);
  return {
    async stop() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
