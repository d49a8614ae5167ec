import { isValidAt } from "../../domain/dates.js";
import {
  type CodeNode,
  compareIds,
  edgeKey,
  type GraphEdge,
  versionAt,
} from "../../domain/graph.js";
import { Direction, Relation } from "../../domain/relationship.js";
import {
  type ClosureQuery,
  type SuccessorQuery,
  type TraversalItem,
  type TraversalPage,
} from "../graph-store.js";

/** An edge fetched for a walk, with the code at its far end. */
export interface WalkEdge {
  readonly edge: GraphEdge;
  /** The parent (ancestor walks) or the replacing code (successor walks). */
  readonly node: CodeNode;
}

/**
 * Groups fetched edges by the code they are walked from (`near`), each list in the order
 * the embedded store's adjacency lists have: by far-end id, parallel edges by key.
 */
export function adjacency(
  edges: Iterable<WalkEdge>,
  near: (edge: GraphEdge) => string,
): Map<string, WalkEdge[]> {
  const byNear = new Map<string, WalkEdge[]>();
  const seen = new Set<string>();
  for (const item of edges) {
    const key = edgeKey(item.edge);
    if (seen.has(key)) continue;
    seen.add(key);
    const id = near(item.edge);
    const list = byNear.get(id);
    if (list) list.push(item);
    else byNear.set(id, [item]);
  }
  for (const list of byNear.values()) {
    list.sort(
      (a, b) => compareIds(a.node.id, b.node.id) || compareIds(edgeKey(a.edge), edgeKey(b.edge)),
    );
  }
  return byNear;
}

/**
 * Ancestors nearest first, as the embedded store walks them: from the code, follow at each
 * step the first SUBSET_OF edge valid on the date (parents in id order), up to maxDepth.
 * `up` holds the candidate edges by child id; edges invalid on the date are skipped here
 * too, so a superset of candidates gives the same answer.
 */
export function walkAncestors(
  q: ClosureQuery,
  up: ReadonlyMap<string, readonly WalkEdge[]>,
): TraversalPage {
  const items: TraversalItem[] = [];
  let current = q.id;
  for (let depth = 1; depth <= q.maxDepth; depth++) {
    const step = (up.get(current) ?? []).find((e) => isValidAt(e.edge, q.asOf));
    if (!step) break;
    if (!q.billableOnly || versionAt(step.node, q.asOf)?.billable) {
      items.push({ node: step.node, edge: step.edge, depth, direction: Direction.OUT });
    }
    current = step.node.id;
  }
  return { totalCount: items.length, items: items.slice(q.offset, q.offset + q.limit) };
}

/**
 * Replacement chains followed forward, breadth first, until codes valid on the date,
 * nearest first; each code visited once, as in the embedded store. `replacedBy` holds the
 * candidate REPLACES edges by the id of the replaced (older) code. Replacements not in
 * force on the date are skipped here too, so a superset of candidates gives the same
 * answer. A starting code valid on the date has no successors: the statement returns no
 * candidates for it, as it alone reads the starting code.
 */
export function walkSuccessors(
  q: SuccessorQuery,
  replacedBy: ReadonlyMap<string, readonly WalkEdge[]>,
): TraversalPage {
  const items: TraversalItem[] = [];
  const visited = new Set([q.id]);
  let frontier = [q.id];
  for (let depth = 1; depth <= q.maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const { edge, node } of replacedBy.get(id) ?? []) {
        if (edge.relation !== Relation.REPLACES || edge.effective > q.asOf) continue;
        if (visited.has(node.id)) continue;
        visited.add(node.id);
        if (versionAt(node, q.asOf)) items.push({ node, edge, depth, direction: Direction.IN });
        else next.push(node.id);
      }
    }
    frontier = next;
  }
  return { totalCount: items.length, items };
}
