// Turns a type-graphql schema into an Apollo Federation 2 subgraph schema.
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives, type IResolvers } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { enforceDeadlines } from './operation-limits.js';

const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@extends"])';

export type ReferenceResolvers = Record<string, { __resolveReference: (ref: never, ctx: never) => unknown }>;

/**
 * type-graphql builds the schema from decorated classes (with `@Directive('@key(fields: "id")')`
 * on entities); the printed SDL, with the federation link, is then fed to @apollo/subgraph so the
 * service answers `_service` and `_entities` as the gateway expects.
 */
export async function buildSubgraph(options: Omit<BuildSchemaOptions, 'skipCheck'>, referenceResolvers: ReferenceResolvers = {}): Promise<GraphQLSchema> {
  const schema = await buildSchema({ ...options, skipCheck: true });
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`;
  const resolvers = createResolversMap(schema) as IResolvers;
  for (const [typeName, ref] of Object.entries(referenceResolvers)) {
    const existing = (resolvers[typeName] ?? {}) as Record<string, unknown>;
    resolvers[typeName] = { ...existing, ...ref };
  }
  return enforceDeadlines(buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }));
}
