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
  type ValidationRule,
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
 * (a bug, a driver message) as INTERNAL_SERVER_ERROR. A failure is logged once with its
 * stack, however many fields it reached (one failed store call fails every field of a
 * level). UNAVAILABLE answers say only that the store cannot answer: its details (host,
 * driver message) go to the log.
 */
export function createErrorFormatter(logger: Logger) {
  const logged = new WeakSet<object>();
  const logOnce = (error: unknown, message: string, fields: object) => {
    const original = unwrapResolverError(error);
    const key = typeof original === "object" && original !== null ? original : null;
    if (key && logged.has(key)) return;
    if (key) logged.add(key);
    logger.error({ err: original, ...fields }, message);
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.["code"];
    if (code === ErrorCode.UNAVAILABLE) {
      logOnce(error, "the graph store could not answer", { reason: formatted.message });
      return { ...formatted, message: UNAVAILABLE_MESSAGE, extensions: { code } };
    }
    if (
      typeof code === "string" &&
      PUBLIC_CODES.has(code) &&
      code !== ErrorCode.INTERNAL_SERVER_ERROR
    ) {
      const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logOnce(error, "unexpected error while answering a query", { path: formatted.path });
    return {
      message: "Internal server error",
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** What clients are told when the store cannot answer; the reason is logged. */
export const UNAVAILABLE_MESSAGE =
  "the code graph store is not answering right now; try again shortly";

/**
 * The variables a cost estimate depends on: page sizes (numbers), `@include`/`@skip`
 * conditions (booleans) and list lengths (`codes(codes: $list)`). Strings never change
 * a cost, so a lookup repeated with other codes reuses the estimate.
 */
function costKey(
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): string {
  const parts = Object.entries(variables).flatMap(([name, value]) => {
    if (typeof value === "number" || typeof value === "boolean") return [[name, value]];
    if (Array.isArray(value)) return [[name, `[${value.length}]`]];
    if (value !== null && typeof value === "object") return [[name, JSON.stringify(value)]];
    return [];
  });
  return `${operationName ?? ""}|${JSON.stringify(parts)}`;
}

/**
 * Refuses operations whose estimated cost (fields times page sizes and list lengths)
 * exceeds the limit. Apollo hands back the same parsed document for the same query
 * text, so the estimate is worked out once per document and cost-relevant variables.
 * Variables that do not fit their types are left for execution to report (400
 * BAD_USER_INPUT), not turned into an internal error here.
 */
function complexityLimit(schema: GraphQLSchema, max: number): ApolloServerPlugin<Context> {
  const known = new WeakMap<DocumentNode, Map<string, number>>();
  const estimate = (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
  ): number | undefined => {
    const key = costKey(operationName, variables);
    let byVariables = known.get(document);
    if (!byVariables) known.set(document, (byVariables = new Map()));
    let complexity = byVariables.get(key);
    if (complexity === undefined) {
      const query = operationName ? separateOperations(document)[operationName] : document;
      if (!query) return undefined;
      try {
        complexity = getComplexity({
          schema,
          query,
          variables,
          estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
        });
      } catch (error) {
        if (error instanceof GraphQLError) return undefined;
        throw error;
      }
      byVariables.set(key, complexity);
    }
    return complexity;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const complexity = estimate(document, request.operationName, request.variables ?? {});
          if (complexity !== undefined && complexity > max) {
            throw new QueryTooComplexError(complexity, max);
          }
        },
      };
    },
  };
}

/**
 * The schema has queries only. graphql-js refuses a mutation or subscription only when
 * executing it, with an error that has no code (reported as internal); refused during
 * validation instead, it is a GRAPHQL_VALIDATION_FAILED error that says why.
 */
const queriesOnly: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== "query") {
      context.reportError(
        new GraphQLError(`this API answers queries only; it has no ${node.operation}s`, {
          nodes: node,
        }),
      );
    }
  },
});

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
      queriesOnly,
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
