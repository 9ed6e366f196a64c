// API-key check for mutations: queries stay open so dashboards and scripts can read without a key.
import { timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const API_KEY_HEADER = 'x-api-key';

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the key from `x-api-key` or `Authorization: Bearer <key>`. */
export function presentedKey(headers: { get(name: string): string | undefined | null }): string | null {
  const direct = headers.get(API_KEY_HEADER);
  if (direct) return direct;
  const auth = headers.get('authorization');
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : null;
}

export function apiKeyPlugin(expected: string | undefined): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      return {
        async didResolveOperation({ operation }) {
          if (!expected || operation?.operation !== 'mutation') return;
          const given = request.http ? presentedKey(request.http.headers) : null;
          if (given === null || !keyMatches(given, expected)) {
            throw new GraphQLError('mutations need a valid API key (x-api-key header)', {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
            });
          }
        },
      };
    },
  };
}
