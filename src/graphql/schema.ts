import { type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import "./enums.js";
import { CodeLookupResolver, CodeResolutionResolver } from "./resolvers/code-lookup.resolver.js";
import { CodeResolver } from "./resolvers/code.resolver.js";
import { CodeSystemResolver } from "./resolvers/code-system.resolver.js";
import { ReleaseDiffResolver } from "./resolvers/release-diff.resolver.js";
import { SearchResolver } from "./resolvers/search.resolver.js";

let built: Promise<GraphQLSchema> | undefined;

/**
 * The executable schema, built once per process from the decorated classes (type-graphql
 * keeps its metadata globally, so building twice would only repeat the work).
 */
export function buildCodegraphSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      CodeLookupResolver,
      CodeResolutionResolver,
      CodeResolver,
      CodeSystemResolver,
      ReleaseDiffResolver,
      SearchResolver,
    ],
    validate: false,
    emitSchemaFile: false,
  });
  return built;
}
