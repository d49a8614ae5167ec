import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { isValidAt } from "../../src/domain/dates.js";
import {
  type CodeNode,
  edgeKey,
  type GraphEdge,
  type GraphRecords,
} from "../../src/domain/graph.js";
import {
  ALL_RELATIONS,
  DATED_NEIGHBOUR_RELATIONS,
  Direction,
  INHERITED_KINDS,
  PairingKind,
  Relation,
} from "../../src/domain/relationship.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import {
  type ClosureQuery,
  type NeighborQuery,
  type SuccessorQuery,
  type TraversalItem,
  type TraversalPage,
} from "../../src/store/graph-store.js";
import { compareIds } from "../../src/domain/graph.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";
import {
  adjacency,
  walkAncestors,
  walkSuccessors,
  type WalkEdge,
} from "../../src/store/neo4j/traversal-walks.js";
import { codeToRow } from "../../src/store/neo4j/record-mapping.js";
import { CONTRACT_GRAPH, withParallelHierarchyEdges } from "../fixtures/contract-graph.js";
import { withUnknownStarts } from "../support/unknown-starts.js";

/**
 * The Neo4j adapter splits each walk between Cypher and TypeScript. No Neo4j runs here,
 * so this file checks the split against the embedded store on the contract graph and the
 * bundled seed, for every code, several dates and depths:
 *
 * - ancestors and successors: the rows the statement returns (its path predicate,
 *   evaluated here) walked by the adapter's TypeScript give the embedded store's answer;
 * - neighbours and descendants, ordered and paged in Cypher: the statement's sort keys
 *   and filters, evaluated here with Cypher's ordering rules, give the embedded store's
 *   order, counts and pages.
 *
 * What it does not check is Neo4j executing the statements: that is the contract suite's
 * job wherever NEO4J_URI is set.
 */

const DATES = ["2010-01-01", "2016-06-01", "2024-12-01", "2025-06-01", "2026-11-25"];
const MAX_WALK = 50;

interface Graph {
  readonly memory: MemoryGraph;
  readonly nodes: ReadonlyMap<string, CodeNode>;
  readonly edges: readonly GraphEdge[];
}

let graphs: [string, Graph][];
beforeAll(async () => {
  const build = (records: GraphRecords): Graph => ({
    memory: MemoryGraph.empty().withRecords(records),
    nodes: new Map(records.codes.map((c) => [c.id, c])),
    edges: records.edges,
  });
  graphs = [
    ["contract graph", build(CONTRACT_GRAPH)],
    ["contract graph, parallel hierarchy edges", build(withParallelHierarchyEdges(CONTRACT_GRAPH))],
    ["bundled seed", build(await loadSeed(`${PROJECT_ROOT}/seed`))],
    [
      "bundled seed, starts unknown",
      build(withUnknownStarts(await loadSeed(`${PROJECT_ROOT}/seed`))),
    ],
  ];
});

const summary = (page: TraversalPage) => ({
  totalCount: page.totalCount,
  items: page.items.map((i: TraversalItem) => [
    i.node.id,
    i.edge ? edgeKey(i.edge) : null,
    i.depth,
    i.direction,
  ]),
});

// ---------------------------------------------------------------------------------------
// What the statements compute, evaluated over plain records.

/** Cypher ORDER BY on one value: nulls last; booleans false first; numbers, strings ascending. */
function cypherCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    // Lists: element by element; a list that is a prefix of the other sorts first.
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = cypherCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return (a as number | string) < (b as number | string) ? -1 : 1;
}

const byKeys =
  <T>(keys: (row: T) => unknown[]) =>
  (x: T, y: T) => {
    const kx = keys(x);
    const ky = keys(y);
    for (let i = 0; i < kx.length; i++) {
      const c = cypherCompare(kx[i], ky[i]);
      if (c !== 0) return c;
    }
    return 0;
  };

