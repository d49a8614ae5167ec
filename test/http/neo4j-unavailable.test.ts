import { createServer } from "node:net";
import { type FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { Direction, Relation } from "../../src/domain/relationship.js";
import { buildApp } from "../../src/http/app.js";
import { type GraphStore, StoreUnavailableError } from "../../src/store/graph-store.js";
import { Neo4jStore } from "../../src/store/neo4j/neo4j-store.js";
import { openStore } from "../../src/store/open-store.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";
import { type FakeBoltServer, startFakeBoltServer } from "../support/fake-bolt-server.js";

/**
 * Neo4j down, with the real driver: the store points at a port on 127.0.0.1 where nothing
 * listens. Start-up must not fail, /readyz must answer 503 with the reason, every read must
 * fail with UNAVAILABLE within the configured timeout. Then a Bolt endpoint appears on that
 * port (a fake that answers with canned rows: no Neo4j can run here) and the same app and
 * store answer again, without a restart; then it goes away and they fail fast again.
 */

const TIMEOUT_MS = 1500;
/** Time allowed beyond the timeout: scheduling, Fastify, Apollo. */
const SLACK_MS = 750;

let port: number;
let store: GraphStore;
let app: FastifyInstance;
const logLines: string[] = [];
const timings: Record<string, number> = {};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  const ms = Math.round(performance.now() - started);
  timings[label] = ms;
  return { value, ms };
}

async function graphql(query: string): Promise<{ status: number; body: any }> {
  const response = await app.inject({ method: "POST", url: "/graphql", payload: { query } });
  return { status: response.statusCode, body: response.json() };
}

async function readyz(): Promise<{ status: number; body: any }> {
  const response = await app.inject({ method: "GET", url: "/readyz" });
  return { status: response.statusCode, body: response.json() };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );

beforeAll(async () => {
  port = await closedPort();
  const config = loadConfig({
    CODEGRAPH_STORE: "neo4j",
    NEO4J_URI: `bolt://127.0.0.1:${port}`,
    NEO4J_PASSWORD: "not-used",
    NEO4J_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(line) });
  store = (await timed("start-up", () => openStore(config, logger))).value;
  app = await buildApp({ store, limits: config.limits, logger });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  console.info(`closed-port timings (NEO4J_TIMEOUT_MS=${TIMEOUT_MS}):`, timings);
});

