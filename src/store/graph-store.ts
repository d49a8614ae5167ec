import { type CodeSystemId } from "../domain/code-system.js";
import { type IsoDate } from "../domain/dates.js";
import {
  type CodeNode,
  type GraphEdge,
  type GraphRecords,
  type ReleaseInfo,
} from "../domain/graph.js";
import { type Direction, type Relation } from "../domain/relationship.js";

/**
 * The store port. Every read takes many keys and answers them in one round trip, in key
 * order (`null` or an empty page for a miss), so one GraphQL level costs one call
 * whatever its breadth. Adapters: `memory/` (embedded default) and `neo4j/`.
 */
export interface GraphStore {
  /** Short name for logs and health output (`memory`, `neo4j`). */
  readonly name: string;

  /** Nodes by id, in key order, `null` for an unknown id. */
  getCodes(ids: readonly string[]): Promise<(CodeNode | null)[]>;

  /** Edge walks: direct neighbours, hierarchy closures and successor chains. */
  traverse(queries: readonly TraversalQuery[]): Promise<TraversalPage[]>;

  /** Ranked search by code prefix and title words. */
  search(queries: readonly SearchQuery[]): Promise<SearchPage[]>;

  /** Number of codes per system (optionally valid on a date, billable only). */
  countCodes(queries: readonly CodeCountQuery[]): Promise<number[]>;

  /** Imported releases per system, oldest first. */
  listReleases(systems: readonly CodeSystemId[]): Promise<ReleaseInfo[][]>;

  /** All codes of one system, in code order, in chunks: for diffs and exports. */
  scanCodes(system: CodeSystemId, chunkSize?: number): AsyncIterable<CodeNode[]>;

  /**
   * Writes records in one all-or-nothing step: nodes are replaced by id, edges by
   * {@link edgeKey}, releases by system and version. Loading the same records twice
   * leaves the store as after the first time.
   */
  load(records: GraphRecords, options?: LoadOptions): Promise<LoadSummary>;

  /** Whether the store can answer now, and why not. */
  health(): Promise<StoreHealth>;

  /**
   * Builds what the first queries would otherwise build on demand (the embedded store's
   * search index and subtree counts), so the first search after a start is not slow.
   * Optional: a store with nothing to warm leaves it out.
   */
  warm?(): Promise<void>;

  close(): Promise<void>;
}

export interface Page<T> {
  /** Matches in all, before `offset` and `limit` applied. */
  readonly totalCount: number;
  readonly items: readonly T[];
}

interface QueryBase {
  readonly id: string;
  /** Edges and nodes are taken as they were on this date. */
  readonly asOf: IsoDate;
}

/**
 * Direct neighbours along one relation, through edges valid on `asOf`; for the relations
 * in DATED_NEIGHBOUR_RELATIONS (pairings, exclusions) only neighbours valid on `asOf`.
 * `kinds` and `systems` filter when given: an empty list matches nothing.
 */
export interface NeighborQuery extends QueryBase {
  readonly mode: "neighbors";
  readonly relation: Relation;
  readonly direction: Direction;
  /** Keep edges of these kinds only (PAIRED_WITH, EXCLUDES). */
  readonly kinds: readonly string[] | null;
  /** Keep neighbours of these systems only. */
  readonly systems: readonly CodeSystemId[] | null;
  /**
   * Also the notes the code takes from the codes above it on `asOf` (INHERITED_KINDS:
   * tabular instructions and exclusions), leaving them (direction OUT or BOTH). Listed
   * after the code's own outgoing edges, nearest bearer first; for PAIRED_WITH within
   * equal scores. Default false.
   */
  readonly inherited?: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** Ancestors (direction OUT) or descendants (IN) along SUBSET_OF. */
export interface ClosureQuery extends QueryBase {
  readonly mode: "closure";
  readonly direction: Direction.OUT | Direction.IN;
  readonly maxDepth: number;
  readonly billableOnly: boolean;
  readonly offset: number;
  readonly limit: number;
}

/**
 * Follows REPLACES backwards (old → new), through replacements in force on `asOf`
 * (`effective` ≤ `asOf`), until codes valid on `asOf`. Empty when the code itself is
 * valid on `asOf`.
 */
export interface SuccessorQuery extends QueryBase {
  readonly mode: "successors";
  readonly maxDepth: number;
}

export type TraversalQuery = NeighborQuery | ClosureQuery | SuccessorQuery;

export interface TraversalItem {
  readonly node: CodeNode;
  /** The edge that reached the node; for closures and successors, the last one. */
  readonly edge: GraphEdge | null;
  /**
   * Hops from the query's node. For an inherited note, one more than the levels up to
   * the code bearing it (the edge's `from`): E11.9's note from E11 has depth 2.
   */
  readonly depth: number;
  /** OUT when the edge leaves the query's node, IN when it arrives. */
  readonly direction: Direction.OUT | Direction.IN;
  /** For an inherited note, the code above that bears it (the edge's `from`). */
  readonly inheritedFrom?: CodeNode;
}

export type TraversalPage = Page<TraversalItem>;

export interface SearchQuery {
  readonly text: string;
  readonly systems: readonly CodeSystemId[] | null;
  readonly billableOnly: boolean;
  /** Only codes valid on this date; `null` searches every code ever held. */
  readonly asOf: IsoDate | null;
  readonly offset: number;
  readonly limit: number;
}

export enum SearchMatchKind {
  /** The text is the code itself. */
  CODE = "CODE",
  /** The text begins the code. */
  CODE_PREFIX = "CODE_PREFIX",
  /** The words are in the title. */
  TITLE = "TITLE",
  /** The words are in an inclusion term or other synonym. */
  SYNONYM = "SYNONYM",
}

export interface SearchHit {
  readonly node: CodeNode;
  /** Higher is better; comparable within one result list only. */
  readonly score: number;
  readonly matchedOn: SearchMatchKind;
  /** The title or synonym that matched, for TITLE and SYNONYM. */
  readonly matchedText: string | null;
}

export type SearchPage = Page<SearchHit>;

export interface CodeCountQuery {
  readonly system: CodeSystemId;
  /** Count codes valid on this date; `null` counts every code held. */
  readonly asOf: IsoDate | null;
  readonly billableOnly: boolean;
}

export interface LoadOptions {
  /** Called as records are written, for progress output. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface LoadSummary {
  readonly codesWritten: number;
  readonly edgesWritten: number;
  readonly releasesWritten: number;
}

export interface StoreHealth {
  readonly ready: boolean;
  /** Why not, when not ready. */
  readonly reason: string | null;
}

/** Raised by adapters when the backing database cannot be reached in time. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
