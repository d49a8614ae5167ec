import { type CodeSystemId } from "../../domain/code-system.js";
import { addDays, type IsoDate, isValidAt } from "../../domain/dates.js";
import {
  type CodeNode,
  compareIds,
  edgeKey,
  type GraphEdge,
  type GraphRecords,
  type ReleaseInfo,
  versionAt,
} from "../../domain/graph.js";
import {
  DATED_NEIGHBOUR_RELATIONS,
  Direction,
  INHERITED_KINDS,
  MAX_INHERITANCE_DEPTH,
  Relation,
} from "../../domain/relationship.js";
import {
  type ClosureQuery,
  type NeighborQuery,
  type SuccessorQuery,
  type TraversalItem,
  type TraversalPage,
} from "../graph-store.js";
import { hierarchyCycle, hierarchyCycleError } from "../hierarchy-cycle.js";
import { SearchIndex } from "./search-index.js";

interface SubtreeCounts {
  readonly all: number;
  readonly billable: number;
  /** Longest path down to a leaf. */
  readonly height: number;
}

const EARLIEST: IsoDate = "0000-01-01";
/** Code counts kept per graph (system × date × billable): beyond this the oldest goes. */
const MAX_COUNT_CACHE = 512;
const LEAF: SubtreeCounts = Object.freeze({ all: 0, billable: 0, height: 0 });

/**
 * An immutable, indexed graph: nodes by id, adjacency per relation and direction,
 * a search index, and subtree counts (these two built on first use). A load builds a new
 * graph and the store swaps the reference, so readers never see half a load.
 */
export class MemoryGraph {
  private readonly outgoing: Adjacency = new Map();
  private readonly incoming: Adjacency = new Map();
  private readonly bySystem = new Map<CodeSystemId, CodeNode[]>();
  private readonly countCache = new Map<string, number>();
  /** Nodes in id order: the search index's ordinals. */
  private readonly ordered: readonly CodeNode[];
  /**
   * Built on the first search, not with the graph: it is the largest index, and a
   * restart is ready to answer lookups and walks without it. See `searchIndex`.
   */
  private searchIndexBuilt: SearchIndex | undefined;
  /**
   * The last date on which anything in the graph changes. On any later date the graph
   * looks the same, so subtree counts taken on it answer every such date.
   */
  private readonly settledOn: IsoDate;
  /** Filled on the first descendants walk (see `subtreeCounts`), like the search index. */
  private settledCounts: Map<string, SubtreeCounts> | undefined;

  private constructor(
    readonly nodes: ReadonlyMap<string, CodeNode>,
    /** Every edge once: what adjacency is built from. */
    private readonly edgeList: readonly GraphEdge[],
    readonly releases: readonly ReleaseInfo[],
    private edgeMap?: ReadonlyMap<string, GraphEdge>,
  ) {
    for (const edge of edgeList) {
      push(byRelation(this.outgoing, edge.relation), edge.from, edge);
      push(byRelation(this.incoming, edge.relation), edge.to, edge);
    }
    // Parallel edges (one edge's two spans, two sources' evidence) are ordered by key, as
    // the Neo4j adapter orders them; keys are made only for such ties.
    for (const byId of this.outgoing.values()) {
      for (const list of byId.values())
        if (list.length > 1)
          list.sort((a, b) => compareIds(a.to, b.to) || compareIds(edgeKey(a), edgeKey(b)));
    }
    for (const byId of this.incoming.values()) {
      for (const list of byId.values())
        if (list.length > 1)
          list.sort((a, b) => compareIds(a.from, b.from) || compareIds(edgeKey(a), edgeKey(b)));
    }

    const ordered = [...nodes.values()].sort((a, b) => compareIds(a.id, b.id));
    this.ordered = ordered;
    for (const node of ordered) {
      let list = this.bySystem.get(node.system);
      if (!list) this.bySystem.set(node.system, (list = []));
      list.push(node);
    }
    this.settledOn = lastChangeDate(nodes.values(), edgeList);
  }

  static empty(): MemoryGraph {
    return new MemoryGraph(new Map(), [], [], new Map());
  }

  /**
   * The graph of a saved file, which was written from a graph: its node ids and edge keys
   * are unique and every edge end is one of its nodes. So this skips what `withRecords`
   * checks for records from elsewhere, and keys the edges only when asked (`edges`): a
   * restart serves without them, and they were a fifth of its time.
   */
  static fromSaved(records: GraphRecords): MemoryGraph {
    const nodes = new Map<string, CodeNode>();
    for (const node of records.codes) nodes.set(node.id, node);
    return new MemoryGraph(nodes, records.edges, sortReleases(records.releases));
  }

