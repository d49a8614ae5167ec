import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ErrorCode, InputProblem } from "../../src/graphql/errors.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { type GraphStore, StoreUnavailableError } from "../../src/store/graph-store.js";
import { UNAVAILABLE_MESSAGE } from "../../src/graphql/server.js";
import { GRAPHQL_GRAPH } from "../fixtures/graphql-graph.js";
import { graphqlHarness } from "../support/graphql-harness.js";

describe("the README's error table", () => {
  it("names every error code and every reason a client can get", async () => {
    const readme = await readFile(`${PROJECT_ROOT}/README.md`, "utf8");
    const table = readme.slice(readme.indexOf("| `extensions.code` |"));
    for (const value of [...Object.values(ErrorCode), ...Object.values(InputProblem)])
      expect(table.slice(0, table.indexOf("\n\n")), value).toContain(`\`${value}\``);
  });
});

describe("malformed requests", () => {
  it("answers a syntax error with GRAPHQL_PARSE_FAILED", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const { errors } = await api.run(`{ code(code: "E11.9" { id } }`);
    expect(errors![0]!.extensions!["code"]).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("answers an unknown field or enum value with GRAPHQL_VALIDATION_FAILED", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const unknownField = await api.run(`{ code(code: "E11.9") { colour } }`);
    expect(unknownField.errors![0]!.extensions!["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
    const unknownSystem = await api.run(`{ code(code: "E11.9", system: SNOMED) { id } }`);
    expect(unknownSystem.errors![0]!.extensions!["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("limits", () => {
  it("refuses a page larger than the limit, naming it", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const { errors } = await api.run(
      `{ code(code: "E11") { children(first: 101) { totalCount } } }`,
    );
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "PAGE_SIZE_EXCEEDED",
      max: 100,
      argumentName: "first",
    });
    expect(errors![0]!.message).toMatch(/at most 100/);
  });

  it("refuses a negative page size and a forged cursor", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const negative = await api.run(`{ code(code: "E11") { children(first: -1) { totalCount } } }`);
    expect(negative.errors![0]!.extensions).toMatchObject({ reason: "OUT_OF_RANGE" });
    const forged = await api.run(
      `{ code(code: "E11") { children(after: "bm90LWEtY3Vyc29y") { totalCount } } }`,
    );
    expect(forged.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "INVALID_CURSOR",
    });
  });

  it("accepts only cursors it issued", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const forge = (text: string) => Buffer.from(text).toString("base64url");
    for (const cursor of [
      forge("cg1:"),
      forge("cg1: 5"),
      forge("cg1:1e2"),
      forge("cg1:0x10"),
      forge("cg1:01"),
      "!!",
    ]) {
      const { errors } = await api.run(
        `query($a: String) { code(code: "E11") { children(after: $a) { totalCount } } }`,
        {
          a: cursor,
        },
      );
      expect(errors?.[0]?.extensions, cursor).toMatchObject({ reason: "INVALID_CURSOR" });
    }
  });

  it("keeps a usable end cursor on an empty page (first: 0)", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const first = await api.run(
      `{ code(code: "E11") { children(first: 1) { pageInfo { endCursor } } } }`,
    );
    const after = (first.data as any).code.children.pageInfo.endCursor;
    const { data } = await api.run(
      `query($a: String) { code(code: "E11") { children(first: 0, after: $a) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } } }`,
      { a: after },
    );
    expect((data as any).code.children).toEqual({
      totalCount: 4,
      edges: [],
      pageInfo: { hasNextPage: true, endCursor: after },
    });
  });

  it("refuses a maxDepth beyond the traversal limit", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const { errors } = await api.run(`{ code(code: "E11") { ancestors(maxDepth: 11) { id } } }`);
    expect(errors![0]!.extensions).toMatchObject({
      reason: "OUT_OF_RANGE",
      argumentName: "maxDepth",
      max: 10,
    });
  });

  it("refuses a query nested deeper than the limit", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH, { limits: { maxQueryDepth: 4 } });
    const { data, errors } = await api.run(
      `{ code(code: "E11.65") { parent { parent { parent { parent { id } } } } } }`,
    );
    expect(data).toBeUndefined();
    expect(errors![0]!.extensions!["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(errors![0]!.message).toMatch(/depth/i);
  });

  it("refuses too many aliases", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH, { limits: { maxAliases: 2 } });
    const { errors } = await api.run(
      `{ a: code(code: "E11") { id } b: code(code: "E10") { id } c: code(code: "E11.9") { id } }`,
    );
    expect(errors![0]!.extensions!["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(errors![0]!.message).toMatch(/alias/i);
  });

  it("counts every input of codes(...) in the cost", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const inputs = Array.from({ length: 300 }, () => "E11");
    const { errors } = await api.run(
      `query($c: [String!]!) { codes(codes: $c) { code { descendants(first: 100) { nodes { id } } } } }`,
      { c: inputs },
    );
    expect(errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
  });

  it("keeps @include conditions in the cost: a cheap run of a document does not make it cheap", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const query = `query($deep: Boolean!) { search(text: "diabetes", first: 100) { nodes {
      descendants(first: 100) @include(if: $deep) { nodes { descendants(first: 100) { nodes { id } } } } } } }`;
    const cheap = await api.run(query, { deep: false });
    const costly = await api.run(query, { deep: true });
    expect(costly.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
    expect(cheap.errors?.[0]?.extensions?.["code"]).not.toBe("INTERNAL_SERVER_ERROR");
  });

  it("counts a search as dear: many searches in one request go past the limit", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH, { limits: { maxAliases: 100 } });
    const many = Array.from(
      { length: 41 },
      (_, i) => `s${i}: search(text: "dia", first: 1) { totalCount }`,
    );
    const { errors } = await api.run(`{ ${many.join(" ")} }`);
    expect(errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
  });

  it("refuses a query whose page sizes multiply past the cost limit", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH);
    const { data, errors } = await api.run(`{ search(text: "diabetes", first: 100) { nodes {
      children(first: 100) { nodes { descendants(first: 100) { nodes { id } } } } } } }`);
    expect(data).toBeUndefined();
    expect(errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", max: 20_000 });
    expect(errors![0]!.extensions!["complexity"]).toBeGreaterThan(20_000);
  });
});

