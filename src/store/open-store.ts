import { type Logger } from "pino";
import { type Config } from "../config.js";
import { loadSeed } from "../import/seed-loader.js";
import { type GraphStore } from "./graph-store.js";
import { MemoryGraph } from "./memory/memory-graph.js";
import { MemoryStore } from "./memory/memory-store.js";

/** The embedded store holding the bundled sample graph. */
export async function openSeededMemoryStore(seedDir: string): Promise<MemoryStore> {
  const records = await loadSeed(seedDir);
  return new MemoryStore(MemoryGraph.empty().withRecords(records));
}

/** Opens the store the configuration names. */
export async function openStore(config: Config, logger: Logger): Promise<GraphStore> {
  switch (config.store) {
    case "memory": {
      const started = performance.now();
      const store = await openSeededMemoryStore(config.seedDir);
      logger.info(
        { store: "memory", source: config.seedDir, codes: store.current.nodes.size, ms: Math.round(performance.now() - started) },
        "loaded the bundled sample graph",
      );
      return store;
    }
    case "neo4j":
      throw new Error("the Neo4j store is not available in this build");
  }
}
