import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { today } from "../../src/domain/dates.js";

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("configuration", () => {
  it("has safe defaults for everything", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: "0.0.0.0", port: 4000, store: "memory", neo4j: null });
    expect(config.limits).toEqual({
      maxPageSize: 100,
      defaultPageSize: 25,
      maxBatchSize: 500,
      maxQueryDepth: 12,
      maxAliases: 30,
      maxQueryComplexity: 20_000,
      maxTraversalDepth: 10,
      maxBodyBytes: 262_144,
    });
    expect(config.seedDir).toMatch(/seed$/);
    expect(config.timeZone).toBe("America/New_York");
  });

  it("reads today where the answers are read: FY2026 begins at midnight in New York, not UTC", () => {
    vi.useFakeTimers({ now: new Date("2025-10-01T00:30:00Z"), toFake: ["Date"] });
    expect(today("UTC")).toBe("2025-10-01");
    expect(today("America/New_York")).toBe("2025-09-30");
    expect(today("Asia/Tokyo")).toBe("2025-10-01");
    expect(loadConfig({ CODEGRAPH_TIME_ZONE: "America/Los_Angeles" }).timeZone).toBe(
      "America/Los_Angeles",
    );
    expect(refusal({ CODEGRAPH_TIME_ZONE: "Eastern" })).toMatch(
      /CODEGRAPH_TIME_ZONE: must be an IANA time zone/,
    );
  });

  it("reads whole numbers in decimal digits only, within bounds", () => {
    expect(loadConfig({ PORT: "8080", MAX_PAGE_SIZE: " 50 " })).toMatchObject({
      port: 8080,
      limits: { maxPageSize: 50 },
    });
    for (const value of ["", "1e2", "0x1F90", "-1", "80.5", "lots"]) {
      expect(refusal({ PORT: value }), value).toMatch(
        /PORT: must be a whole number in decimal digits/,
      );
    }
    expect(refusal({ PORT: "70000" })).toMatch(/PORT: .*65535/);
    expect(refusal({ MAX_TRAVERSAL_DEPTH: "51" })).toMatch(/MAX_TRAVERSAL_DEPTH/);
  });

  it("names every bad variable", () => {
    const message = refusal({ LOG_LEVEL: "loud", CODEGRAPH_STORE: "postgres" });
    expect(message).toMatch(/LOG_LEVEL/);
    expect(message).toMatch(/CODEGRAPH_STORE/);
  });

  it("requires a Neo4j URI and password for the Neo4j store", () => {
    const message = refusal({ CODEGRAPH_STORE: "neo4j" });
    expect(message).toMatch(/NEO4J_URI: is required when CODEGRAPH_STORE=neo4j/);
    expect(message).toMatch(/NEO4J_PASSWORD: is required when CODEGRAPH_STORE=neo4j/);
    expect(
      refusal({ CODEGRAPH_STORE: "neo4j", NEO4J_URI: "http://x", NEO4J_PASSWORD: "p" }),
    ).toMatch(/NEO4J_URI: must be a neo4j:\/\/ or bolt:\/\/ URI/);
    const neo4j = loadConfig({
      CODEGRAPH_STORE: "neo4j",
      NEO4J_URI: "bolt://db:7687",
      NEO4J_PASSWORD: "secret",
    });
    expect(neo4j.neo4j).toMatchObject({
      uri: "bolt://db:7687",
      user: "neo4j",
      database: "neo4j",
      timeoutMs: 5000,
    });
  });

  it("keeps the default page within the maximum", () => {
    expect(refusal({ DEFAULT_PAGE_SIZE: "200" })).toMatch(
      /DEFAULT_PAGE_SIZE: must not exceed MAX_PAGE_SIZE/,
    );
  });
});
