import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { type CodeNode, type GraphEdge, type GraphRecords } from "../../src/domain/graph.js";
import { Relation } from "../../src/domain/relationship.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { cycleWithLoad, hierarchyCycleError } from "../../src/store/hierarchy-cycle.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";
import { hierarchyParents, Neo4jStore } from "../../src/store/neo4j/neo4j-store.js";
import { edgeToRow } from "../../src/store/neo4j/record-mapping.js";
import { CONTRACT_GRAPH, withParallelHierarchyEdges } from "../fixtures/contract-graph.js";
import {
  type FakeAnswer,
  type FakeBoltServer,
  FakeStructure,
  type FakeValue,
  startFakeBoltServer,
} from "../support/fake-bolt-server.js";

/**
 * A Neo4j load refuses a hierarchy cycle as the embedded store does. No Neo4j runs here,
 * so this checks the adapter's part over plain records: the rows hierarchy-above.cypher
 * returns for the parents the adapter sends (its pattern restated below), batched as the
 * adapter batches them, run through the check the adapter runs, give the embedded store's
 * verdict and message for every load tried; and Neo4jStore.load itself, with the real
 * driver against a Bolt endpoint answering the statement with those rows, refuses before
 * it sends a write. That Neo4j runs the statement as restated is the contract suite's job
 * wherever NEO4J_URI is set.
 */

const MAX_DEPTH = 50;

/**
 * hierarchy-above.cypher over plain records: for each id that is a held code, the codes
 * 0 to 50 SUBSET_OF edges above it on any date (distinct), then every held SUBSET_OF edge
 * out of those. Within one batch each edge comes once; across batches it may repeat.
 */
function hierarchyAboveRows(held: GraphRecords, ids: readonly string[]): GraphEdge[] {
  const codes = new Set(held.codes.map((c) => c.id));
  const up = new Map<string, GraphEdge[]>();
  for (const e of held.edges) {
    if (e.relation !== Relation.SUBSET_OF) continue;
    up.set(e.from, [...(up.get(e.from) ?? []), e]);
  }
  // Breadth first: a code reachable at all is reachable by a path without a repeated
  // relationship, whose length is its distance, so distance <= 50 is the pattern's reach.
  const reached = new Set(ids.filter((id) => codes.has(id)));
  let frontier = [...reached];
  for (let depth = 1; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const e of up.get(id) ?? [])
        if (!reached.has(e.to)) {
          reached.add(e.to);
          next.push(e.to);
        }
    frontier = next;
  }
  return [...reached].flatMap((id) => up.get(id) ?? []);
}

/** What Neo4jStore.write does before it writes: the parents, the rows in batches, the check. */
function neo4jRefusal(held: GraphRecords, load: GraphRecords, batchSize: number) {
  const hierarchy = load.edges.filter((e) => e.relation === Relation.SUBSET_OF);
  if (hierarchy.length === 0) return { message: undefined, rows: 0 };
  const rows: GraphEdge[] = [];
  const parents = hierarchyParents(hierarchy);
  for (let i = 0; i < parents.length; i += batchSize)
    rows.push(...hierarchyAboveRows(held, parents.slice(i, i + batchSize)));
  const cycle = cycleWithLoad(rows, hierarchy);
  return { message: cycle && hierarchyCycleError(cycle).message, rows: rows.length };
}

