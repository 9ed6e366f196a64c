// Limits on one operation once it runs, beside the static cost check of query-limits.ts: a deadline
// that stops resolvers from starting after it passes, a cap on the size of the answer, and a per-client
// request rate.
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { env, type Field } from './env.js';

/** Where the per-request context carries its deadline (epoch ms); set by startHttpService. */
export const OPERATION_DEADLINE = Symbol.for('grokwatch.operationDeadline');

export const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function timedOut(ms: number): GraphQLError {
  return new GraphQLError(`the operation ran past its ${ms} ms limit and was stopped; ask for less (smaller limits, fewer fields)`, {
    extensions: { code: 'OPERATION_TIMEOUT' },
  });
}

/** Throws once the context's deadline has passed; a context without one never expires. */
export function checkDeadline(context: unknown): void {
  const deadline = (context as { [OPERATION_DEADLINE]?: { at: number; ms: number } } | null)?.[OPERATION_DEADLINE];
  if (deadline !== undefined && Date.now() > deadline.at) throw timedOut(deadline.ms);
}

/** A copy of `context` carrying a deadline `ms` from now (contexts may be shared objects: never mutate them). */
export function withDeadline<C extends object>(context: C, ms: number): C {
  return { ...context, [OPERATION_DEADLINE]: { at: Date.now() + ms, ms } };
}

/**
 * Makes every resolver that does work (an explicit resolve function, an entity's __resolveReference)
 * check the deadline before it starts: a query that fans out (`runs { checkpoints { run { ...`) stops
 * within one resolver of its deadline instead of running on after the client gave up. In place,
 * because federation keeps __resolveReference on the type objects.
 */
export function enforceDeadlines(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (resolve === undefined) continue;
      const guarded: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        checkDeadline(context);
        return resolve(source, args, context, info);
      };
      field.resolve = guarded;
    }
    const holder = type as unknown as { resolveReference?: (ref: unknown, context: unknown, info: unknown) => unknown };
    const reference = holder.resolveReference;
    if (reference !== undefined) {
      holder.resolveReference = (ref, context, info) => {
        checkDeadline(context);
        return reference(ref, context, info);
      };
    }
  }
  return schema;
}

/**
 * An answer larger than `maxBytes` is replaced by an error naming the size: four aliases of
 * `samples(limit: 1000) { text }` returned 44 MB. The cost check bounds the number of fields, not
 * the length of a text.
 */
export function responseSizePlugin(maxBytes = DEFAULT_MAX_RESPONSE_BYTES): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const size = Buffer.byteLength(JSON.stringify(response.body.singleResult));
          if (size <= maxBytes) return;
          response.body.singleResult = {
            errors: [
              {
                message: `the answer would be ${size} bytes, more than the ${maxBytes} allowed; page through it (limit, offset) or select fewer fields`,
                extensions: { code: 'RESPONSE_TOO_LARGE' },
              },
            ],
          };
          response.http.status = 400;
        },
      };
    },
  };
}

export interface RateLimit {
  /** Sustained requests per second per client. */
  perSecond: number;
  /** Requests a client may send at once after being idle. */
  burst: number;
}

/**
 * A token bucket per client (its API key if it sends one, else its address): over the limit it gets
 * 429 with Retry-After, as JSON. Buckets idle for a minute are forgotten, so memory stays bounded by
 * the clients of the last minute.
 */
export function rateLimiter(limit: RateLimit): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = Date.now();
  return (req, res, next) => {
    const now = Date.now();
    if (now - lastSweep > 60_000) {
      for (const [key, b] of buckets) if (now - b.at > 60_000) buckets.delete(key);
      lastSweep = now;
    }
    const key = req.get('x-api-key') ?? req.get('authorization') ?? req.ip ?? 'unknown';
    const b = buckets.get(key) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    buckets.set(key, b);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / limit.perSecond);
      res.set('retry-after', String(Math.max(1, wait)));
      res.status(429).json({ errors: [{ message: `more than ${limit.perSecond} requests per second from this client; retry later`, extensions: { code: 'RATE_LIMITED' } }] });
      return;
    }
    b.tokens -= 1;
    next();
  };
}

/** The public gateway's settings: RATE_LIMIT_PER_S (0: off), RATE_LIMIT_BURST, OPERATION_TIMEOUT_MS. */
export const RATE_LIMIT_ENV: { RATE_LIMIT_PER_S: Field<number>; RATE_LIMIT_BURST: Field<number>; OPERATION_TIMEOUT_MS: Field<number> } = {
  RATE_LIMIT_PER_S: env.int({ default: 100, min: 0 }),
  RATE_LIMIT_BURST: env.int({ default: 200, min: 1 }),
  OPERATION_TIMEOUT_MS: env.int({ default: DEFAULT_OPERATION_TIMEOUT_MS, min: 100 }),
};

export function operationLimitsFromEnv(cfg: { RATE_LIMIT_PER_S: number; RATE_LIMIT_BURST: number; OPERATION_TIMEOUT_MS: number }): {
  rateLimit?: RateLimit;
  operationTimeoutMs: number;
} {
  return {
    ...(cfg.RATE_LIMIT_PER_S > 0 ? { rateLimit: { perSecond: cfg.RATE_LIMIT_PER_S, burst: Math.max(cfg.RATE_LIMIT_BURST, 1) } } : {}),
    operationTimeoutMs: cfg.OPERATION_TIMEOUT_MS,
  };
}
