import { type CodeSystemId } from "../domain/code-system.js";
import { type IsoDate } from "../domain/dates.js";
import { type CodeNode, type CodeVersion, type ReleaseInfo, versionAt } from "../domain/graph.js";
import { type GraphStore } from "../store/graph-store.js";

/** How a code differs between two releases. */
export enum CodeChangeStatus {
  /** Not valid in the first release, valid in the second. */
  ADDED = "ADDED",
  /** Valid in the first release, not in the second. */
  DELETED = "DELETED",
  /** Valid in both, with a different title, short title or billable flag. */
  REVISED = "REVISED",
}

/** What a revision changed. */
export enum CodeChangeField {
  TITLE = "TITLE",
  SHORT_TITLE = "SHORT_TITLE",
  BILLABLE = "BILLABLE",
}

/** A code's state in one release. */
export interface CodeState {
  readonly title: string;
  readonly shortTitle: string | null;
  readonly billable: boolean;
}

export interface CodeChange {
  readonly id: string;
  readonly code: string;
  readonly status: CodeChangeStatus;
  /** The state in the first release; null for an addition. */
  readonly before: CodeState | null;
  /** The state in the second release; null for a deletion. */
  readonly after: CodeState | null;
  /** For a revision, what changed; empty otherwise. */
  readonly changes: readonly CodeChangeField[];
}

export interface CodeChanges {
  readonly added: readonly CodeChange[];
  readonly deleted: readonly CodeChange[];
  readonly revised: readonly CodeChange[];
}

export interface ReleaseDiff extends CodeChanges {
  readonly system: CodeSystemId;
  readonly from: ReleaseInfo;
  readonly to: ReleaseInfo;
}

export interface ReleaseDiffQuery {
  readonly system: CodeSystemId;
  /** Release labels, as `listReleases` gives them (FY2025, FY2026). */
  readonly from: string;
  readonly to: string;
}

/** A release label the graph does not hold for the system. */
export class UnknownReleaseError extends Error {
  override readonly name = "UnknownReleaseError";

  constructor(
    readonly system: CodeSystemId,
    readonly version: string,
    readonly held: readonly string[],
  ) {
    super(
      `${system} has no release ${JSON.stringify(version)} in the graph; held: ${held.length > 0 ? held.join(", ") : "none"}`,
    );
  }
}

/** A diff asked from a newer release to an older one: its added would be deletions. */
export class ReversedReleasesError extends Error {
  override readonly name = "ReversedReleasesError";

  constructor(
    readonly system: CodeSystemId,
    readonly from: ReleaseInfo,
    readonly to: ReleaseInfo,
  ) {
    super(
      `${system} ${from.version} (effective ${from.effective}) is newer than ${to.version} (effective ${to.effective}): give the earlier release as from, the later as to`,
    );
  }
}

/**
 * The codes that differ between the states on two dates, in code order. A code counts
 * as in a release when it has a version in force on the release's effective date, so
 * the comparison holds for any pair of releases, adjacent or not, and for codes whose
 * first version has no known start (the first release imported).
 */
export function diffCodes(nodes: Iterable<CodeNode>, from: IsoDate, to: IsoDate): CodeChanges {
  const added: CodeChange[] = [];
  const deleted: CodeChange[] = [];
  const revised: CodeChange[] = [];
  for (const node of nodes) {
    const before = versionAt(node, from);
    const after = versionAt(node, to);
    if (!before && !after) continue;
    const base = { id: node.id, code: node.code };
    if (!before) {
      added.push({
        ...base,
        status: CodeChangeStatus.ADDED,
        before: null,
        after: state(after!),
        changes: [],
      });
    } else if (!after) {
      deleted.push({
        ...base,
        status: CodeChangeStatus.DELETED,
        before: state(before),
        after: null,
        changes: [],
      });
    } else {
      const changes: CodeChangeField[] = [];
      if (before.title !== after.title) changes.push(CodeChangeField.TITLE);
      if (before.shortTitle !== after.shortTitle) changes.push(CodeChangeField.SHORT_TITLE);
      if (before.billable !== after.billable) changes.push(CodeChangeField.BILLABLE);
      if (changes.length > 0) {
        revised.push({
          ...base,
          status: CodeChangeStatus.REVISED,
          before: state(before),
          after: state(after),
          changes,
        });
      }
    }
  }
  const byId = (a: CodeChange, b: CodeChange) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { added: added.sort(byId), deleted: deleted.sort(byId), revised: revised.sort(byId) };
}

function state(v: CodeVersion): CodeState {
  return { title: v.title, shortTitle: v.shortTitle, billable: v.billable };
}

/**
 * Diffs between held releases, reading each system's releases and codes once however
 * many diffs ask for it: the batch function of the GraphQL loader and what
 * `codegraph diff` runs. A label the graph lacks gives an UnknownReleaseError in that
 * query's place, as DataLoader expects, and a `from` newer than `to` a
 * ReversedReleasesError.
 */
export async function computeReleaseDiffs(
  store: GraphStore,
  queries: readonly ReleaseDiffQuery[],
): Promise<(ReleaseDiff | UnknownReleaseError | ReversedReleasesError)[]> {
  const systems = [...new Set(queries.map((q) => q.system))];
  const releases = await store.listReleases(systems);
  const releasesOf = new Map(systems.map((s, i) => [s, releases[i]!]));
  const find = (system: CodeSystemId, version: string): ReleaseInfo | UnknownReleaseError => {
    const held = releasesOf.get(system)!;
    return (
      held.find((r) => r.version === version) ??
      new UnknownReleaseError(
        system,
        version,
        held.map((r) => r.version),
      )
    );
  };
  const resolved = queries.map((query) => {
    const from = find(query.system, query.from);
    const to = find(query.system, query.to);
    // Reversed releases would silently swap additions and deletions.
    const reversed =
      !(from instanceof Error) && !(to instanceof Error) && from.effective > to.effective
        ? new ReversedReleasesError(query.system, from, to)
        : undefined;
    return { query, from: reversed ?? from, to };
  });
  // Scan only the systems some valid query needs.
  const nodesOf = new Map<CodeSystemId, CodeNode[]>();
  for (const { query, from, to } of resolved) {
    if (from instanceof Error || to instanceof Error || nodesOf.has(query.system)) continue;
    const nodes: CodeNode[] = [];
    for await (const chunk of store.scanCodes(query.system)) nodes.push(...chunk);
    nodesOf.set(query.system, nodes);
  }
  return resolved.map(({ query, from, to }) => {
    if (from instanceof Error) return from;
    if (to instanceof Error) return to;
    return {
      system: query.system,
      from,
      to,
      ...diffCodes(nodesOf.get(query.system)!, from.effective, to.effective),
    };
  });
}

/** One diff; throws UnknownReleaseError for a label the graph lacks, ReversedReleasesError for reversed releases. */
export async function computeReleaseDiff(
  store: GraphStore,
  query: ReleaseDiffQuery,
): Promise<ReleaseDiff> {
  const [result] = await computeReleaseDiffs(store, [query]);
  if (result instanceof Error) throw result;
  return result!;
}
