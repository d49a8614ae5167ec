import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { unwrapResolverError } from "@apollo/server/errors";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  separateOperations,
  type ValidationContext,
} from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "./query-complexity.js";
import { type Logger } from "pino";
import { type Limits } from "../config.js";
import { type Context } from "./context.js";
import { ErrorCode, QueryTooComplexError } from "./errors.js";

/** Codes of errors the service raises on purpose: these reach the client as they are. */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

/**
 * Keeps the service's own errors and GraphQL's validation errors; masks anything else
 * (a bug, a driver message) as INTERNAL_SERVER_ERROR and logs it once with its stack.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.["code"];
    if (
      typeof code === "string" &&
      PUBLIC_CODES.has(code) &&
      code !== ErrorCode.INTERNAL_SERVER_ERROR
    ) {
      const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error(
      { err: unwrapResolverError(error), path: formatted.path },
      "unexpected error while answering a query",
    );
    return {
      message: "Internal server error",
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * Refuses operations whose estimated cost (fields times page sizes) exceeds the limit.
 * The estimate depends on the document and on numeric variables only (page sizes), and
 * Apollo hands back the same parsed document for the same query text, so it is worked
 * out once per document and set of numeric variables.
 */
function complexityLimit(schema: GraphQLSchema, max: number): ApolloServerPlugin<Context> {
  const known = new WeakMap<DocumentNode, Map<string, number>>();
  const estimate = (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
  ) => {
    const numeric = Object.entries(variables).filter(([, v]) => typeof v === "number");
    const key = `${operationName ?? ""}|${JSON.stringify(numeric)}`;
    let byVariables = known.get(document);
    if (!byVariables) known.set(document, (byVariables = new Map()));
    let complexity = byVariables.get(key);
    if (complexity === undefined) {
      const query = operationName ? separateOperations(document)[operationName] : document;
      if (!query) return 0;
      complexity = getComplexity({
        schema,
        query,
        variables,
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
      byVariables.set(key, complexity);
    }
    return complexity;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const complexity = estimate(document, request.operationName, request.variables ?? {});
          if (complexity > max) throw new QueryTooComplexError(complexity, max);
        },
      };
    },
  };
}

/**
 * graphql-armor throws by default, which Apollo reports as an internal error; reported
 * through the validation context instead, a refusal is a GRAPHQL_VALIDATION_FAILED error
 * that names the limit.
 */
const asValidationError = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ""))),
  ],
};

export interface ServerOptions {
  readonly schema: GraphQLSchema;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly plugins?: ApolloServerPlugin<Context>[];
}

export function createApolloServer({
  schema,
  limits,
  logger,
  plugins = [],
}: ServerOptions): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Cross-site request forgery protection stays on: browsers must send a JSON body or a header.
    csrfPrevention: true,
    validationRules: [
      maxDepthRule({
        n: limits.maxQueryDepth,
        ignoreIntrospection: true,
        flattenFragments: true,
        ...asValidationError,
      }),
      maxAliasesRule({ n: limits.maxAliases, ...asValidationError }),
    ],
    formatError: createErrorFormatter(logger),
    plugins: [
      complexityLimit(schema, limits.maxQueryComplexity),
      // No field sets cache hints; the default plugin would still hook every field.
      ApolloServerPluginCacheControlDisabled(),
      ...plugins,
    ],
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
}
