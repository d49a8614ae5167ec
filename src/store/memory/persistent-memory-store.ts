import { loadSeed } from "../../import/seed-loader.js";
import { loadSavedGraph, persistTo } from "./graph-snapshot.js";
import { MemoryGraph } from "./memory-graph.js";
import { MemoryStore } from "./memory-store.js";

export interface OpenMemoryStoreOptions {
  /** Where the saved graph lives and where loads are saved. */
  readonly dataDir: string;
  /** The bundled sample, for `fallback: "seed"`. */
  readonly seedDir: string;
  /**
   * What to start from when the data folder holds no saved graph: the sample for serving,
   * an empty graph for importing (the sample is a demo with hand-set dates, not a base
   * that real releases could be merged onto).
   */
  readonly fallback: "seed" | "empty";
}

export interface OpenedMemoryStore {
  readonly store: MemoryStore;
  /** Where the graph came from. */
  readonly source: "saved" | "seed" | "empty";
  /** Milliseconds spent reading and indexing it. */
  readonly ms: number;
}

/**
 * The embedded store over the saved graph of `dataDir` when there is one, else over the
 * fallback. A store over a saved or empty graph saves every load back into `dataDir`
 * before serving it; a store over the sample never writes (nothing is to be saved over a
 * demo). A corrupt or unknown-version saved graph throws GraphFileError: start-up stops
 * rather than silently serve something else.
 */
export async function openMemoryStore(options: OpenMemoryStoreOptions): Promise<OpenedMemoryStore> {
  const started = performance.now();
  const saved = await loadSavedGraph(options.dataDir);
  const ms = () => Math.round(performance.now() - started);
  if (saved) {
    // Written from a graph, so built without a load's checks (see MemoryGraph.fromSaved).
    const store = new MemoryStore(MemoryGraph.fromSaved(saved), persistTo(options.dataDir));
    return { store, source: "saved", ms: ms() };
  }
  if (options.fallback === "seed") {
    const store = new MemoryStore(MemoryGraph.empty().withRecords(await loadSeed(options.seedDir)));
    return { store, source: "seed", ms: ms() };
  }
  return {
    store: new MemoryStore(MemoryGraph.empty(), persistTo(options.dataDir)),
    source: "empty",
    ms: ms(),
  };
}
