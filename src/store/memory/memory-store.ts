import { type CodeSystemId } from "../../domain/code-system.js";
import { type CodeNode, type GraphRecords, type ReleaseInfo } from "../../domain/graph.js";
import { assertNever } from "../../domain/graph.js";
import {
  type CodeCountQuery,
  type GraphStore,
  type LoadOptions,
  type LoadSummary,
  type SearchPage,
  type SearchQuery,
  type StoreHealth,
  type TraversalPage,
  type TraversalQuery,
} from "../graph-store.js";
import { MemoryGraph } from "./memory-graph.js";

/** Called with the new graph before it replaces the old one; a throw cancels the load. */
export type Persist = (graph: MemoryGraph) => Promise<void>;

/**
 * The embedded store: the whole graph in process memory, indexed. Loads build a new
 * graph beside the current one and swap it in only once it is complete (and saved,
 * when a `persist` hook is given), so a failed load leaves what was there untouched.
 */
export class MemoryStore implements GraphStore {
  readonly name = "memory";
  private graph: MemoryGraph;
  private loading: Promise<unknown> = Promise.resolve();

  constructor(
    graph: MemoryGraph = MemoryGraph.empty(),
    private readonly persist?: Persist,
  ) {
    this.graph = graph;
  }

  /** The current graph, for persistence and tests. */
  get current(): MemoryGraph {
    return this.graph;
  }

  async getCodes(ids: readonly string[]): Promise<(CodeNode | null)[]> {
    const graph = this.graph;
    return ids.map((id) => graph.nodes.get(id) ?? null);
  }

  async traverse(queries: readonly TraversalQuery[]): Promise<TraversalPage[]> {
    const graph = this.graph;
    return queries.map((q) => {
      switch (q.mode) {
        case "neighbors":
          return graph.neighbors(q);
        case "closure":
          return graph.closure(q);
        case "successors":
          return graph.successors(q);
        default:
          return assertNever(q);
      }
    });
  }

  async search(queries: readonly SearchQuery[]): Promise<SearchPage[]> {
    const graph = this.graph;
    return queries.map((q) => graph.search(q));
  }

  async countCodes(queries: readonly CodeCountQuery[]): Promise<number[]> {
    const graph = this.graph;
    return queries.map((q) => graph.countCodes(q.system, q.asOf, q.billableOnly));
  }

  async listReleases(systems: readonly CodeSystemId[]): Promise<ReleaseInfo[][]> {
    const graph = this.graph;
    return systems.map((s) => graph.releases.filter((r) => r.system === s));
  }

  async *scanCodes(system: CodeSystemId, chunkSize = 5000): AsyncIterable<CodeNode[]> {
    const codes = this.graph.codesOf(system);
    for (let i = 0; i < codes.length; i += chunkSize) yield codes.slice(i, i + chunkSize);
  }

  /** Loads run one after another; each sees the graph the previous one left. */
  load(records: GraphRecords, options?: LoadOptions): Promise<LoadSummary> {
    const run = this.loading.then(async () => {
      const next = this.graph.withRecords(records);
      if (this.persist) await this.persist(next);
      this.graph = next;
      const total = records.codes.length + records.edges.length;
      options?.onProgress?.(total, total);
      return {
        codesWritten: records.codes.length,
        edgesWritten: records.edges.length,
        releasesWritten: records.releases.length,
      };
    });
    this.loading = run.catch(() => undefined);
    return run;
  }

  /**
   * Builds the indexes the graph otherwise builds on first use (search, subtree counts),
   * so that the first search and descendants walk after start-up are as fast as the
   * rest. Meant to run in the background once the server listens.
   */
  async warm(): Promise<void> {
    await this.graph.warm();
  }

  async health(): Promise<StoreHealth> {
    return { ready: true, reason: null };
  }

  async close(): Promise<void> {}
}
