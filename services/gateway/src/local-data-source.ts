// The embedded gateway's subgraph calls, in process. @apollo/gateway's LocalGraphQLDataSource parses
// and validates the subgraph operation on every call; the gateway sends the same few operation
// strings over and over (one per query plan node), so they are parsed and validated once here.
import { LocalGraphQLDataSource } from '@apollo/gateway';
import { execute, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';

type ProcessOptions = Parameters<LocalGraphQLDataSource['process']>[0];
type ProcessResult = Awaited<ReturnType<LocalGraphQLDataSource['process']>>;

const MAX_DOCUMENTS = 1_000;

export class CachedLocalDataSource extends LocalGraphQLDataSource {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(schema: GraphQLSchema) {
    super(schema);
  }

  override async process({ request, context }: ProcessOptions): Promise<ProcessResult> {
    const source = request.query ?? '';
    let document = this.documents.get(source);
    if (document === undefined) {
      let parsed: DocumentNode;
      try {
        parsed = parse(source);
      } catch (err) {
        return { errors: [err as GraphQLError] } as ProcessResult;
      }
      const errors = validate(this.schema, parsed);
      if (errors.length > 0) return { errors } as ProcessResult;
      document = parsed;
      if (this.documents.size >= MAX_DOCUMENTS) this.documents.delete(this.documents.keys().next().value as string);
      this.documents.set(source, document);
    }
    return (await execute({
      schema: this.schema,
      document,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: context,
    })) as ProcessResult;
  }
}
