import { type IsoDate, isValidAt } from "../domain/dates.js";
import { compareIds, edgeKey, type GraphEdge } from "../domain/graph.js";
import { Relation } from "../domain/relationship.js";

/**
 * The hierarchy check a load runs: SUBSET_OF edges must not form a cycle on any date, or
 * every walk up or down the hierarchy would loop. Pure, over edges by child, so that every
 * store can run it over the edges it holds: the embedded store over its whole new graph,
 * the Neo4j adapter over the loaded edges and the held edges above them
 * (cypher/hierarchy-above.cypher), inside the load's transaction, before it writes.
 */

const EARLIEST: IsoDate = "0000-01-01";
const NO_EDGES: readonly GraphEdge[] = [];

/** A hierarchy cycle: its edges in order from its lowest code id, and a date on which all hold. */
export interface HierarchyCycle {
  readonly edges: readonly GraphEdge[];
  readonly on: IsoDate;
}

/**
 * A cycle of SUBSET_OF edges that all hold on one date, or undefined. Strongly connected
 * components (Tarjan, without recursion: 200,000 nodes) find where a cycle could be; each
 * component is then walked on the start dates of its edges, since a cycle holding on any
 * date holds on the latest start among its edges. Edges that loop only across time (A
 * under B until 2020, B under A after) are no cycle. `out` is the hierarchy by child.
 */
export function hierarchyCycle(
  out: ReadonlyMap<string, readonly GraphEdge[]>,
): HierarchyCycle | undefined {
  // Ordinals in visiting order; numbers in typed arrays rather than maps keyed by id:
  // this runs on every load of a full release set, and maps of 200,000 ids weigh.
  const ordinal = new Map<string, number>();
  const capacity = () => ordinal.size + 1;
  let index = new Int32Array(1024);
  let low = new Int32Array(1024);
  let onStack = new Uint8Array(1024);
  const stack: string[] = [];
  const open = (id: string): number => {
    const n = ordinal.size;
    ordinal.set(id, n);
    if (n >= index.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, capacity()));
        b.set(a);
        return b;
      };
      index = grow(index);
      low = grow(low);
      onStack = grow(onStack);
    }
    index[n] = n;
    low[n] = n;
    onStack[n] = 1;
    stack.push(id);
    return n;
  };
  for (const start of out.keys()) {
    if (ordinal.has(start)) continue;
    const work: { id: string; n: number; at: number }[] = [{ id: start, n: open(start), at: 0 }];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const list = out.get(frame.id) ?? NO_EDGES;
      if (frame.at < list.length) {
        const to = list[frame.at++]!.to;
        const seen = ordinal.get(to);
        if (seen === undefined) work.push({ id: to, n: open(to), at: 0 });
        else if (onStack[seen] === 1) low[frame.n] = Math.min(low[frame.n]!, index[seen]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.n] = Math.min(low[parent.n]!, low[frame.n]!);
      if (low[frame.n] !== index[frame.n]) continue;
      const component = new Set<string>();
      let member: string;
      do {
        member = stack.pop()!;
        onStack[ordinal.get(member)!] = 0;
        component.add(member);
      } while (member !== frame.id);
      // Most components are one node without a loop: nothing to walk.
      if (component.size === 1 && !(out.get(frame.id) ?? NO_EDGES).some((e) => e.to === frame.id))
        continue;
      const cycle = cycleWithin(component, out);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

/** A cycle inside one strongly connected component that holds on one date. */
function cycleWithin(
  component: ReadonlySet<string>,
  out: ReadonlyMap<string, readonly GraphEdge[]>,
): HierarchyCycle | undefined {
  const inner: GraphEdge[] = [];
  for (const id of component)
    for (const e of out.get(id) ?? NO_EDGES) if (component.has(e.to)) inner.push(e);
  if (inner.length === 0) return undefined;
  const dates = [...new Set(inner.map((e) => e.validFrom ?? EARLIEST))].sort();
  for (const on of dates) {
    const valid = inner.filter((e) => isValidAt(e, on));
    const byFrom = new Map<string, GraphEdge[]>();
    for (const e of valid) push(byFrom, e.from, e);
    // Follow edges from each member, keeping the path: a member met on the path closes a cycle.
    const done = new Set<string>();
    for (const start of component) {
      if (done.has(start)) continue;
      const path: GraphEdge[] = [];
      const onPath = new Map<string, number>([[start, 0]]);
      const work: { id: string; at: number }[] = [{ id: start, at: 0 }];
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const list = byFrom.get(frame.id) ?? NO_EDGES;
        if (frame.at >= list.length) {
          work.pop();
          onPath.delete(frame.id);
          done.add(frame.id);
          path.pop();
          continue;
        }
        const edge = list[frame.at++]!;
        const seen = onPath.get(edge.to);
        if (seen !== undefined) return { edges: fromLowestId([...path.slice(seen), edge]), on };
        if (done.has(edge.to)) continue;
        path.push(edge);
        onPath.set(edge.to, path.length);
        work.push({ id: edge.to, at: 0 });
      }
    }
  }
  return undefined;
}

/**
 * A cycle's edges starting from its lowest code id: the same cycle reads the same
 * whichever member the search happened to start from (stores visit codes in other orders).
 */
function fromLowestId(edges: GraphEdge[]): GraphEdge[] {
  let first = 0;
  for (let i = 1; i < edges.length; i++)
    if (compareIds(edges[i]!.from, edges[first]!.from) < 0) first = i;
  return [...edges.slice(first), ...edges.slice(0, first)];
}

/**
 * The cycle, if any, that loading `loaded` over `held` would give the hierarchy: loaded
 * edges replace held ones by key, as a load does; other relations are ignored. For a
 * store that reads only the held edges a load could close a cycle with. Each child's
 * edges are ordered as in the embedded store's adjacency (parent id, then key).
 */
export function cycleWithLoad(
  held: Iterable<GraphEdge>,
  loaded: Iterable<GraphEdge>,
): HierarchyCycle | undefined {
  const byKey = new Map<string, GraphEdge>();
  for (const edges of [held, loaded])
    for (const e of edges) if (e.relation === Relation.SUBSET_OF) byKey.set(edgeKey(e), e);
  const out = new Map<string, GraphEdge[]>();
  for (const e of byKey.values()) push(out, e.from, e);
  for (const list of out.values())
    if (list.length > 1)
      list.sort((a, b) => compareIds(a.to, b.to) || compareIds(edgeKey(a), edgeKey(b)));
  return hierarchyCycle(out);
}

/** The load error both stores throw for a cycle: its date, its codes, its edges' sources. */
export function hierarchyCycleError(cycle: HierarchyCycle): Error {
  const when = cycle.on === EARLIEST ? "from its first day" : `on ${cycle.on}`;
  const codes = [...cycle.edges.map((e) => e.from), cycle.edges[0]!.from].join(" → ");
  const sources = [...new Set(cycle.edges.map((e) => e.source))].join(", ");
  return new Error(
    `the hierarchy would hold a cycle ${when}: ${codes} (SUBSET_OF edges from ${sources}); nothing was loaded`,
  );
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