  /** How many edges the graph holds, without keying them. */
  get edgeCount(): number {
    return this.edgeList.length;
  }

  /** Edges by {@link edgeKey}; a graph from a saved file builds this on first use. */
  get edges(): ReadonlyMap<string, GraphEdge> {
    if (!this.edgeMap) {
      const keyed = new Map<string, GraphEdge>();
      for (const edge of this.edgeList) {
        const key = edgeKey(edge);
        if (keyed.has(key))
          throw new Error(`the graph holds the edge ${key} twice: its saved file was altered`);
        keyed.set(key, edge);
      }
      this.edgeMap = keyed;
    }
    return this.edgeMap;
  }

  /**
   * A new graph with the records applied on top of this one: nodes replaced by id,
   * edges by key, releases by system and version. Throws, leaving this graph as it is,
   * when an edge names a node that neither graph holds, or when the hierarchy would hold
   * a cycle on some date (every walk up or down it would loop).
   */
  withRecords(records: GraphRecords): MemoryGraph {
    const nodes = new Map(this.nodes);
    for (const node of records.codes) nodes.set(node.id, node);
    const edges = new Map(this.edges);
    for (const edge of records.edges) {
      const missing = !nodes.has(edge.from) ? edge.from : !nodes.has(edge.to) ? edge.to : undefined;
      if (missing !== undefined) {
        throw new Error(`${edge.relation} edge ${edge.from} → ${edge.to}: no node ${missing}`);
      }
      edges.set(edgeKey(edge), edge);
    }
    const releases = new Map(this.releases.map((r) => [`${r.system}|${r.version}`, r]));
    for (const r of records.releases) releases.set(`${r.system}|${r.version}`, r);
    const next = new MemoryGraph(
      nodes,
      [...edges.values()],
      sortReleases([...releases.values()]),
      edges,
    );
    // Checked on the new graph's own adjacency; thrown away, it leaves this one as it is.
    const cycle = hierarchyCycle(next.outgoing.get(Relation.SUBSET_OF) ?? new Map());
    if (cycle) throw hierarchyCycleError(cycle);
    return next;
  }

  search = (...args: Parameters<SearchIndex["search"]>) => this.searchIndex().search(...args);

  /**
   * Builds now what is otherwise built on first use (the search index, the subtree
   * counts), so that the first search and descendants walk after a start do not pay for
   * them. Each step runs on its own turn of the event loop.
   */
  async warm(): Promise<void> {
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    await nextTurn();
    this.searchIndex();
    await nextTurn();
    this.subtreeCounts();
  }

  /**
   * The search index, built once on first use. Building it is most of the work of
   * building a graph (a full release set: about a second), and a graph built for an
   * import or a restart would otherwise pay for it before anyone searches.
   */
  private searchIndex(): SearchIndex {
    return (this.searchIndexBuilt ??= new SearchIndex(this.ordered));
  }

  codesOf(system: CodeSystemId): readonly CodeNode[] {
    return this.bySystem.get(system) ?? [];
  }

  countCodes(system: CodeSystemId, asOf: IsoDate | null, billableOnly: boolean): number {
    // Every date after the settled one counts the same: one entry serves them all, so a
    // client sending a new date each time cannot grow the cache (each miss is a scan).
    const day = asOf !== null && asOf > this.settledOn ? this.settledOn : asOf;
    const key = `${system}|${day}|${billableOnly}`;
    let count = this.countCache.get(key);
    if (count === undefined) {
      count = 0;
      for (const node of this.codesOf(system)) {
        if (asOf === null) {
          if (!billableOnly || node.versions.some((v) => v.billable)) count++;
        } else {
          const v = versionAt(node, day!);
          if (v && (!billableOnly || v.billable)) count++;
        }
      }
      // Past dates remain as many as clients send: the oldest entry goes first.
      if (this.countCache.size >= MAX_COUNT_CACHE)
        this.countCache.delete(this.countCache.keys().next().value!);
      this.countCache.set(key, count);
    }
    return count;
  }