/** traverse-neighbors.cypher: the two sides, the WHERE, the ORDER BY, the slice. */
function neighborsStatement(g: Graph, q: NeighborQuery): TraversalPage {
  if (!g.nodes.has(q.id)) return { totalCount: 0, items: [] };
  // The parameters the adapter sends (neighborParams).
  const byScore = q.relation === Relation.PAIRED_WITH;
  const datedNeighbours = DATED_NEIGHBOUR_RELATIONS.has(q.relation);
  const inherited = q.inherited === true && INHERITED_KINDS.has(q.relation);
  const inheritedKinds = INHERITED_KINDS.get(q.relation) ?? new Set<string>();
  const rows: { edge: GraphEdge; node: CodeNode; side: number; depth: number }[] = [];
  for (const edge of g.edges) {
    if (edge.relation !== q.relation) continue;
    if (q.direction !== Direction.IN && edge.from === q.id)
      rows.push({ edge, node: g.nodes.get(edge.to)!, side: 0, depth: 1 });
    if (q.direction !== Direction.OUT && edge.to === q.id)
      rows.push({ edge, node: g.nodes.get(edge.from)!, side: 1, depth: 1 });
  }
  if (inherited && q.direction !== Direction.IN) {
    // MATCH up = (n)-[:SUBSET_OF*1..10]->(a) with every edge valid; min(length(up)) per a.
    const levels = new Map<string, number>();
    for (const up of paths(g, q.id, Relation.SUBSET_OF, true, 10, (path) =>
      isValidAt(path[path.length - 1]!, q.asOf),
    )) {
      const a = up[up.length - 1]!.to;
      levels.set(a, Math.min(levels.get(a) ?? Infinity, up.length));
    }
    for (const [a, level] of levels) {
      for (const edge of g.edges) {
        if (edge.relation !== q.relation || edge.from !== a) continue;
        if (!("kind" in edge) || !inheritedKinds.has(edge.kind)) continue;
        rows.push({ edge, node: g.nodes.get(edge.to)!, side: 0, depth: level + 1 });
      }
    }
  }
  const kept = rows.filter(
    ({ edge, node }) =>
      isValidAt(edge, q.asOf) &&
      // `r.kind IN []` and `null IN [...]` are not true in Cypher: an empty list, or an
      // edge without a kind, matches nothing.
      (q.kinds === null || ("kind" in edge && q.kinds.includes(edge.kind))) &&
      (q.systems === null || q.systems.includes(node.system)) &&
      (!datedNeighbours || validVersion(g, node.id, q.asOf)),
  );
  kept.sort(
    byKeys(({ edge, node, side, depth }) => {
      const score = "score" in edge ? edge.score : null;
      return [
        byScore ? score === null : false,
        byScore ? (score === null ? null : -score) : 0,
        byScore ? 0 : side,
        depth,
        node.id,
        side,
        edgeKey(edge),
      ];
    }),
  );
  return {
    totalCount: kept.length,
    items: kept.slice(q.offset, q.offset + q.limit).map(({ edge, node, side, depth }) => ({
      node,
      edge,
      depth,
      direction: side === 0 ? Direction.OUT : Direction.IN,
    })),
  };
}

/** Paths of a variable-length pattern from `start`, each a list of edges, up to `maxDepth`. */
function paths(
  g: Graph,
  start: string,
  relation: Relation,
  outward: boolean,
  maxDepth: number,
  keep: (path: readonly GraphEdge[]) => boolean,
): GraphEdge[][] {
  const out: GraphEdge[][] = [];
  const extend = (path: GraphEdge[], at: string) => {
    if (path.length >= Math.min(maxDepth, MAX_WALK)) return;
    for (const edge of g.edges) {
      if (edge.relation !== relation || (outward ? edge.from : edge.to) !== at) continue;
      if (path.includes(edge)) continue; // a path uses each relationship once
      const next = [...path, edge];
      if (!keep(next)) continue;
      out.push(next);
      extend(next, outward ? edge.to : edge.from);
    }
  };
  if (g.nodes.has(start)) extend([], start);
  return out;
}

