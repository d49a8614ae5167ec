import neo4j from "neo4j-driver";
import { afterEach, describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { StoreUnavailableError } from "../../src/store/graph-store.js";
import {
  classifyNeo4jError,
  toLoadError,
  toStoreError,
  unavailableReason,
} from "../../src/store/neo4j/neo4j-errors.js";
import { Neo4jStore } from "../../src/store/neo4j/neo4j-store.js";
import { UnsupportedServerError } from "../../src/store/neo4j/server-checks.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";
import {
  type FakeAnswer,
  type FakeBoltServer,
  type FakeFailure,
  type FakeValue,
  startFakeBoltServer,
} from "../support/fake-bolt-server.js";

/**
 * What the store makes of Neo4j's errors. Server errors are built as the driver builds
 * them from a FAILURE message; the end-to-end cases go through the real driver against a
 * Bolt endpoint that fails chosen statements with chosen codes (no Neo4j runs here).
 */

const serverError = (code: string, message: string) =>
  new neo4j.Neo4jError(message, code, "50N42", "error: general processing exception");

const URI = "bolt://user:secret@db.example:7687";

describe("classifying driver errors", () => {
  it("tells memory, timeouts, a missing index and unreachable servers apart", () => {
    const cases: [Error, string | undefined][] = [
      [
        serverError(
          "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
          "The allocation of an extra 2.0 MiB would use more than the limit 1.4 GiB. Currently using 1.4 GiB. dbms.memory.transaction.total.max threshold reached",
        ),
        "memory",
      ],
      [serverError("Neo.TransientError.General.OutOfMemoryError", "Java heap space"), "memory"],
      [
        serverError(
          "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
          "The transaction has been terminated. Retry your operation in a new transaction",
        ),
        "timeout",
      ],
      [serverError("Neo.ClientError.Transaction.TransactionTimedOut", "timed out"), "timeout"],
      [
        serverError(
          "Neo.ClientError.Procedure.ProcedureCallFailed",
          "Failed to invoke procedure `db.index.fulltext.queryNodes`: Caused by: java.lang.IllegalArgumentException: There is no such fulltext schema index: code_search",
        ),
        "missingIndex",
      ],
      [
        serverError(
          "Neo.ClientError.Procedure.ProcedureCallFailed",
          "52U00: Execution of the procedure db.index.fulltext.queryNodes() failed due to java.lang.IllegalArgumentException: There is no such fulltext schema index: code_search.",
        ),
        "missingIndex",
      ],
      [serverError("Neo.ClientError.Security.Unauthorized", "bad credentials"), "refused"],
      [
        serverError(neo4j.error.SERVICE_UNAVAILABLE, "Could not perform discovery. ECONNREFUSED"),
        "unreachable",
      ],
      [serverError("Neo.TransientError.Transaction.DeadlockDetected", "deadlock"), "transient"],
      [new Error("Connection acquisition timed out in 5000 ms."), "overloaded"],
      // Bugs stay bugs: masked as internal errors, not reported as an outage.
      [
        serverError(
          "Neo.ClientError.Procedure.ProcedureCallFailed",
          "Failed to invoke procedure `db.awaitIndexes`: Caused by: something else",
        ),
        undefined,
      ],
      [serverError("Neo.ClientError.Statement.SyntaxError", "Invalid input"), undefined],
      [new TypeError("x is undefined"), undefined],
    ];
    expect(cases.map(([error]) => classifyNeo4jError(error))).toEqual(cases.map(([, k]) => k));
  });

  it("says what to do for each, and never shows credentials", () => {
    const reason = (code: string, message: string) =>
      unavailableReason(serverError(code, message))!;
    expect(
      reason("Neo.ClientError.Procedure.ProcedureCallFailed", "no such fulltext schema index"),
    ).toBe("the full-text index code_search is missing: run `codegraph db:migrate`");
    expect(reason("Neo.ClientError.Transaction.TransactionTimedOut", "timed out")).toMatch(
      /time limit \(NEO4J_TIMEOUT_MS/,
    );
    const memory = reason("Neo.TransientError.General.MemoryPoolOutOfMemoryError", "limit");
    expect(memory).toMatch(/server\.memory\.heap\.max_size/);
    expect(memory).toMatch(/dbms\.memory\.transaction\.total\.max/);

    const mapped = toStoreError(serverError(neo4j.error.SERVICE_UNAVAILABLE, "refused"), URI);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect((mapped as Error).message).toBe(
      "Neo4j is unreachable: refused (bolt://db.example:7687)",
    );
    const bug = serverError("Neo.ClientError.Statement.SyntaxError", "Invalid input");
    expect(toStoreError(bug, URI)).toBe(bug);
  });

  it("tells a load that does not fit in memory how to make it fit, and that nothing was loaded", () => {
    const error = toLoadError(
      serverError(
        "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
        "dbms.memory.transaction.total.max threshold reached",
      ),
      URI,
    ) as Error;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/one transaction/);
    expect(error.message).toMatch(/server\.memory\.heap\.max_size/);
    expect(error.message).toMatch(/dbms\.memory\.transaction\.total\.max/);
    expect(error.message).toMatch(/export --neo4j-admin/);
    expect(error.message).toMatch(/Nothing was loaded/);
    expect(error.message).not.toMatch(/secret/);
    const down = toLoadError(serverError(neo4j.error.SERVICE_UNAVAILABLE, "refused"), URI);
    expect((down as Error).message).toMatch(/unreachable.*nothing was loaded$/);
  });
});

describe("the store against a server that fails chosen statements", () => {
  let fake: FakeBoltServer | undefined;
  let store: Neo4jStore | undefined;

  afterEach(async () => {
    await store?.close();
    await fake?.close();
    store = fake = undefined;
  });

  /** A store on a fake server answering by statement text; `timeoutMs` sets the retry budget. */
  async function against(
    answer: (query: string) => FakeAnswer | FakeFailure | undefined,
    timeoutMs = 4000,
  ): Promise<[Neo4jStore, FakeBoltServer]> {
    fake = await startFakeBoltServer(0, (query) => answer(query) ?? { fields: [], rows: [] });
    store = await Neo4jStore.open({
      uri: `bolt://127.0.0.1:${fake.port}`,
      user: "neo4j",
      password: "not-used",
      database: "neo4j",
      timeoutMs,
      batchSize: 1000,
    });
    return [store, fake];
  }

  const failure = (code: string, message: string): FakeFailure => ({
    failure: { code, message },
  });

  it("sends a load that runs out of transaction memory once, not again and again", async () => {
    // With the driver's managed transactions this error (transient) would be retried for
    // half of NEO4J_TIMEOUT_MS: 5 s here, several attempts.
    const [s, server] = await against(
      (query) =>
        query.includes("MERGE (n:Code {id: row.id})")
          ? failure(
              "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
              "The allocation of an extra 2.0 MiB would use more than the limit 1.4 GiB. dbms.memory.transaction.total.max threshold reached",
            )
          : undefined,
      10_000,
    );
    const started = performance.now();
    const error = await s.load(CONTRACT_GRAPH).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/server\.memory\.heap\.max_size/);
    expect((error as Error).message).toMatch(/Nothing was loaded/);
    expect(server.queries.filter((q) => q.includes("MERGE (n:Code {id: row.id})"))).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("answers a search before db:migrate with UNAVAILABLE naming the fix", async () => {
    const [s] = await against((query) =>
      query.includes("db.index.fulltext.queryNodes")
        ? failure(
            "Neo.ClientError.Procedure.ProcedureCallFailed",
            "Failed to invoke procedure `db.index.fulltext.queryNodes`: Caused by: java.lang.IllegalArgumentException: There is no such fulltext schema index: code_search",
          )
        : undefined,
    );
    const error = await s
      .search([
        {
          text: "diabetes",
          systems: null,
          billableOnly: false,
          asOf: "2026-11-25",
          offset: 0,
          limit: 10,
        },
      ])
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/code_search is missing: run `codegraph db:migrate`/);
  });

  it("reports a server older than 5.23 as not ready, and db:migrate refuses it", async () => {
    const [s, server] = await against((query) =>
      query.includes("dbms.components()")
        ? { fields: ["version", "edition"], rows: [["5.20.0", "community"]] }
        : undefined,
    );
    expect(await s.health()).toEqual({
      ready: false,
      reason: expect.stringMatching(/^Neo4j 5\.20\.0 is too old: .*5\.23 or later/),
    });
    await expect(s.migrate()).rejects.toThrow(UnsupportedServerError);
    expect(server.queries.some((q) => q.includes("CREATE CONSTRAINT"))).toBe(false);
  });

  /** Answers for a migration on a 5.26 server whose index has these options. */
  const migration =
    (indexOptions: Record<string, FakeValue>, fail?: (query: string) => FakeFailure | undefined) =>
    (query: string): FakeAnswer | FakeFailure | undefined => {
      const failed = fail?.(query);
      if (failed) return failed;
      if (query.includes("dbms.components()"))
        return { fields: ["version", "edition"], rows: [["5.26.0", "community"]] };
      if (query.includes("SHOW FULLTEXT INDEXES"))
        return {
          fields: ["state", "labelsOrTypes", "properties", "options"],
          rows: [
            [
              "ONLINE",
              ["Code"],
              ["titleTexts", "synonymTexts"],
              { indexProvider: "fulltext-1.0", indexConfig: indexOptions },
            ],
          ],
        };
      return undefined;
    };

  it("migrates a 5.26 server, checking the full-text index it finds", async () => {
    const [s, server] = await against(
      migration({ "fulltext.analyzer": "whitespace", "fulltext.eventually_consistent": false }),
    );
    const applied: string[] = [];
    expect(await s.migrate((statement) => applied.push(statement))).toMatchObject({
      server: "5.26.0 community",
      schemaStatements: 13,
    });
    expect(applied).toContain("CREATE CONSTRAINT excludes_key IF NOT EXISTS");
    expect(server.queries.at(-1)).toMatch(/db\.awaitIndexes/);
  });

  it("refuses a full-text index with another analyzer, saying how to fix it", async () => {
    const [s, server] = await against(
      migration({
        "fulltext.analyzer": "standard-no-stop-words",
        "fulltext.eventually_consistent": false,
      }),
    );
    const error = await s.migrate().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(UnsupportedServerError);
    expect(error!.message).toMatch(/analyzer "standard-no-stop-words", wanted "whitespace"/);
    expect(error!.message).toMatch(/DROP INDEX code_search/);
    expect(server.queries.some((q) => q.includes("db.awaitIndexes"))).toBe(false);
  });

  it("names the schema statement that failed, with advice for a constraint existing data breaks", async () => {
    const [s] = await against(
      migration(
        { "fulltext.analyzer": "whitespace", "fulltext.eventually_consistent": false },
        (q) =>
          q.includes("CREATE CONSTRAINT paired_with_key")
            ? failure(
                "Neo.ClientError.Schema.ConstraintCreationFailed",
                "Unable to create Constraint( name='paired_with_key' ): Both Relationship(12) and Relationship(34) have the type `PAIRED_WITH` and property `key`",
              )
            : undefined,
      ),
    );
    const error = await s.migrate().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error!.message).toMatch(/^CREATE CONSTRAINT paired_with_key IF NOT EXISTS failed: /);
    expect(error!.message).toMatch(/list the duplicates/);
  });

  it("counts codes through the same server after a failure: nothing broken is kept", async () => {
    let fail = true;
    const [s] = await against((query) => {
      if (!query.includes("count(n) AS codes")) return undefined;
      if (fail) {
        fail = false;
        return failure("Neo.ClientError.Statement.SyntaxError", "Invalid input");
      }
      return { fields: ["i", "codes"], rows: [[0, 7]] };
    });
    const ask = () =>
      s.countCodes([{ system: CodeSystemId.ICD10CM, asOf: null, billableOnly: false }]);
    await expect(ask()).rejects.toThrow(/Invalid input/);
    expect(await ask()).toEqual([7]);
  });
});
