import { hierarchyDate } from "../domain/code-status.js";
import { type CodeSystemId } from "../domain/code-system.js";
import { type IsoDate } from "../domain/dates.js";
import { type GraphEdge } from "../domain/graph.js";
import { Direction, type Relation } from "../domain/relationship.js";
import {
  type ClosureQuery,
  type NeighborQuery,
  type SuccessorQuery,
  type TraversalItem,
} from "../store/graph-store.js";
import { EdgeDirection } from "./enums.js";
import { type PageWindow } from "./pagination.js";
import { type Code, toCode } from "./types/code.type.js";

/** Cap on lists that have no pagination (replacements, mappings, exclusions). */
export const UNPAGED_LIST_CAP = 1000;

const ALL: PageWindow = { offset: 0, limit: UNPAGED_LIST_CAP };

/** The date a code's edges are walked on: the code's own hierarchy date. */
function walkDate(code: Code): IsoDate {
  return hierarchyDate(code.node, code.asOf);
}

export function neighborQuery(
  code: Code,
  relation: Relation,
  direction: Direction,
  filters: {
    kinds?: readonly string[] | null;
    systems?: readonly CodeSystemId[] | null;
    inherited?: boolean;
  } = {},
  window: PageWindow = ALL,
): NeighborQuery {
  // Property order is fixed: the loader's cache key is the JSON of the query.
  return {
    mode: "neighbors",
    id: code.id,
    asOf: walkDate(code),
    relation,
    direction,
    // An empty filter list matches nothing, as a filter should; absent means all.
    kinds: filters.kinds ? [...filters.kinds].sort() : null,
    systems: filters.systems ? [...filters.systems].sort() : null,
    inherited: filters.inherited ?? false,
    offset: window.offset,
    limit: window.limit,
  };
}

/** A hierarchy walk from a code, on its own hierarchy date unless `asOf` is given. */
export function closureQuery(
  code: Code,
  direction: Direction.OUT | Direction.IN,
  maxDepth: number,
  billableOnly: boolean,
  window: PageWindow = ALL,
  asOf: IsoDate = walkDate(code),
): ClosureQuery {
  return {
    mode: "closure",
    id: code.id,
    asOf,
    direction,
    maxDepth,
    billableOnly,
    offset: window.offset,
    limit: window.limit,
  };
}

export function successorQuery(code: Code, maxDepth: number): SuccessorQuery {
  // Successors are wanted as of the date asked, not the code's own last day.
  return { mode: "successors", id: code.id, asOf: code.asOf, maxDepth };
}

/** The item's node, shown as of the same date as the code it was reached from. */
export function reached(item: TraversalItem, from: Code): Code {
  return toCode(item.node, from.asOf);
}

/** For a note the code takes from a code above it, that code, as of the same date. */
export function inheritedFrom(item: TraversalItem, from: Code): Code | null {
  return item.inheritedFrom ? toCode(item.inheritedFrom, from.asOf) : null;
}

export function edgeDirection(item: TraversalItem): EdgeDirection {
  return item.direction === Direction.OUT ? EdgeDirection.OUTGOING : EdgeDirection.INCOMING;
}

/** Narrows an item's edge to the relation the query asked for. */
export function edgeOf<R extends GraphEdge["relation"]>(
  item: TraversalItem,
  relation: R,
): Extract<GraphEdge, { relation: R }> {
  const edge = item.edge;
  if (!edge || edge.relation !== relation)
    throw new Error(`expected a ${relation} edge, found ${edge?.relation}`);
  return edge as Extract<GraphEdge, { relation: R }>;
}