const rows = new WeakMap<CodeNode, ReturnType<typeof codeToRow>>();
/**
 * The version flags in force on a date, as the statements read them from the stored lists:
 * [k IN range(0, size(n.versionFrom) - 1) WHERE n.versionFrom[k] <= d AND d <= n.versionTo[k]
 * | n.versionBillable[k]]. Empty when the code is not valid then.
 */
function billableInForce(g: Graph, id: string, asOf: string): boolean[] {
  const node = g.nodes.get(id)!;
  const row = rows.get(node) ?? codeToRow(node);
  rows.set(node, row);
  const [from, to] = [row.versionFrom, row.versionTo] as [readonly unknown[], readonly unknown[]];
  const billable = row.versionBillable as readonly boolean[];
  return billable.filter((_, k) => String(from[k]) <= asOf && asOf <= String(to[k]));
}

const validVersion = (g: Graph, id: string, asOf: string) =>
  billableInForce(g, id, asOf).length > 0;

/**
 * traverse-descendants.cypher: the path predicate (every edge valid, every code below the
 * start valid: checked step by step, as the expansion checks its all(...) predicates),
 * the billable filter, ORDER BY each step's code and edge key, the slice. The statement's three branches
 * (literal bounds 1 and 2, else 50 with length(p) <= maxDepth) all select the paths of
 * at most maxDepth edges, which `paths` bounds the same way.
 */
function descendantsStatement(g: Graph, q: ClosureQuery): TraversalPage {
  const found = paths(g, q.id, Relation.SUBSET_OF, false, q.maxDepth, (path) => {
    const last = path[path.length - 1]!;
    return isValidAt(last, q.asOf) && validVersion(g, last.from, q.asOf);
  }).filter(
    (path) =>
      !q.billableOnly || billableInForce(g, path[path.length - 1]!.from, q.asOf).at(-1) === true,
  );
  // ORDER BY [r IN relationships(p) | [startNode(r).id, r.key]]: SUBSET_OF runs child to
  // parent, so each step's start node is the code reached, and the key breaks a tie
  // between parallel edges.
  found.sort(byKeys((path) => [path.map((e) => [e.from, edgeKey(e)])]));
  return {
    totalCount: found.length,
    items: found.slice(q.offset, q.offset + q.limit).map((path) => {
      const edge = path[path.length - 1]!;
      return { node: g.nodes.get(edge.from)!, edge, depth: path.length, direction: Direction.IN };
    }),
  };
}

/** traverse-ancestors.cypher rows (each path's last edge and its far end), walked by the adapter. */
function ancestorsAdapter(g: Graph, q: ClosureQuery): TraversalPage {
  const rows: WalkEdge[] = paths(g, q.id, Relation.SUBSET_OF, true, q.maxDepth, (path) =>
    path.every((e) => isValidAt(e, q.asOf)),
  ).map((path) => {
    const edge = path[path.length - 1]!;
    return { edge, node: g.nodes.get(edge.to)! };
  });
  return walkAncestors(
    q,
    adjacency(rows, (e) => e.from),
  );
}

/**
 * traverse-successors.cypher rows (none for a starting code valid on the date; paths of
 * replacements in force through codes not valid on the date), walked by the adapter.
 */
function successorsAdapter(g: Graph, q: SuccessorQuery): TraversalPage {
  const startValid = g.nodes.has(q.id) && validVersion(g, q.id, q.asOf);
  const found = startValid
    ? []
    : paths(
        g,
        q.id,
        Relation.REPLACES,
        false,
        q.maxDepth,
        (path) =>
          path.every((e) => e.relation === Relation.REPLACES && e.effective <= q.asOf) &&
          path.slice(0, -1).every((e) => !validVersion(g, e.from, q.asOf)),
      );
  const rows: WalkEdge[] = found.map((path) => {
    const edge = path[path.length - 1]!;
    return { edge, node: g.nodes.get(edge.from)! };
  });
  return walkSuccessors(
    q,
    adjacency(rows, (e) => e.to),
  );
}

