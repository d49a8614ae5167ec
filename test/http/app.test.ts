import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { postGraphql, type RunningApp, startApp } from "../support/http-harness.js";

let running: RunningApp;
beforeAll(async () => {
  running = await startApp({ limits: { maxBodyBytes: 4096 } });
});
afterAll(async () => running.close());

describe("HTTP surfaces", () => {
  it("/healthz says the process is alive", async () => {
    const response = await fetch(`${running.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/readyz says the store can answer", async () => {
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, store: "memory", reason: null });
  });

  it("/readyz answers 503 with the reason when the store cannot", async () => {
    const down = new MemoryStore();
    down.health = async () => ({
      ready: false,
      reason: "Neo4j at 127.0.0.1:1 refused the connection",
    });
    const other = await startApp({ store: down });
    try {
      const response = await fetch(`${other.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        ready: false,
        reason: "Neo4j at 127.0.0.1:1 refused the connection",
      });
    } finally {
      await other.close();
    }
  });

  it("POST /graphql answers queries on the sample", async () => {
    const { status, body } = await postGraphql(
      running.url,
      `{ code(code: "E11.9") { id title parent { id } } }`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        code: {
          id: "ICD10CM:E11.9",
          title: "Type 2 diabetes mellitus without complications",
          parent: { id: "ICD10CM:E11" },
        },
      },
    });
  });

  it("POST /graphql reports input errors with their code and HTTP 200", async () => {
    const { status, body } = await postGraphql(
      running.url,
      `{ code(code: "E1.19", system: ICD10CM) { id } }`,
    );
    expect(status).toBe(200);
    expect(body.errors[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "INVALID_CODE",
    });
    expect(body.errors[0].extensions.stacktrace).toBeUndefined();
  });

  it("GET /graphql runs a query when the client shows it is not a cross-site form", async () => {
    const query = encodeURIComponent(`{ code(code: "E11") { id } }`);
    const blocked = await fetch(`${running.url}/graphql?query=${query}`);
    expect(blocked.status).toBe(400);
    const allowed = await fetch(`${running.url}/graphql?query=${query}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(await allowed.json()).toEqual({ data: { code: { id: "ICD10CM:E11" } } });
  });

  it("GET /graphql from a browser serves the GraphiQL playground, with assets from this service only", async () => {
    const response = await fetch(`${running.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain("/graphiql/assets/graphiql.min.js");
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [
      "graphiql.min.js",
      "graphiql.min.css",
      "react.production.min.js",
      "react-dom.production.min.js",
      "codegraph-graphiql.js",
    ]) {
      const file = await fetch(`${running.url}/graphiql/assets/${asset}`);
      expect(file.status, asset).toBe(200);
      expect((await file.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    expect((await fetch(`${running.url}/graphiql/assets/secrets.txt`)).status).toBe(404);
    const root = await fetch(`${running.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/graphql");
  });

  it("refuses an oversized body with 413 and a GraphQL-shaped error", async () => {
    const query = `{ codes(codes: [${Array.from({ length: 1000 }, () => '"E11.9"').join(",")}]) { status } }`;
    const { status, body } = await postGraphql(running.url, query);
    expect(status).toBe(413);
    expect(body.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers requests the client must change with 400 and a code", async () => {
    const cases: [string, object | undefined, string][] = [
      [
        `query($d: Date) { code(code: "E11", asOf: $d) { id } }`,
        { d: "2020-13-01" },
        "BAD_USER_INPUT",
      ],
      [`query($c: [String!]!) { codes(codes: $c) { status } }`, { c: null }, "BAD_USER_INPUT"],
      [`mutation { deleteEverything }`, undefined, "GRAPHQL_VALIDATION_FAILED"],
      [
        `{ search(text: "diabetes", first: 100) { nodes { children(first: 100) { nodes { descendants(first: 100) { nodes { id } } } } } } }`,
        undefined,
        "QUERY_TOO_COMPLEX",
      ],
    ];
    for (const [query, variables, code] of cases) {
      const { status, body } = await postGraphql(running.url, query, variables);
      expect(status, query).toBe(400);
      expect(body.errors[0].extensions.code, query).toBe(code);
    }
  });

  it("refuses a body that is not JSON with 400", async () => {
    const response = await fetch(`${running.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("/metrics counts operations and errors for Prometheus", async () => {
    await postGraphql(running.url, `{ codeSystems { id } }`);
    await postGraphql(running.url, `{ code(code: "!!") { id } }`);
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toMatch(/codegraph_graphql_operations_total\{type="query",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/codegraph_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/codegraph_http_request_duration_seconds_bucket\{.*route="\/graphql"/);
    expect(text).toContain("process_resident_memory_bytes");
  });
});
