import neo4j from "neo4j-driver";
import { assertNever } from "../../domain/graph.js";
import { StoreUnavailableError } from "../graph-store.js";
import { FULLTEXT_INDEX } from "./server-checks.js";

/**
 * Server error codes that mean "Neo4j cannot answer this now", not "the query is wrong".
 * Timeouts and memory have their own messages (below): they call for different action.
 */
const UNAVAILABLE_CODES: ReadonlyMap<string, string> = new Map([
  [
    "Neo.ClientError.Security.Unauthorized",
    "Neo4j refused the credentials (check NEO4J_USER and NEO4J_PASSWORD)",
  ],
  [
    "Neo.ClientError.Security.AuthenticationRateLimit",
    "Neo4j is rate-limiting logins after failed attempts",
  ],
  [
    "Neo.ClientError.Security.CredentialsExpired",
    "the Neo4j password has expired and must be changed",
  ],
  [
    "Neo.ClientError.Database.DatabaseNotFound",
    "the database named by NEO4J_DATABASE does not exist",
  ],
  ["Neo.TransientError.General.DatabaseUnavailable", "the Neo4j database is not available"],
]);

/** The server stopped the transaction at a time limit (ours, sent with it, or its own). */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  "Neo.ClientError.Transaction.TransactionTimedOut",
  "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
]);

/**
 * The server ran out of memory for a transaction: a memory pool limit
 * (dbms.memory.transaction.total.max for all transactions, db.memory.transaction.max for
 * one; the message names which) or the heap itself. Neo4j classes these as transient,
 * so a retry loop would send the same work again; it fails the same way.
 */
const MEMORY_CODES: ReadonlySet<string> = new Set([
  "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
  "Neo.TransientError.General.OutOfMemoryError",
  "Neo.ClientError.General.TransactionOutOfMemoryError",
]);

/** Why Neo4j could not answer, for the actions each reason calls for. */
export type Neo4jFailure =
  "unreachable" | "refused" | "timeout" | "memory" | "missingIndex" | "overloaded" | "transient";

/**
 * What kind of "cannot answer now" a driver error is, or undefined for errors that are
 * bugs (a wrong statement, a mapping error): those propagate unchanged and are masked by
 * the GraphQL error formatter.
 */
export function classifyNeo4jError(error: unknown): Neo4jFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof neo4j.Neo4jError) {
    if (UNAVAILABLE_CODES.has(error.code)) return "refused";
    if (TIMEOUT_CODES.has(error.code)) return "timeout";
    if (MEMORY_CODES.has(error.code)) return "memory";
    // Before `db:migrate` the procedure fails naming the index; the code alone
    // (ProcedureCallFailed) would also cover real bugs, so the message decides.
    if (/no such fulltext schema index/i.test(error.message)) return "missingIndex";
    if (
      error.code === neo4j.error.SERVICE_UNAVAILABLE ||
      error.code === neo4j.error.SESSION_EXPIRED
    ) {
      return "unreachable";
    }
    if (neo4j.isRetryableError(error)) return "transient";
  }
  // The pool raises this without a code when every connection stays busy past the timeout.
  if (/connection acquisition timed out/i.test(error.message)) return "overloaded";
  return undefined;
}

/** Drops any user:password@ from a URI before it goes into a message or a log line. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, "//");
}

/**
 * Whether a driver error means Neo4j is unreachable, too slow, short of memory or not
 * migrated (so: UNAVAILABLE, try later or fix the server), and why, in a sentence that
 * says what to do. Undefined for errors that are bugs.
 */
export function unavailableReason(error: unknown): string | undefined {
  if (error instanceof StoreUnavailableError) return error.message;
  const failure = classifyNeo4jError(error);
  if (failure === undefined) return undefined;
  const detail = firstLine((error as Error).message);
  switch (failure) {
    case "refused":
      return `${UNAVAILABLE_CODES.get((error as InstanceType<typeof neo4j.Neo4jError>).code)}: ${detail}`;
    case "timeout":
      return `Neo4j stopped the query at its time limit (NEO4J_TIMEOUT_MS, or the server's db.transaction.timeout): ${detail}`;
    case "memory":
      return (
        "Neo4j ran out of memory for the query (server.memory.heap.max_size, " +
        `dbms.memory.transaction.total.max, db.memory.transaction.max): ${detail}`
      );
    case "missingIndex":
      return `the full-text index ${FULLTEXT_INDEX.name} is missing: run \`codegraph db:migrate\``;
    case "unreachable":
      return `Neo4j is unreachable: ${detail}`;
    case "overloaded":
      return `Neo4j is overloaded: ${detail}`;
    case "transient":
      return `Neo4j could not answer: ${detail}`;
    default:
      return assertNever(failure);
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/**
 * Driver errors that mean "unavailable" become StoreUnavailableError; others pass through.
 * The message is for logs and the CLI: it names the server (without credentials) and the
 * driver's reason; the GraphQL layer shows clients a generic message.
 */
export function toStoreError(error: unknown, uri: string): unknown {
  const reason = unavailableReason(error);
  if (reason === undefined || error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`${reason} (${redactUri(uri)})`, { cause: error });
}

/**
 * The error of a failed load. A load is one transaction, rolled back on any failure, so
 * every message ends with "nothing was loaded". Running out of transaction memory gets
 * its own advice: the whole load must fit, so the limits must grow (or the first load go
 * through neo4j-admin); retrying the same load cannot help.
 */
export function toLoadError(error: unknown, uri: string): unknown {
  if (classifyNeo4jError(error) === "memory") {
    return new StoreUnavailableError(
      "the load does not fit in Neo4j's memory: it is one transaction, held in the heap " +
        "until it commits. Raise server.memory.heap.max_size and " +
        "dbms.memory.transaction.total.max (NEO4J_HEAP_MAX and NEO4J_TX_MEMORY_MAX in " +
        "docker-compose.yml) and check db.memory.transaction.max, or load a very large first " +
        "release with `codegraph export --neo4j-admin`. Nothing was loaded. Neo4j said: " +
        `${firstLine((error as Error).message)} (${redactUri(uri)})`,
      { cause: error },
    );
  }
  const mapped = toStoreError(error, uri);
  if (mapped instanceof StoreUnavailableError && !(error instanceof StoreUnavailableError)) {
    return new StoreUnavailableError(`${mapped.message}; nothing was loaded`, { cause: error });
  }
  return mapped;
}

/**
 * Runs `work` with a hard deadline. The driver's own limits (connection timeout,
 * acquisition timeout, retry budget, transaction timeout) normally end a call first, but
 * its retry loop can overshoot its budget by a back-off delay, and a server that accepts
 * a connection and then says nothing is bounded only by the transaction timeout on the
 * server side. The deadline makes "never a hang" hold whatever the driver does: past it
 * the caller gets StoreUnavailableError, and the signal tells the work to close its
 * session so nothing lingers.
 */
export async function withDeadline<T>(
  ms: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StoreUnavailableError(`Neo4j did not answer ${what} within ${ms} ms`));
    }, ms);
  });
  const running = work(controller.signal);
  // Past the deadline nobody awaits the work any more: keep its late failure quiet.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
