// A small GraphQL client: HTTP for queries and mutations, graphql-ws for progress subscriptions.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  url: string;
  apiKey?: string;
}

interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class GrokwatchClient {
  constructor(private readonly opts: ClientOptions) {}

  get url(): string {
    return this.opts.url;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: globalThis.Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.opts.apiKey ? { 'x-api-key': this.opts.apiKey } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new ApiError(`cannot reach grokwatch at ${this.opts.url} (${(err as Error).cause ?? (err as Error).message})`, 'UNREACHABLE');
    }
    const body = (await res.json().catch(() => null)) as Response<T> | null;
    if (!body) throw new ApiError(`${this.opts.url} answered ${res.status} without a GraphQL body`, 'BAD_RESPONSE');
    if (body.errors?.length) {
      const first = body.errors[0];
      throw new ApiError(body.errors.map((e) => e.message).join('; '), first.extensions?.code);
    }
    return body.data as T;
  }

  /** Calls `onEvent` for each event until it returns true, the server completes, or `stop()`. */
  subscribe<T>(query: string, variables: Record<string, unknown>, onEvent: (data: T) => boolean): { done: Promise<void>; stop(): void } {
    const client = createClient({ url: this.opts.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    let dispose: () => void = () => {};
    const finish = () => {
      dispose();
      void client.dispose();
    };
    const done = new Promise<void>((resolve, reject) => {
      dispose = client.subscribe<T>(
        { query, variables },
        {
          next: (msg) => {
            if (msg.data && onEvent(msg.data as T)) {
              finish();
              resolve();
            }
          },
          error: (err) => {
            finish();
            reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
          },
          complete: () => {
            finish();
            resolve();
          },
        },
      );
    });
    return { done, stop: finish };
  }
}