// ---------------------------------------------------------------------------------------

describe("Neo4j walks give the embedded store's answers", () => {
  it("ancestors: statement rows walked in TypeScript", () => {
    let compared = 0;
    for (const [name, g] of graphs) {
      for (const id of g.nodes.keys()) {
        for (const asOf of DATES) {
          for (const [maxDepth, billableOnly] of [
            [10, false],
            [2, false],
            [10, true],
          ] as const) {
            const q: ClosureQuery = {
              mode: "closure",
              id,
              asOf,
              direction: Direction.OUT,
              maxDepth,
              billableOnly,
              offset: 0,
              limit: 100,
            };
            expect(summary(ancestorsAdapter(g, q)), `${name} ${id} ${asOf} ${maxDepth}`).toEqual(
              summary(g.memory.closure(q)),
            );
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it("successors: statement rows walked breadth first in TypeScript", () => {
    let nonEmpty = 0;
    for (const [name, g] of graphs) {
      const replaced = new Set(
        g.edges.filter((e) => e.relation === Relation.REPLACES).map((e) => e.to),
      );
      for (const id of g.nodes.keys()) {
        for (const asOf of DATES) {
          for (const maxDepth of [1, 10]) {
            const q: SuccessorQuery = { mode: "successors", id, asOf, maxDepth };
            const expected = g.memory.successors(q);
            expect(summary(successorsAdapter(g, q)), `${name} ${id} ${asOf} ${maxDepth}`).toEqual(
              summary(expected),
            );
            if (replaced.has(id) && expected.items.length > 0) nonEmpty++;
          }
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(10);
  });

  it("descendants: paths sorted by each step's code and edge key are the embedded store's pre-order, parallel edges each with its subtree, with its counts and pages", async () => {
    let nonEmpty = 0;
    for (const [name, g] of graphs) {
      const parents = new Set(
        g.edges.filter((e) => e.relation === Relation.SUBSET_OF).map((e) => e.to),
      );
      for (const id of parents) {
        for (const asOf of DATES) {
          for (const extra of [
            { maxDepth: 10, billableOnly: false, offset: 0, limit: 1000 },
            { maxDepth: 10, billableOnly: true, offset: 0, limit: 1000 },
            { maxDepth: 1, billableOnly: false, offset: 0, limit: 1000 },
            { maxDepth: 10, billableOnly: false, offset: 3, limit: 5 },
          ]) {
            const q: ClosureQuery = {
              mode: "closure",
              id,
              asOf,
              direction: Direction.IN,
              ...extra,
            };
            const expected = g.memory.closure(q);
            expect(
              summary(descendantsStatement(g, q)),
              `${name} ${id} ${asOf} ${JSON.stringify(extra)}`,
            ).toEqual(summary(expected));
            if (expected.totalCount > 1) nonEmpty++;
          }
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(100);
    // The sort emulated above is the statement's.
    const statement = await readFile(`${PROJECT_ROOT}/cypher/traverse-descendants.cypher`, "utf8");
    expect(statement).toContain("ORDER BY [r IN relationships(p) | [startNode(r).id, r.key]]");
  });

  it("neighbours: the statement's sort keys give the embedded store's order, counts and pages", () => {
    let compared = 0;
    let inheritedSeen = 0;
    for (const [name, g] of graphs) {
      for (const id of g.nodes.keys()) {
        for (const relation of ALL_RELATIONS) {
          for (const direction of [Direction.OUT, Direction.IN, Direction.BOTH]) {
            for (const asOf of [DATES[1]!, DATES[4]!]) {
              const q: NeighborQuery = {
                mode: "neighbors",
                id,
                asOf,
                relation,
                direction,
                kinds: null,
                systems: null,
                offset: 0,
                limit: 100,
              };
              expect(
                summary(neighborsStatement(g, q)),
                `${name} ${id} ${relation} ${direction}`,
              ).toEqual(summary(g.memory.neighbors(q)));
              const paged = { ...q, offset: 1, limit: 2 };
              expect(summary(neighborsStatement(g, paged))).toEqual(
                summary(g.memory.neighbors(paged)),
              );
              for (const withInherited of [
                { ...q, inherited: true },
                { ...q, inherited: true, offset: 1, limit: 3 },
              ]) {
                const expected = g.memory.neighbors(withInherited);
                expect(
                  summary(neighborsStatement(g, withInherited)),
                  `${name} ${id} ${relation} ${direction} inherited`,
                ).toEqual(summary(expected));
                if (expected.items.some((i) => i.depth > 1)) inheritedSeen++;
              }
              compared++;
            }
          }
        }
        const filtered: NeighborQuery = {
          mode: "neighbors",
          id,
          asOf: DATES[4]!,
          relation: Relation.PAIRED_WITH,
          direction: Direction.BOTH,
          kinds: [PairingKind.SUPPORTS, PairingKind.OBSERVED],
          systems: null,
          offset: 0,
          limit: 100,
        };
        for (const variant of [
          filtered,
          { ...filtered, kinds: [] },
          { ...filtered, kinds: null, systems: [] },
          { ...filtered, kinds: null, systems: [CodeSystemId.CPT, CodeSystemId.HCPCS] },
          { ...filtered, relation: Relation.EXCLUDES, kinds: null, asOf: DATES[1]! },
        ]) {
          expect(summary(neighborsStatement(g, variant)), JSON.stringify(variant)).toEqual(
            summary(g.memory.neighbors(variant)),
          );
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    // Inherited notes were compared, not only empty lists.
    expect(inheritedSeen).toBeGreaterThan(100);
  });

  it("neighbours: pairings and exclusions with codes not valid on the date are left out (the cases exist)", () => {
    // Without such edges the date filter above would be compared on nothing.
    let hidden = 0;
    for (const [, g] of graphs) {
      for (const edge of g.edges) {
        if (!DATED_NEIGHBOUR_RELATIONS.has(edge.relation)) continue;
        for (const asOf of DATES) {
          if (!isValidAt(edge, asOf)) continue;
          for (const [near, far] of [
            [edge.from, edge.to],
            [edge.to, edge.from],
          ] as const) {
            if (validVersion(g, far, asOf)) continue;
            const q: NeighborQuery = {
              mode: "neighbors",
              id: near,
              asOf,
              relation: edge.relation,
              direction: Direction.BOTH,
              kinds: null,
              systems: null,
              offset: 0,
              limit: 1000,
            };
            const listed = neighborsStatement(g, q).items.map((i) => i.node.id);
            expect(listed, `${edgeKey(edge)} on ${asOf}`).not.toContain(far);
            hidden++;
          }
        }
      }
    }
    expect(hidden).toBeGreaterThan(20);
  });
});

describe("adjacency for walks", () => {
  it("orders each list by far-end id, then by edge key, and drops repeated edges", () => {
    const node = (id: string) => ({ id }) as CodeNode;
    const edge = (to: string, source: string): GraphEdge => ({
      relation: Relation.REPLACES,
      from: "A",
      to,
      source,
      effective: "2020-01-01",
      validFrom: null,
      validTo: null,
    });
    const rows: WalkEdge[] = [
      { edge: edge("C", "s2"), node: node("C") },
      { edge: edge("B", "s1"), node: node("B") },
      { edge: edge("C", "s1"), node: node("C") },
      { edge: edge("B", "s1"), node: node("B") },
    ];
    const list = adjacency(rows, (e) => e.from).get("A")!;
    expect(list.map((w) => edgeKey(w.edge))).toEqual([
      "REPLACES|A|B|s1",
      "REPLACES|A|C|s1",
      "REPLACES|A|C|s2",
    ]);
    expect(compareIds("ICD10CM:E11", "ICD10CM:E11.9")).toBeLessThan(0);
  });
});