describe("Neo4j unreachable (closed port on 127.0.0.1)", () => {
  it("starts anyway and says why in one warning", () => {
    expect(store.name).toBe("neo4j");
    const warnings = logLines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ store: "neo4j", uri: `bolt://127.0.0.1:${port}` });
    expect(warnings[0].msg).toMatch(/Neo4j is not ready .*serving anyway/);
    expect(warnings[0].reason).toMatch(/unreachable.*ECONNREFUSED/s);
    expect(timings["start-up"]).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it("answers /readyz with 503 and the reason, in time", async () => {
    const { value, ms } = await timed("readyz (down)", readyz);
    expect(value.status).toBe(503);
    expect(value.body).toMatchObject({ ready: false, store: "neo4j" });
    expect(value.body.reason).toMatch(/Neo4j is unreachable.*ECONNREFUSED/s);
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it("answers a GraphQL lookup with UNAVAILABLE within the timeout", async () => {
    const { value, ms } = await timed("graphql code (down)", () =>
      graphql(`
        {
          code(code: "E11.9") {
            id
            title
          }
        }
      `),
    );
    expect(value.status).toBe(200);
    expect(value.body.errors[0].extensions.code).toBe("UNAVAILABLE");
    // Clients learn that the store cannot answer, not where it lives or what the driver
    // said; the log has the reason.
    expect(value.body.errors[0].message).not.toMatch(/127\.0\.0\.1|bolt:|ECONNREFUSED/);
    const logged = logLines.map((l) => JSON.parse(l)).filter((l) => l.level === 50);
    expect(JSON.stringify(logged)).toMatch(/Neo4j is unreachable.*ECONNREFUSED/);
    expect(value.body.data).toEqual({ code: null });
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it("answers a GraphQL search with UNAVAILABLE within the timeout", async () => {
    const { value, ms } = await timed("graphql search (down)", () =>
      graphql(`
        {
          search(text: "diabetes") {
            totalCount
            nodes {
              id
            }
          }
        }
      `),
    );
    expect(value.body.errors[0].extensions.code).toBe("UNAVAILABLE");
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it("fails every read of the port with StoreUnavailableError within the timeout", async () => {
    const asOf = "2026-11-25";
    const reads: Record<string, () => Promise<unknown>> = {
      traverse: () =>
        store.traverse([
          {
            mode: "neighbors",
            id: "ICD10CM:E11",
            asOf,
            relation: Relation.SUBSET_OF,
            direction: Direction.IN,
            kinds: null,
            systems: null,
            offset: 0,
            limit: 10,
          },
          { mode: "successors", id: "ICD9CM:250.02", asOf, maxDepth: 5 },
        ]),
      countCodes: () =>
        store.countCodes([{ system: CodeSystemId.ICD10CM, asOf, billableOnly: false }]),
      listReleases: () => store.listReleases([CodeSystemId.ICD10CM]),
      scanCodes: async () => {
        for await (const chunk of store.scanCodes(CodeSystemId.ICD10CM)) return chunk;
        return [];
      },
    };
    for (const [name, read] of Object.entries(reads)) {
      const { value: error, ms } = await timed(`${name} (down)`, () => failure(read()));
      expect(error, name).toBeInstanceOf(StoreUnavailableError);
      expect(ms, name).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
  });

  it("fails a load with StoreUnavailableError, bounded by the driver's own limits", async () => {
    // A load has no deadline of its own (it may run long); the driver's connection
    // timeout and retry budget bound it when Neo4j cannot be reached.
    const { value: error, ms } = await timed("load (down)", () =>
      failure(store.load(CONTRACT_GRAPH)),
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(ms).toBeLessThan(3 * TIMEOUT_MS);
  });
});

describe("Neo4j comes back on the same port, then goes again", () => {
  let fake: FakeBoltServer;

  it("answers again without a restart: same app, same store, same driver", async () => {
    fake = await startFakeBoltServer(port, (query) =>
      query.includes("SHOW FULLTEXT INDEXES")
        ? { fields: ["state"], rows: [["ONLINE"]] }
        : query.includes("dbms.components()")
          ? { fields: ["version", "edition"], rows: [["5.26.0", "community"]] }
          : { fields: [], rows: [] },
    );
    const ready = await readyz();
    expect(ready).toEqual({ status: 200, body: { ready: true, store: "neo4j", reason: null } });

    // The fake holds no codes: a lookup answers "not in the graph", not UNAVAILABLE.
    const { value } = await timed("graphql code (back)", () =>
      graphql(`
        {
          code(code: "E11.9") {
            id
          }
        }
      `),
    );
    expect(value.body).toEqual({ data: { code: null } });
    expect(fake.queries.some((q) => q.includes("MATCH (n:Code {id: id})"))).toBe(true);
  });

  it("fails fast again once it is gone, though the pool held a live connection", async () => {
    await fake.close();
    const { value: ready, ms: readyMs } = await timed("readyz (gone again)", readyz);
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const { value, ms } = await timed("graphql code (gone again)", () =>
      graphql(`
        {
          code(code: "E11.9") {
            id
          }
        }
      `),
    );
    expect(value.body.errors[0].extensions.code).toBe("UNAVAILABLE");
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });
});

describe("Neo4j accepts connections and then says nothing", () => {
  it("gives up at the deadline: UNAVAILABLE, never a hang", async () => {
    // The driver's own limits do not fire here (the connection is open); the store's
    // deadline does, whatever the driver is waiting for.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const address = silent.address();
    if (typeof address !== "object" || !address) throw new Error("no address");
    const mute = await Neo4jStore.open({
      uri: `bolt://127.0.0.1:${address.port}`,
      user: "neo4j",
      password: "not-used",
      database: "neo4j",
      timeoutMs: TIMEOUT_MS,
      batchSize: 100,
    });
    try {
      const { value: error, ms } = await timed("getCodes (silent server)", () =>
        failure(mute.getCodes(["ICD10CM:E11.9"])),
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toBe(
        `Neo4j did not answer getCodes within ${TIMEOUT_MS} ms`,
      );
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      const { value: health } = await timed("health (silent server)", () => mute.health());
      expect(health).toEqual({
        ready: false,
        reason: `Neo4j did not answer a connectivity check within ${TIMEOUT_MS} ms`,
      });
    } finally {
      await mute.close();
      silent.close();
    }
  });
});