function memoryRefusal(graph: MemoryGraph, load: GraphRecords): string | undefined {
  try {
    graph.withRecords(load);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const subset = (
  from: string,
  to: string,
  validFrom: string | null,
  validTo: string | null,
  source = "cycle test",
): GraphEdge => ({ relation: Relation.SUBSET_OF, from, to, source, validFrom, validTo });

const edgesOnly = (...edges: GraphEdge[]): GraphRecords => ({ codes: [], edges, releases: [] });

const SPANS: [string | null, string | null][] = [
  [null, null],
  [null, "2016-09-30"],
  ["2025-10-01", null],
  ["2016-10-01", "2020-09-30"],
];

describe("a Neo4j load refuses the hierarchy cycles the embedded store refuses", () => {
  it("for every one-edge load between codes of the hierarchy, on several spans, with the same message", () => {
    let refused = 0;
    let accepted = 0;
    for (const held of [CONTRACT_GRAPH, withParallelHierarchyEdges(CONTRACT_GRAPH)]) {
      const memory = MemoryGraph.empty().withRecords(held);
      const inHierarchy = [
        ...new Set(
          held.edges
            .filter((e) => e.relation === Relation.SUBSET_OF)
            .flatMap((e) => [e.from, e.to]),
        ),
      ];
      for (const from of inHierarchy) {
        for (const to of inHierarchy) {
          for (const [validFrom, validTo] of SPANS) {
            const load = edgesOnly(subset(from, to, validFrom, validTo));
            const expected = memoryRefusal(memory, load);
            const label = `${from} → ${to} ${validFrom}..${validTo}`;
            for (const batchSize of [1, 5000])
              expect(neo4jRefusal(held, load, batchSize).message, label).toBe(expected);
            if (expected) refused++;
            else accepted++;
          }
        }
      }
    }
    // Self-loops, loops through parallel edges, loops on some spans only: both kinds exist.
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(100);
  });

  it("for loads whose cycle runs through several loaded edges, new codes, or edges they replace", () => {
    const fy2026 = "2025-10-01";
    // D71.9 hangs under D71 from FY2026; D71 under D71.9 before FY2017 is a loop across time.
    const acrossTime = subset("ICD10CM:D71", "ICD10CM:D71.9", null, "2016-09-30");
    const heldD719 = CONTRACT_GRAPH.edges.find(
      (e) => e.relation === Relation.SUBSET_OF && e.from === "ICD10CM:D71.9",
    )!;
    const template = CONTRACT_GRAPH.codes.find((c) => c.id === "ICD10CM:E11.9")!;
    const code = (id: string): CodeNode => ({ ...template, id, code: id.split(":")[1]! });
    const withAcrossTime: GraphRecords = {
      ...CONTRACT_GRAPH,
      edges: [...CONTRACT_GRAPH.edges, acrossTime],
    };
    const cases: [string, GraphRecords, GraphRecords, boolean][] = [
      [
        "two loaded edges joined by held ones",
        CONTRACT_GRAPH,
        edgesOnly(
          subset("ICD10CM:E00-E89", "ICD10CM:D71.9", null, null),
          subset("ICD10CM:D71", "ICD10CM:E11.65", null, null),
        ),
        true,
      ],
      [
        "a loop among new codes",
        CONTRACT_GRAPH,
        {
          codes: [code("ICD10CM:X1"), code("ICD10CM:X2")],
          edges: [
            subset("ICD10CM:X1", "ICD10CM:X2", null, null),
            subset("ICD10CM:X2", "ICD10CM:X1", fy2026, null),
          ],
          releases: [],
        },
        true,
      ],
      [
        "a held edge re-sent with an open start closes the loop across time",
        withAcrossTime,
        edgesOnly({ ...heldD719, validFrom: null }),
        true,
      ],
      [
        "a held edge re-sent to end first opens it again",
        CONTRACT_GRAPH,
        edgesOnly(
          { ...heldD719, validFrom: null, validTo: "2016-09-30" },
          subset("ICD10CM:D71", "ICD10CM:D71.9", fy2026, null),
        ),
        false,
      ],
    ];
    for (const [name, held, load, refuses] of cases) {
      const expected = memoryRefusal(MemoryGraph.empty().withRecords(held), load);
      expect(expected !== undefined, name).toBe(refuses);
      for (const batchSize of [1, 5000])
        expect(neo4jRefusal(held, load, batchSize).message, name).toBe(expected);
    }
  });

  it("reads only the held hierarchy above the loaded edges' parents", async () => {
    // Under E11.65 (a leaf): E11.65 and its four ancestors, one edge out of each but the top.
    const { rows } = neo4jRefusal(
      CONTRACT_GRAPH,
      edgesOnly(subset("ICD10CM:E11.9", "ICD10CM:E11.65", null, null)),
      5000,
    );
    expect(rows).toBe(4);
    // The statement restated here is the file's.
    const statement = await readFile(`${PROJECT_ROOT}/cypher/hierarchy-above.cypher`, "utf8");
    expect(statement).toContain("MATCH (:Code {id: id})-[:SUBSET_OF*0..50]->(n:Code)");
    expect(statement).toContain("WITH DISTINCT n\nMATCH (n)-[r:SUBSET_OF]->(parent:Code)");
  });
});

describe("Neo4jStore.load against a server answering the hierarchy above", () => {
  let fake: FakeBoltServer | undefined;
  let store: Neo4jStore | undefined;

  afterEach(async () => {
    await store?.close();
    await fake?.close();
    store = fake = undefined;
  });

  /** A date as Bolt sends it: days since 1970-01-01. */
  const boltDate = (value: unknown): FakeValue => {
    const d = value as { year: number; month: number; day: number };
    const days = Date.UTC(Number(d.year), Number(d.month) - 1, Number(d.day)) / 86_400_000;
    return new FakeStructure(0x44, [days]);
  };

  /** A held edge as a row of hierarchy-above.cypher: child id, parent id, the relationship. */
  const row = (edge: GraphEdge, n: number): FakeValue[] => {
    const properties = Object.fromEntries(
      Object.entries(edgeToRow(edge).props)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, typeof v === "string" ? v : boltDate(v)]),
    );
    const rel = new FakeStructure(0x52, [
      n,
      1000 + n,
      2000 + n,
      Relation.SUBSET_OF,
      properties,
      `5:fake:${n}`,
      `4:fake:${1000 + n}`,
      `4:fake:${2000 + n}`,
    ]);
    return [edge.from, edge.to, rel];
  };

  /**
   * A store on a fake server: the hierarchy statement answered with the held edges above
   * the load's parents (restated above), each write with one row written.
   */
  async function against(load: GraphRecords): Promise<[Neo4jStore, FakeBoltServer]> {
    const parents = hierarchyParents(load.edges.filter((e) => e.relation === Relation.SUBSET_OF));
    const above = hierarchyAboveRows(CONTRACT_GRAPH, parents);
    fake = await startFakeBoltServer(0, (query): FakeAnswer => {
      if (query.includes("[:SUBSET_OF*0..50]"))
        return { fields: ["child", "parent", "edge"], rows: above.map(row) };
      if (query.includes("MERGE")) return { fields: ["written"], rows: [[1]] };
      return { fields: [], rows: [] };
    });
    store = await Neo4jStore.open({
      uri: `bolt://127.0.0.1:${fake.port}`,
      user: "neo4j",
      password: "not-used",
      database: "neo4j",
      timeoutMs: 4000,
      batchSize: 1000,
    });
    return [store, fake];
  }

  it("refuses a load closing a cycle with held edges, with the embedded store's message, before any write", async () => {
    const load = edgesOnly(subset("ICD10CM:E11", "ICD10CM:E11.65", null, null));
    const expected = memoryRefusal(MemoryGraph.empty().withRecords(CONTRACT_GRAPH), load);
    expect(expected).toMatch(/^the hierarchy would hold a cycle/);
    const [s, server] = await against(load);
    await expect(s.load(load)).rejects.toThrow(expected);
    expect(server.queries.filter((q) => q.includes("[:SUBSET_OF*0..50]"))).toHaveLength(1);
    expect(server.queries.filter((q) => q.includes("MERGE"))).toEqual([]);
  });

  it("refuses a load whose own edges loop, though nothing is held above them", async () => {
    const template = CONTRACT_GRAPH.codes.find((c) => c.id === "ICD10CM:E11.9")!;
    const load: GraphRecords = {
      codes: [
        { ...template, id: "ICD10CM:X1", code: "X1" },
        { ...template, id: "ICD10CM:X2", code: "X2" },
      ],
      edges: [
        subset("ICD10CM:X1", "ICD10CM:X2", null, null),
        subset("ICD10CM:X2", "ICD10CM:X1", null, null),
      ],
      releases: [],
    };
    const [s, server] = await against(load);
    await expect(s.load(load)).rejects.toThrow(
      memoryRefusal(MemoryGraph.empty().withRecords(CONTRACT_GRAPH), load),
    );
    expect(server.queries.filter((q) => q.includes("MERGE"))).toEqual([]);
  });

  it("writes a load under held codes that closes no cycle", async () => {
    const load = edgesOnly(subset("ICD10CM:D71", "ICD10CM:E11.65", null, null));
    const [s, server] = await against(load);
    await expect(s.load(load)).resolves.toMatchObject({ edgesWritten: 1 });
    expect(server.queries.filter((q) => q.includes("MERGE (a)-[r:SUBSET_OF"))).toHaveLength(1);
  });
});
