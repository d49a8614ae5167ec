import { type Logger } from "pino";
import { type Config } from "../config.js";
import { loadSeed } from "../import/seed-loader.js";
import { type GraphStore } from "./graph-store.js";
import { MemoryGraph } from "./memory/memory-graph.js";
import { MemoryStore } from "./memory/memory-store.js";
import { openNeo4jStore } from "./neo4j/open-neo4j-store.js";
import { openMemoryStore } from "./memory/persistent-memory-store.js";

/** The embedded store holding the bundled sample graph. */
export async function openSeededMemoryStore(seedDir: string): Promise<MemoryStore> {
  const records = await loadSeed(seedDir);
  return new MemoryStore(MemoryGraph.empty().withRecords(records));
}

/** Opens the store the configuration names. */
export async function openStore(config: Config, logger: Logger): Promise<GraphStore> {
  switch (config.store) {
    case "memory": {
      // The saved graph of the data folder when there is one, else the bundled sample.
      const { store, source, ms } = await openMemoryStore({
        dataDir: config.dataDir,
        seedDir: config.seedDir,
        fallback: "seed",
      });
      const from = source === "saved" ? config.dataDir : config.seedDir;
      logger.info(
        {
          store: "memory",
          source: from,
          codes: store.current.nodes.size,
          // The count, not the keyed map: keying 320,000 edges is a fifth of a restart.
          edges: store.current.edgeCount,
          ms,
        },
        source === "saved" ? "loaded the saved graph" : "loaded the bundled sample graph",
      );
      return store;
    }
    case "neo4j":
      return openNeo4jStore(config, logger);
  }
}
