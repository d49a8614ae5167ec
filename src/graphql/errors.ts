import { ApolloServerErrorCode } from "@apollo/server/errors";
import { GraphQLError } from "graphql";

/**
 * The error codes clients can rely on (`extensions.code`). Input problems share
 * BAD_USER_INPUT and say which problem in `extensions.reason`.
 */
export enum ErrorCode {
  BAD_USER_INPUT = ApolloServerErrorCode.BAD_USER_INPUT,
  CODE_NOT_FOUND = "CODE_NOT_FOUND",
  UNAVAILABLE = "UNAVAILABLE",
  QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX",
  INTERNAL_SERVER_ERROR = ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
}

/** Values of `extensions.reason` on BAD_USER_INPUT errors. */
export enum InputProblem {
  INVALID_CODE = "INVALID_CODE",
  AMBIGUOUS_CODE = "AMBIGUOUS_CODE",
  SYSTEM_MISMATCH = "SYSTEM_MISMATCH",
  UNKNOWN_SYSTEM = "UNKNOWN_SYSTEM",
  PAGE_SIZE_EXCEEDED = "PAGE_SIZE_EXCEEDED",
  INVALID_CURSOR = "INVALID_CURSOR",
  BATCH_TOO_LARGE = "BATCH_TOO_LARGE",
  OUT_OF_RANGE = "OUT_OF_RANGE",
  UNKNOWN_RELEASE = "UNKNOWN_RELEASE",
}

/** The client sent something that cannot be answered as asked. */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, reason: InputProblem, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, reason, ...details } });
  }
}

/** A well-formed code that the graph does not hold, where an answer needs it. */
export class CodeNotFoundError extends GraphQLError {
  constructor(value: string, candidates: readonly string[]) {
    super(`no code ${JSON.stringify(value)} in the graph (looked for ${candidates.join(", ")})`, {
      extensions: { code: ErrorCode.CODE_NOT_FOUND, value, candidates },
    });
  }
}

/** The store cannot answer now (Neo4j down or too slow); retrying later may succeed. */
export class UnavailableError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.UNAVAILABLE } });
  }
}

/** The query would cost more than the configured limit. */
export class QueryTooComplexError extends GraphQLError {
  constructor(complexity: number, max: number) {
    super(
      `query cost ${complexity} exceeds the limit of ${max}; ask for smaller pages or fewer fields`,
      {
        // A refused request is the client's to change: HTTP 400, as for validation errors.
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, complexity, max, http: { status: 400 } },
      },
    );
  }
}
