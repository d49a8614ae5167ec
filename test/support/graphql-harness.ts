import { type ApolloServer } from "@apollo/server";
import { pino } from "pino";
import { loadConfig, type Limits } from "../../src/config.js";
import { type GraphRecords } from "../../src/domain/graph.js";
import { type Context, createContextFactory } from "../../src/graphql/context.js";
import { buildCodegraphSchema } from "../../src/graphql/schema.js";
import { createApolloServer } from "../../src/graphql/server.js";
import { type GraphStore } from "../../src/store/graph-store.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { recordingStore, type StoreCall } from "./recording-store.js";

/** The "today" of every test request, so default dates give the same answers every day. */
export const TEST_TODAY = "2026-11-25";

export const DEFAULT_LIMITS: Limits = loadConfig({}).limits;

export interface GraphqlResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly {
    message: string;
    path?: readonly (string | number)[];
    extensions?: Record<string, unknown>;
  }[];
}

export interface Harness {
  readonly server: ApolloServer<Context>;
  readonly calls: StoreCall[];
  readonly logLines: string[];
  run(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult>;
}

/** An Apollo server over a memory store holding `records`, queried through executeOperation. */
export async function graphqlHarness(
  records: GraphRecords,
  options: { limits?: Partial<Limits>; wrap?: (store: GraphStore) => GraphStore } = {},
): Promise<Harness> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const memory = new MemoryStore(MemoryGraph.empty().withRecords(records));
  const { store, calls } = recordingStore(options.wrap ? options.wrap(memory) : memory);
  const logLines: string[] = [];
  const logger = pino({ level: "error" }, { write: (line: string) => void logLines.push(line) });
  const server = createApolloServer({ schema: await buildCodegraphSchema(), limits, logger });
  await server.start();
  const context = createContextFactory(store, limits, () => TEST_TODAY);
  return {
    server,
    calls,
    logLines,
    async run(query, variables) {
      const response = await server.executeOperation(
        { query, variables },
        { contextValue: await context() },
      );
      if (response.body.kind !== "single") throw new Error("expected a single result");
      return response.body.singleResult as GraphqlResult;
    },
  };
}