  neighbors(q: NeighborQuery): TraversalPage {
    const items: TraversalItem[] = [];
    const datedNeighbours = DATED_NEIGHBOUR_RELATIONS.has(q.relation);
    const collect = (
      edges: readonly GraphEdge[] | undefined,
      direction: Direction.OUT | Direction.IN,
      inherited?: { depth: number; from: CodeNode; kinds: ReadonlySet<string> },
    ) => {
      for (const edge of edges ?? []) {
        if (!isValidAt(edge, q.asOf)) continue;
        const kind = "kind" in edge ? edge.kind : undefined;
        if (q.kinds && !(kind !== undefined && q.kinds.includes(kind))) continue;
        if (inherited && !(kind !== undefined && inherited.kinds.has(kind))) continue;
        const node = this.nodes.get(direction === Direction.OUT ? edge.to : edge.from)!;
        if (q.systems && !q.systems.includes(node.system)) continue;
        if (datedNeighbours && !versionAt(node, q.asOf)) continue;
        items.push(
          inherited
            ? { node, edge, depth: inherited.depth, direction, inheritedFrom: inherited.from }
            : { node, edge, depth: 1, direction },
        );
      }
    };
    if (q.direction !== Direction.IN) {
      const outgoing = this.outgoing.get(q.relation);
      collect(outgoing?.get(q.id), Direction.OUT);
      const kinds = INHERITED_KINDS.get(q.relation);
      if (q.inherited && kinds) {
        this.parentEdges(q.id, q.asOf, MAX_INHERITANCE_DEPTH).forEach((up, level) =>
          collect(outgoing?.get(up.to), Direction.OUT, {
            depth: level + 2,
            from: this.nodes.get(up.to)!,
            kinds,
          }),
        );
      }
    }
    if (q.direction !== Direction.OUT)
      collect(this.incoming.get(q.relation)?.get(q.id), Direction.IN);
    if (q.relation === Relation.PAIRED_WITH) items.sort(byPairingStrength);
    return { totalCount: items.length, items: items.slice(q.offset, q.offset + q.limit) };
  }

  /**
   * Ancestors nearest first, or descendants in hierarchy order (each node before its
   * children, siblings in code order). For descendants on a settled date the total
   * comes from precomputed counts, and the walk stops once the page is full.
   */
  closure(q: ClosureQuery): TraversalPage {
    if (q.direction === Direction.OUT) {
      const items: TraversalItem[] = [];
      this.parentEdges(q.id, q.asOf, q.maxDepth).forEach((edge, i) => {
        const node = this.nodes.get(edge.to)!;
        if (!q.billableOnly || versionAt(node, q.asOf)?.billable) {
          items.push({ node, edge, depth: i + 1, direction: Direction.OUT });
        }
      });
      return { totalCount: items.length, items: items.slice(q.offset, q.offset + q.limit) };
    }

    const settled = q.asOf >= this.settledOn ? this.subtreeCounts().get(q.id) : undefined;
    const knownTotal =
      settled && q.maxDepth >= settled.height
        ? q.billableOnly
          ? settled.billable
          : settled.all
        : undefined;
    const end = q.offset + q.limit;
    const items: TraversalItem[] = [];
    let seen = 0;
    const children = this.incoming.get(Relation.SUBSET_OF);
    const walk = (id: string, depth: number): boolean => {
      for (const edge of children?.get(id) ?? []) {
        if (!isValidAt(edge, q.asOf)) continue;
        const node = this.nodes.get(edge.from)!;
        const version = versionAt(node, q.asOf);
        if (!version) continue;
        if (!q.billableOnly || version.billable) {
          if (seen >= q.offset && seen < end)
            items.push({ node, edge, depth, direction: Direction.IN });
          seen++;
          if (knownTotal !== undefined && seen >= end) return false;
        }
        if (depth < q.maxDepth && !walk(edge.from, depth + 1)) return false;
      }
      return true;
    };
    walk(q.id, 1);
    return { totalCount: knownTotal ?? seen, items };
  }

  /** The hierarchy edges from a code up, nearest first, as they stand on `asOf`. */
  private parentEdges(id: string, asOf: IsoDate, maxDepth: number): GraphEdge[] {
    const edges: GraphEdge[] = [];
    const up = this.outgoing.get(Relation.SUBSET_OF);
    for (let current = id; edges.length < maxDepth;) {
      const edge = (up?.get(current) ?? []).find((e) => isValidAt(e, asOf));
      if (!edge) break;
      edges.push(edge);
      current = edge.to;
    }
    return edges;
  }

