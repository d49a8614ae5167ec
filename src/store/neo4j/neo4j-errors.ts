import neo4j from "neo4j-driver";
import { StoreUnavailableError } from "../graph-store.js";

/** Server error codes that mean "Neo4j cannot answer this now", not "the query is wrong". */
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
  ["Neo.ClientError.Transaction.TransactionTimedOut", "the query ran past its time limit"],
  [
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "the query ran past its time limit",
  ],
]);

/** Drops any user:password@ from a URI before it goes into a message or a log line. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, "//");
}

/**
 * Whether a driver error means Neo4j is unreachable or too slow (so: UNAVAILABLE, try
 * later), and why, in a sentence. Undefined for errors that are bugs: those propagate
 * unchanged and are masked by the GraphQL error formatter.
 */
export function unavailableReason(error: unknown): string | undefined {
  if (error instanceof StoreUnavailableError) return error.message;
  if (!(error instanceof Error)) return undefined;
  if (error instanceof neo4j.Neo4jError) {
    const known = UNAVAILABLE_CODES.get(error.code);
    if (known) return `${known}: ${firstLine(error.message)}`;
    if (
      error.code === neo4j.error.SERVICE_UNAVAILABLE ||
      error.code === neo4j.error.SESSION_EXPIRED
    ) {
      return `Neo4j is unreachable: ${firstLine(error.message)}`;
    }
    if (neo4j.isRetryableError(error)) return `Neo4j could not answer: ${firstLine(error.message)}`;
  }
  // The pool raises this without a code when every connection stays busy past the timeout.
  if (/connection acquisition timed out/i.test(error.message))
    return `Neo4j is overloaded: ${firstLine(error.message)}`;
  return undefined;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** Driver errors that mean "unavailable" become StoreUnavailableError; others pass through. */
export function toStoreError(error: unknown, uri: string): unknown {
  const reason = unavailableReason(error);
  if (reason === undefined || error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`${reason} (${redactUri(uri)})`, { cause: error });
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