describe("failures behind the API", () => {
  it("masks an unexpected error and logs it once", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH, {
      wrap: (store) => ({
        ...bind(store),
        traverse: async () => Promise.reject(new Error("disk on fire at /var/secret")),
      }),
    });
    const { data, errors } = await api.run(`{ code(code: "E11.9") { id parent { id } } }`);
    expect(data).toEqual({ code: { id: "ICD10CM:E11.9", parent: null } });
    expect(errors).toEqual([
      {
        message: "Internal server error",
        path: ["code", "parent"],
        locations: [{ line: 1, column: 28 }],
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      },
    ]);
    expect(api.logLines).toHaveLength(1);
    expect(api.logLines[0]).toContain("disk on fire");
  });

  it("answers UNAVAILABLE when the store cannot be reached, and keeps its details in the log", async () => {
    const api = await graphqlHarness(GRAPHQL_GRAPH, {
      wrap: (store) => ({
        ...bind(store),
        getCodes: async () =>
          Promise.reject(
            new StoreUnavailableError("Neo4j at db-7.internal:7687 did not answer within 5000 ms"),
          ),
      }),
    });
    const { errors } = await api.run(
      `{ a: code(code: "E11.9") { id } b: code(code: "E10") { id } }`,
    );
    expect(errors).toHaveLength(2);
    for (const error of errors!) {
      expect(error).toMatchObject({
        message: UNAVAILABLE_MESSAGE,
        extensions: { code: "UNAVAILABLE" },
      });
      expect(error.message).not.toContain("db-7.internal");
    }
    // One failed store call, one log line, however many fields it failed.
    expect(api.logLines).toHaveLength(1);
    expect(api.logLines[0]).toContain("db-7.internal:7687 did not answer");
  });
});

/** A plain object with the store's methods bound, so single methods can be replaced. */
function bind(store: GraphStore): GraphStore {
  return {
    name: store.name,
    getCodes: store.getCodes.bind(store),
    traverse: store.traverse.bind(store),
    search: store.search.bind(store),
    countCodes: store.countCodes.bind(store),
    listReleases: store.listReleases.bind(store),
    scanCodes: store.scanCodes.bind(store),
    load: store.load.bind(store),
    health: store.health.bind(store),
    close: store.close.bind(store),
  };
}