  /** Replacement chains followed forward until codes valid on `asOf`, nearest first. */
  successors(q: SuccessorQuery): TraversalPage {
    const items: TraversalItem[] = [];
    // A code valid on the date needs no successor, whatever replaces it later.
    const start = this.nodes.get(q.id);
    if (!start || versionAt(start, q.asOf)) return { totalCount: 0, items };
    const visited = new Set([q.id]);
    let frontier: { id: string; edge: GraphEdge | null }[] = [{ id: q.id, edge: null }];
    for (let depth = 1; depth <= q.maxDepth && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const { id } of frontier) {
        for (const edge of this.incoming.get(Relation.REPLACES)?.get(id) ?? []) {
          // A replacement not yet in force on the date is no successor on it.
          if (edge.relation !== Relation.REPLACES || edge.effective > q.asOf) continue;
          if (visited.has(edge.from)) continue;
          visited.add(edge.from);
          const node = this.nodes.get(edge.from)!;
          if (versionAt(node, q.asOf)) items.push({ node, edge, depth, direction: Direction.IN });
          else next.push({ id: edge.from, edge });
        }
      }
      frontier = next;
    }
    return { totalCount: items.length, items };
  }

  /**
   * Every subtree counted as it stands on the settled date (post-order), once per graph,
   * on the first descendants walk that can use it.
   */
  private subtreeCounts(): ReadonlyMap<string, SubtreeCounts> {
    if (this.settledCounts) return this.settledCounts;
    const settledCounts = new Map<string, SubtreeCounts>();
    const children = this.incoming.get(Relation.SUBSET_OF);
    // Loads refuse cycles, but a saved file is trusted without that check: a node met
    // again below itself counts as a leaf there, rather than recurse without end.
    const inProgress = new Set<string>();
    const visit = (id: string): SubtreeCounts => {
      const known = settledCounts.get(id);
      if (known) return known;
      if (inProgress.has(id)) return LEAF;
      inProgress.add(id);
      let all = 0;
      let billable = 0;
      let height = 0;
      for (const edge of children?.get(id) ?? NO_EDGES) {
        if (!isValidAt(edge, this.settledOn)) continue;
        const child = this.nodes.get(edge.from)!;
        const version = versionAt(child, this.settledOn);
        if (!version) continue;
        const below = visit(child.id);
        all += 1 + below.all;
        billable += (version.billable ? 1 : 0) + below.billable;
        height = Math.max(height, 1 + below.height);
      }
      // Most nodes are leaves: they share one record rather than each allocating its own.
      const counts = all === 0 && height === 0 ? LEAF : { all, billable, height };
      inProgress.delete(id);
      settledCounts.set(id, counts);
      return counts;
    };
    for (const id of this.nodes.keys()) visit(id);
    this.settledCounts = settledCounts;
    return settledCounts;
  }
}

/**
 * Edges by relation, then by node id. Two levels rather than one key joining both: ids
 * are hashed once and reused, where a joined key is a new string to build and hash per
 * edge, which dominated building the graph of a full release.
 */
type Adjacency = Map<Relation, Map<string, GraphEdge[]>>;

const NO_EDGES: readonly GraphEdge[] = [];

function byRelation(adjacency: Adjacency, relation: Relation): Map<string, GraphEdge[]> {
  let byId = adjacency.get(relation);
  if (!byId) adjacency.set(relation, (byId = new Map()));
  return byId;
}

function sortReleases(releases: readonly ReleaseInfo[]): ReleaseInfo[] {
  return [...releases].sort(
    (a, b) => compareIds(a.system, b.system) || compareIds(a.effective, b.effective),
  );
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Strongest pairing first, unscored after scored; then the code's own notes before
 * inherited ones, nearest bearer first; then by code.
 */
function byPairingStrength(a: TraversalItem, b: TraversalItem): number {
  const sa = a.edge && "score" in a.edge ? a.edge.score : null;
  const sb = b.edge && "score" in b.edge ? b.edge.score : null;
  if (sa !== sb) {
    if (sa === null) return 1;
    if (sb === null) return -1;
    return sb - sa;
  }
  return a.depth - b.depth || compareIds(a.node.id, b.node.id);
}

function lastChangeDate(nodes: Iterable<CodeNode>, edges: Iterable<GraphEdge>): IsoDate {
  let lastStart = EARLIEST;
  let lastEnd: IsoDate | null = null;
  const see = (from: IsoDate | null, to: IsoDate | null) => {
    if (from && from > lastStart) lastStart = from;
    if (to && (lastEnd === null || to > lastEnd)) lastEnd = to;
  };
  for (const node of nodes) for (const v of node.versions) see(v.validFrom, v.validTo);
  for (const edge of edges) see(edge.validFrom, edge.validTo);
  // The day after the last end is itself a change: whatever ended is gone from then on.
  const afterLastEnd = lastEnd === null ? EARLIEST : addDays(lastEnd, 1);
  return afterLastEnd > lastStart ? afterLastEnd : lastStart;
}
