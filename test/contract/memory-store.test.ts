import { describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type GraphEdge } from "../../src/domain/graph.js";
import { Direction, Relation } from "../../src/domain/relationship.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";
import { graphStoreContract } from "./graph-store.contract.js";

graphStoreContract("memory", {
  open: async () => new MemoryStore(),
  dispose: async (store) => store.close(),
});

// ── What only the embedded store does ──────────────────────────────────────────────

const subset = (
  from: string,
  to: string,
  validFrom: string | null = null,
  validTo: string | null = null,
): GraphEdge => ({
  relation: Relation.SUBSET_OF,
  from,
  to,
  source: "cycle test",
  validFrom,
  validTo,
});

const descendants = (graph: MemoryGraph, id: string, asOf: string) =>
  graph.closure({
    mode: "closure",
    id,
    asOf,
    direction: Direction.IN,
    maxDepth: 10,
    billableOnly: false,
    offset: 0,
    limit: 25,
  });

describe("the embedded store's own rules", () => {
  it("refuses a load whose hierarchy holds a cycle, naming it, and keeps the graph it had", async () => {
    const store = new MemoryStore(MemoryGraph.empty().withRecords(CONTRACT_GRAPH));
    const before = store.current;
    await expect(
      store.load({
        codes: [],
        edges: [subset("ICD10CM:E11", "ICD10CM:E11.9")],
        releases: [],
      }),
    ).rejects.toThrow(
      /hierarchy would hold a cycle .*ICD10CM:E11(\.9)? → ICD10CM:E11(\.9)? → ICD10CM:E11(\.9)?.*nothing was loaded/,
    );
    expect(store.current).toBe(before);
  });

  it("names a cycle from its lowest code id, wherever the search met it", () => {
    // The check visits E10 before E08-E13 here; the message starts at E08-E13 all the same.
    expect(() =>
      MemoryGraph.empty().withRecords({
        ...CONTRACT_GRAPH,
        edges: [...CONTRACT_GRAPH.edges, subset("ICD10CM:E08-E13", "ICD10CM:E10")],
      }),
    ).toThrow(
      "the hierarchy would hold a cycle on 2015-10-01: ICD10CM:E08-E13 → ICD10CM:E10 → ICD10CM:E08-E13 (SUBSET_OF edges from cycle test, fixture); nothing was loaded",
    );
  });

  it("allows edges that loop only across time: never both on one date", () => {
    const records = {
      ...CONTRACT_GRAPH,
      // D71.9 is under D71 from FY2026; this puts D71 under D71.9 only before 2016-10-01.
      edges: [...CONTRACT_GRAPH.edges, subset("ICD10CM:D71", "ICD10CM:D71.9", null, "2016-09-30")],
    };
    expect(() => MemoryGraph.empty().withRecords(records)).not.toThrow();
    // The same edge open-ended would loop from FY2026 on.
    const looping = {
      ...records,
      edges: [...CONTRACT_GRAPH.edges, subset("ICD10CM:D71", "ICD10CM:D71.9")],
    };
    expect(() => MemoryGraph.empty().withRecords(looping)).toThrow(/cycle on 2025-10-01/);
  });

  it("counts a saved graph's subtrees without looping forever on a cycle it was not checked for", () => {
    // fromSaved trusts its file: a cycle there must not make every settled walk throw.
    const graph = MemoryGraph.fromSaved({
      ...CONTRACT_GRAPH,
      edges: [...CONTRACT_GRAPH.edges, subset("ICD10CM:E08-E13", "ICD10CM:E11")],
    });
    expect(() => descendants(graph, "ICD10CM:E00-E89", "2099-01-01")).not.toThrow();
  });

  it("keeps one code count for every date after the graph settles, and a bounded number in all", () => {
    const graph = MemoryGraph.empty().withRecords(CONTRACT_GRAPH);
    const cache = (graph as unknown as { countCache: Map<string, number> }).countCache;
    const far = graph.countCodes(CodeSystemId.ICD10CM, "2099-01-01", false);
    for (let year = 2100; year < 2400; year++)
      expect(graph.countCodes(CodeSystemId.ICD10CM, `${year}-06-30`, false)).toBe(far);
    expect(cache.size).toBe(1);
    for (let day = 0; day < 2000; day++) {
      const date = new Date(Date.UTC(2016, 0, 1 + day)).toISOString().slice(0, 10);
      graph.countCodes(CodeSystemId.ICD10CM, date, false);
    }
    expect(cache.size).toBeLessThanOrEqual(512);
  });

  it("warms its indexes ahead of the first search and descendants walk", async () => {
    const store = new MemoryStore(MemoryGraph.empty().withRecords(CONTRACT_GRAPH));
    const built = store.current as unknown as {
      searchIndexBuilt: unknown;
      settledCounts: unknown;
    };
    expect([built.searchIndexBuilt, built.settledCounts]).toEqual([undefined, undefined]);
    await store.warm();
    expect(built.searchIndexBuilt).toBeDefined();
    expect(built.settledCounts).toBeDefined();
  });

  it("orders parallel edges by key, as the Neo4j adapter does", () => {
    const a = { ...subset("ICD10CM:E11.9", "ICD10CM:E11", null, "2016-09-30"), source: "b" };
    const b = { ...subset("ICD10CM:E11.9", "ICD10CM:E11", "2016-10-01"), source: "a" };
    const graph = MemoryGraph.empty().withRecords({ ...CONTRACT_GRAPH, edges: [a, b] });
    const page = graph.neighbors({
      mode: "neighbors",
      id: "ICD10CM:E11.9",
      asOf: "2016-09-30",
      relation: Relation.SUBSET_OF,
      direction: Direction.OUT,
      kinds: null,
      systems: null,
      offset: 0,
      limit: 10,
    });
    expect(page.items.map((i) => i.edge!.source)).toEqual(["b"]);
    const outgoing = (graph as unknown as { outgoing: Map<Relation, Map<string, GraphEdge[]>> })
      .outgoing;
    expect(
      outgoing
        .get(Relation.SUBSET_OF)!
        .get("ICD10CM:E11.9")!
        .map((e) => e.source),
    ).toEqual(["a", "b"]);
  });
});
