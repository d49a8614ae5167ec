import { basename } from "node:path";
import { createHash } from "node:crypto";
import { codeId, grammarOf } from "../domain/code-grammar.js";
import { CodeLevel } from "../domain/code-kind.js";
import { CodeStatus, statusAt } from "../domain/code-status.js";
import { CodeSystemId, codeSystemInfo, isCodeSystemId } from "../domain/code-system.js";
import { addDays, fiscalYearOf, fiscalYearStart, type IsoDate } from "../domain/dates.js";
import {
  type CodeNode,
  type CodeVersion,
  edgeKey,
  type GraphEdge,
  type GraphRecords,
  latestVersion,
  nodeValidity,
  type ReleaseInfo,
} from "../domain/graph.js";
import { Relation } from "../domain/relationship.js";
import { codeKey } from "../domain/text.js";
import {
  BLOCK_CATEGORIES_ATTRIBUTE,
  type CodeAnnotation,
  type EdgeScope,
  type FormatId,
  inFamily,
  type ParsedFile,
  type ReleaseCode,
  type ReleaseEdge,
  scopeSource,
  type SnapshotRelease,
  type UnresolvedReference,
  versionInSource,
} from "./records.js";
import { SourceFileError } from "./source-file-error.js";
import { UnresolvedTally } from "./unresolved-tally.js";

/**
 * The merge: parsed release files in, versioned nodes and edges out, against what the
 * graph already holds. No I/O: `apply-imports` reads the held part of the graph through
 * the store port, runs the merge, and writes its records in one `load`.
 *
 * How time works:
 * - A snapshot (a full release of a system) opens a version for each code new to the
 *   graph on the release's effective date, except in the first release imported for the
 *   system, where the code's real start is unknown: there `validFrom` stays null.
 * - A code whose title, short title or billable flag differs from its open version gets
 *   that version closed the day before `effective` and a new one opened: history is kept.
 * - Codes the snapshot speaks for (`covers`) that it no longer lists are retired: their
 *   open version (and their hierarchy edge) closes the day before `effective`.
 * - A frozen system (ICD-9-CM) never runs past its last day: open ends become `endedOn`.
 * - A scoped supplement (the tabular list, a claims extract: see `EdgeScope`) is a
 *   snapshot of its family of edges (and, for the tabular, of chapters and blocks): what
 *   it states again is kept, what is new opens on its effective date, what it no longer
 *   states closes the day before.
 * - Other supplements (GEMs, conversion tables) add edges and annotations without
 *   retiring anything, and re-running one changes nothing. A conversion table's first
 *   days fill unknown starts, and an ICD-10-CM header whose children all came after it
 *   gets its billable past back (`splitFormerLeaves`).
 * - A REPLACES edge is a succession: kept only when the old code was reportable the day
 *   before the new one takes over and is not from then on (deleted, or turned into a
 *   header as A04.7 did when A04.71 and A04.72 came); a block or chapter never is.
 *   Otherwise the new code records it as `previouslyCodedAs`.
 * - After the files, `finish()` places categories left without a parent (blocks that
 *   came with a later file of the run) and reports those no block holds.
 */

/** The part of the graph a merge needs: nodes of the systems involved, the relevant edges, all releases. */
export interface HeldGraph {
  readonly nodes: ReadonlyMap<string, CodeNode>;
  /**
   * Edges by {@link edgeKey}: at least the open SUBSET_OF edges leaving held nodes of the
   * systems involved (and those closed on a retired node's last day), held edges with the
   * keys the files state, and the open edges of every family a scoped file restates.
   */
  readonly edges: ReadonlyMap<string, GraphEdge>;
  readonly releases: readonly ReleaseInfo[];
}

/** What happened to one file. */
export interface FileOutcome {
  readonly file: string;
  readonly format: FormatId;
  readonly rows: number;
  /** `already-imported`: the same release file was imported before; nothing was done. */
  readonly status: "merged" | "already-imported";
  readonly release: {
    readonly system: CodeSystemId;
    readonly version: string;
    readonly effective: IsoDate;
  } | null;
  /** The parser's unresolved references and the merge's (edge ends and annotated codes not in the graph). */
  readonly unresolved: readonly UnresolvedReference[];
}

/** Counts per system over one import run. */
export interface SystemSummary {
  readonly system: CodeSystemId;
  /** Codes new to the graph (or valid again after a deletion). */
  added: number;
  /** Codes whose title, short title or billable flag was revised: a new version each. */
  changed: number;
  /** Codes a release no longer lists: their open version closed. */
  retired: number;
  /** Codes a release lists as they were. */
  unchanged: number;
  /** Codes given synonyms, attributes or no-map flags by a supplement. */
  annotated: number;
  /** Edges leaving the system's codes, new or restated with new content. */
  edgesAdded: number;
  /** Hierarchy edges closed by a release (a retired code, a new parent). */
  edgesClosed: number;
}

/** A release that must not be imported: out of order, or another file under a held version. */
export class ImportRefusedError extends Error {
  override readonly name = "ImportRefusedError";
}

export interface MergeOptions {
  /**
   * Let a release retire more than {@link MASS_RETIREMENT_SHARE} of the codes its system
   * holds (`--allow-mass-retirement`): a release meant to do so, not a file cut short.
   */
  readonly allowMassRetirement?: boolean;
}

/**
 * The share of a system's held codes beyond which a release's retirements are refused
 * unless allowed. Real releases retire a few hundred codes at most (ICD-10-CM FY2025 →
 * FY2026: 12 of 97,584, 0.012%); an order file cut at a line break (`head -n 50000`)
 * would retire half of the system.
 */
export const MASS_RETIREMENT_SHARE = 0.05;
/** Fewer retirements than this are never refused: a share of a small graph tells nothing. */
export const MASS_RETIREMENT_MIN = 100;

/** Reasons the merge reports under, besides the parsers' own. */
export const MergeUnresolved = {
  SOURCE_MISSING: "source not in the graph",
  TARGET_MISSING: "target not in the graph",
  CODE_MISSING: "code not in the graph",
  PARENT_MISSING: "parent not in the graph",
  NOT_A_SUCCESSION: "previous code stays reportable: not a succession",
  NOT_REPORTABLE_BEFORE:
    "previous code not reportable the day before (a header, block or deleted code): not a succession",
  ADDED_ON_DIFFERS: "first day stated differs from the one the releases give (kept theirs)",
  ADDED_ON_AFTER_END: "first day stated is after the code's first version ended (not used)",
  NO_BLOCK: "category in no block (placed under its chapter)",
  NO_PARENT: "category in no block or chapter (no parent)",
} as const;

/** The attribute a new code keeps the codes a conversion table says it was coded as before. */
export const PREVIOUSLY_CODED_AS = "previouslyCodedAs";

/** A date after every real one: what is open on it is open. */
const FAR_FUTURE: IsoDate = "9999-12-31";

/** The day before a release's effective date: the last day of what it ends. */
const dayBefore = (date: IsoDate) => addDays(date, -1);

/**
 * Snapshots first, per system oldest release first; then supplements in the given
 * order, so a GEM resolves against ICD-9-CM titles imported in the same run.
 */
export function orderForMerge(files: readonly ParsedFile[]): ParsedFile[] {
  const snapshots = files
    .filter((f) => f.snapshot !== null)
    .sort((a, b) => {
      const sa = a.snapshot!;
      const sb = b.snapshot!;
      // A total order: (system, effective). Returning 0 across systems made the
      // comparator inconsistent, and the sort could put FY2023 after FY2025.
      return compare(sa.system, sb.system) || compare(sa.effective, sb.effective);
    });
  return [...snapshots, ...files.filter((f) => f.snapshot === null)];
}

// ── Release parts ──────────────────────────────────────────────────────────────────
// A release of a system may come in several files of different formats (ICD-9-CM v32:
// diagnosis titles and procedure titles). The store keeps one ReleaseInfo per system and
// version, so its `source` lists the parts, each with its format and SHA-256, which is
// how a re-import of one part is recognised: `FILE [FORMAT sha256:HEX]; FILE [...]`.

export interface ReleasePart {
  readonly file: string;
  readonly format: string;
  readonly sha256: string;
}

/** The end of one part: ` [FORMAT sha256:HEX]`; the file name is what comes before it. */
const PART_TAIL = / \[([a-z0-9-]+) sha256:([0-9a-f]{64})\]/g;

/**
 * The parts a release lists. File names are read as whatever stands between two part
 * tails (after the "; " that joins parts), so that a name holding `;`, `[` or `]` is
 * read whole: a pattern excluding those characters cut such names and lost the part.
 */
export function releaseParts(info: Pick<ReleaseInfo, "source" | "sha256">): ReleasePart[] {
  const parts: ReleasePart[] = [];
  let at = 0;
  for (const m of info.source.matchAll(PART_TAIL)) {
    const file = info.source.slice(at, m.index).replace(/^; /, "");
    parts.push({ file, format: m[1]!, sha256: m[2]! });
    at = m.index + m[0].length;
  }
  // A release written by other means (the seed): one part of unknown format.
  return parts.length > 0 ? parts : [{ file: info.source, format: "", sha256: info.sha256 }];
}

function releaseInfoOf(
  snapshot: SnapshotRelease,
  parts: readonly ReleasePart[],
  importedAt: string,
  codeCount: number,
): ReleaseInfo {
  const sorted = [...parts].sort((a, b) => compare(a.format, b.format));
  const sha256 =
    sorted.length === 1
      ? sorted[0]!.sha256
      : createHash("sha256")
          .update(sorted.map((p) => p.sha256).join("\n"))
          .digest("hex");
  return {
    system: snapshot.system,
    version: snapshot.version,
    effective: snapshot.effective,
    source: sorted.map((p) => `${p.file} [${p.format} sha256:${p.sha256}]`).join("; "),
    importedAt,
    sha256,
    codeCount,
  };
}

// ── The merge ──────────────────────────────────────────────────────────────────────

/**
 * Merges parsed files one after another into a working copy of the held graph; each file
 * sees what the files before it did. `records()` gives what changed, for one `load`.
 */
export class ReleaseMerge {
  private readonly nodes: Map<string, CodeNode>;
  private readonly edges: Map<string, GraphEdge>;
  /** Open SUBSET_OF edge keys by child id. */
  private readonly parentKeys = new Map<string, string[]>();
  /** Closed SUBSET_OF edge keys held, by child id: a new edge must not overlap them. */
  private readonly closedParentKeys = new Map<string, string[]>();
  private readonly releases: Map<string, ReleaseInfo>;
  private readonly changedNodes = new Set<string>();
  private readonly changedEdges = new Set<string>();
  private readonly changedReleases = new Set<string>();
  private readonly summaries = new Map<CodeSystemId, SystemSummary>();
  /**
   * Systems whose hierarchy a file of the run changed, with the source the last such
   * file gives its edges: `finish()` places their parentless categories under it.
   */
  private readonly hierarchySources = new Map<CodeSystemId, string>();

  constructor(
    held: HeldGraph,
    private readonly importedAt: string = new Date().toISOString(),
    private readonly options: MergeOptions = {},
  ) {
    this.nodes = new Map(held.nodes);
    this.edges = new Map(held.edges);
    for (const [key, edge] of this.edges)
      if (edge.relation === Relation.SUBSET_OF) this.indexHierarchyEdge(edge, key);
    this.releases = new Map(held.releases.map((r) => [releaseKey(r.system, r.version), r]));
  }

  /** Merges one parsed file; throws ImportRefusedError for a release out of order. */
  merge(parsed: ParsedFile): FileOutcome {
    const unresolved = new UnresolvedTally(parsed.unresolved);
    const snapshot = parsed.snapshot;
    const release = snapshot
      ? { system: snapshot.system, version: snapshot.version, effective: snapshot.effective }
      : null;
    if (snapshot) {
      const parts = this.releasePartsFor(parsed, snapshot);
      if (parts === "already-imported") {
        return {
          file: parsed.file,
          format: parsed.format,
          rows: parsed.rows,
          status: "already-imported",
          release,
          unresolved: [],
        };
      }
      this.mergeSnapshot(parsed, snapshot, unresolved);
      const codeCount =
        parts.length > 1
          ? (this.releases.get(releaseKey(snapshot.system, snapshot.version))?.codeCount ?? 0)
          : 0;
      // The file's own codes: sections and body systems made up from them are not counted.
      const own = parsed.codes.filter((c) => c.derived !== true).length;
      const info = releaseInfoOf(snapshot, parts, this.importedAt, codeCount + own);
      const key = releaseKey(info.system, info.version);
      this.releases.set(key, info);
      this.changedReleases.add(key);
      this.hierarchySources.set(snapshot.system, basename(parsed.file));
      this.mergeStatedEdges(parsed, unresolved);
      this.mergeAnnotations(parsed.annotations, unresolved);
    } else if (parsed.scope) {
      this.mergeScoped(parsed, parsed.scope, unresolved);
      this.mergeAnnotations(parsed.annotations, unresolved);
    } else {
      this.mergeSupplementCodes(parsed, unresolved);
      // First days, and the leaf history they reveal, before successions: whether a
      // previous code was reportable the day before a new one took over depends on them.
      this.mergeAnnotations(parsed.annotations, unresolved);
      this.splitFormerLeaves(parsed);
      this.mergeStatedEdges(parsed, unresolved);
    }
    return {
      file: parsed.file,
      format: parsed.format,
      rows: parsed.rows,
      status: "merged",
      release,
      unresolved: unresolved.list(),
    };
  }

  /**
   * Once every file is merged: places the categories of the systems whose hierarchy the
   * run changed that are valid and have no parent (a block came with a later file of the
   * run than the release that listed them; a tabular no longer lists them), and reports
   * every such category that no block holds. Returns the report; call it once, before
   * `records()`.
   */
  finish(): UnresolvedReference[] {
    const report = new UnresolvedTally();
    for (const [system, source] of this.hierarchySources) {
      const endedOn = codeSystemInfo(system).endedOn;
      const usable = (node: CodeNode) => isOpen(latestVersion(node), FAR_FUTURE, endedOn);
      const placement = this.placement(system, usable);
      if (placement.blocks.length === 0 && placement.listed.size === 0) continue;
      // In code order, so that the report's examples are the same whatever the load order.
      const categories = [...this.nodes.values()]
        .filter((n) => n.system === system && n.level === CodeLevel.CATEGORY && usable(n))
        .sort((a, b) => compare(a.id, b.id));
      for (const node of categories) {
        let parentId = this.openParentOf(node.id);
        if (parentId === null) {
          parentId = derivedParent(
            node,
            (id) => {
              const n = this.nodes.get(id);
              return n !== undefined && usable(n);
            },
            placement,
            (id) => this.heldBlockParent(id, (p) => usable(this.nodes.get(p)!)),
          );
          // Not under the last file's own source: a tabular's family is what the tabular
          // states, and a parent derived from ranges is not that.
          if (parentId !== null)
            this.openDerivedParent(node, parentId, `block ranges, after ${source}`);
        }
        const level = parentId === null ? undefined : this.nodes.get(parentId)?.level;
        if (level === CodeLevel.BLOCK) continue;
        report.add(
          level === CodeLevel.CHAPTER ? MergeUnresolved.NO_BLOCK : MergeUnresolved.NO_PARENT,
          node.code,
        );
      }
    }
    return report.list();
  }

  /** What the merged files changed: nodes and edges to write, releases to record. */
  records(): GraphRecords {
    return {
      codes: [...this.changedNodes].map((id) => this.nodes.get(id)!),
      edges: [...this.changedEdges].map((key) => this.edges.get(key)!),
      releases: [...this.changedReleases].map((key) => this.releases.get(key)!),
    };
  }

  /** Counts per system, in system order; systems the files left exactly as they were are left out. */
  summary(): SystemSummary[] {
    return [...this.summaries.values()]
      .filter(
        (s) =>
          s.added +
            s.changed +
            s.retired +
            s.unchanged +
            s.annotated +
            s.edgesAdded +
            s.edgesClosed >
          0,
      )
      .sort((a, b) => compare(a.system, b.system));
  }

  // ── Releases ──

  /**
   * The parts the release will list once this file is merged, or "already-imported".
   * Refuses a release older than (or as old as) the newest the system holds, and a
   * different file under a version already held in the same format.
   */
  private releasePartsFor(
    parsed: ParsedFile,
    snapshot: SnapshotRelease,
  ): ReleasePart[] | "already-imported" {
    const { system, version, effective } = snapshot;
    const part: ReleasePart = {
      file: basename(parsed.file),
      format: parsed.format,
      sha256: parsed.sha256,
    };
    const same = this.releases.get(releaseKey(system, version));
    if (same) {
      const parts = releaseParts(same);
      const held = parts.find((p) => p.format === parsed.format || p.format === "");
      if (held?.sha256 === parsed.sha256) return "already-imported";
      if (held) {
        throw new ImportRefusedError(
          `${parsed.file}: ${system} ${version} is already imported from another file (${held.file}, sha256 ${held.sha256.slice(0, 12)}…); a release is not re-imported from a different file`,
        );
      }
      if (same.effective !== effective) {
        throw new ImportRefusedError(
          `${parsed.file}: ${system} ${version} is held as effective ${same.effective}, not ${effective}`,
        );
      }
      const newest = this.newestRelease(system);
      if (newest && newest.version !== version) {
        throw new ImportRefusedError(
          `${parsed.file}: ${system} ${version} is older than ${newest.version}, already imported; import releases oldest first`,
        );
      }
      return [...parts, part];
    }
    const newest = this.newestRelease(system);
    if (newest && effective <= newest.effective) {
      throw new ImportRefusedError(
        `${parsed.file}: ${system} ${version} (effective ${effective}) is not newer than ${newest.version} (effective ${newest.effective}), already imported; import releases oldest first`,
      );
    }
    return [part];
  }

  private newestRelease(system: CodeSystemId): ReleaseInfo | undefined {
    let newest: ReleaseInfo | undefined;
    for (const r of this.releases.values()) {
      if (r.system === system && (!newest || r.effective > newest.effective)) newest = r;
    }
    return newest;
  }

  /** Whether no release of the system other than `version` is held: then code starts are unknown. */
  private isFirstRelease(system: CodeSystemId, version: string): boolean {
    for (const r of this.releases.values())
      if (r.system === system && r.version !== version) return false;
    return true;
  }

  // ── Snapshots ──

  private mergeSnapshot(
    parsed: ParsedFile,
    snapshot: SnapshotRelease,
    unresolved: UnresolvedTally,
  ): void {
    const { system, effective } = snapshot;
    const endedOn = codeSystemInfo(system).endedOn;
    if (endedOn !== null && effective > endedOn) {
      throw new ImportRefusedError(
        `${parsed.file}: ${system} ended on ${endedOn}; a release effective ${effective} cannot be one of it`,
      );
    }
    const start = this.isFirstRelease(system, snapshot.version) ? null : effective;
    const closeOn = dayBefore(effective);
    const summary = this.summaryOf(system);
    const file = basename(parsed.file);

    // The codes of the system the release speaks for that are in force until it.
    let held = 0;
    for (const node of this.nodes.values()) {
      if (node.system !== system || !snapshot.covers(node)) continue;
      if (isOpen(latestVersion(node), effective, endedOn)) held++;
    }

    const listed = new Map<string, ReleaseCode>();
    for (const rc of parsed.codes) {
      if (rc.system !== system) {
        throw new SourceFileError(
          file,
          rc.line,
          `${rc.id} is not a ${system} code, yet the file is a ${system} release`,
        );
      }
      if (listed.has(rc.id)) throw new SourceFileError(file, rc.line, `${rc.id} is listed twice`);
      listed.set(rc.id, rc);
    }

    // Each listed code's hierarchy edge spans what the code spans from this release on.
    const edgeSpans = new Map<string, { from: IsoDate | null; to: IsoDate | null }>();
    for (const rc of listed.values()) {
      const held = this.nodes.get(rc.id);
      const revised = held
        ? reviseNode(held, rc, effective, endedOn)
        : {
            node: newNode(rc, rc.validFrom !== undefined ? rc.validFrom : start, endedOn),
            change: "added" as const,
          };
      const node = withStatedEnd(revised.node, rc.validTo);
      const change =
        revised.change === "unchanged" && node !== revised.node ? "changed" : revised.change;
      summary[change]++;
      this.putNode(node, held);
      const span = nodeValidity(node);
      edgeSpans.set(rc.id, { from: held ? start : span.validFrom, to: span.validTo });
    }

    const retired: string[] = [];
    for (const node of this.nodes.values()) {
      if (node.system !== system || listed.has(node.id) || !snapshot.covers(node)) continue;
      const last = latestVersion(node);
      if (!isOpen(last, effective, endedOn)) continue;
      // A version that began on or after the effective date cannot close before it.
      if (last.validFrom !== null && last.validFrom > closeOn) continue;
      retired.push(node.id);
      const versions = [...node.versions.slice(0, -1), { ...last, validTo: closeOn }];
      this.putNode({ ...node, versions }, node);
    }
    summary.retired += retired.length;
    if (
      !this.options.allowMassRetirement &&
      retired.length >= MASS_RETIREMENT_MIN &&
      retired.length > held * MASS_RETIREMENT_SHARE
    ) {
      const n = (x: number) => x.toLocaleString("en-US");
      throw new ImportRefusedError(
        `${parsed.file}: ${system} ${snapshot.version} would retire ${n(retired.length)} of the ${n(held)} ${system} codes the graph holds (${((100 * retired.length) / held).toFixed(1)}%); a release retires a few hundred at most (ICD-10-CM FY2026: 12 of 97,584), so is the file cut short? If the release does retire them, import it again with --allow-mass-retirement`,
      );
    }

    // The release's hierarchy: parents stated (a parent field or a SUBSET_OF edge) or derived.
    const stated = new Map<string, string | null>();
    for (const rc of listed.values()) if (rc.parent !== undefined) stated.set(rc.id, rc.parent);
    for (const edge of parsed.edges) {
      if (edge.relation === Relation.SUBSET_OF && listed.has(edge.from))
        stated.set(edge.from, edge.to);
    }
    const parentCandidate = (id: string) => {
      if (listed.has(id)) return true;
      const node = this.nodes.get(id);
      return (
        node !== undefined &&
        !snapshot.covers(node) &&
        isOpen(latestVersion(node), effective, endedOn)
      );
    };
    const placement = this.placement(system, (n) => parentCandidate(n.id));
    for (const rc of listed.values()) {
      let parent = stated.has(rc.id)
        ? stated.get(rc.id)!
        : derivedParent(rc, parentCandidate, placement, (id) =>
            this.heldBlockParent(id, parentCandidate),
          );
      if (parent !== null && !this.nodes.has(parent)) {
        unresolved.add(MergeUnresolved.PARENT_MISSING, `${rc.id} → ${parent}`, rc.line);
        parent = null;
      }
      const span = edgeSpans.get(rc.id)!;
      this.setParent(rc.id, parent, span.from, span.to, closeOn, file, summary);
    }
    for (const id of retired) this.setParent(id, null, start, endedOn, closeOn, file, summary);
  }

  /**
   * Makes `parent` the child's one open parent: other open SUBSET_OF edges close the day
   * before the release, a missing edge opens over `validFrom`–`validTo`, and a kept edge
   * ends when the child now ends (a termination the file states).
   */
  private setParent(
    child: string,
    parent: string | null,
    validFrom: IsoDate | null,
    validTo: IsoDate | null,
    closeOn: IsoDate,
    source: string,
    summary: SystemSummary,
  ): void {
    let kept = false;
    for (const key of [...(this.parentKeys.get(child) ?? [])]) {
      const edge = this.edges.get(key)!;
      if (edge.to === parent) {
        kept = true;
        if (edge.validTo !== validTo) this.putEdge({ ...edge, validTo });
        continue;
      }
      this.endEdge(key, closeOn, summary);
    }
    if (parent === null || kept) return;
    this.putEdge({
      relation: Relation.SUBSET_OF,
      from: child,
      to: parent,
      source,
      validFrom,
      validTo,
    });
    summary.edgesAdded++;
  }

  /**
   * Where a system's categories may go: the categories each usable block lists as the
   * tabular places them (its `categories` attribute), and the usable blocks and chapters
   * whose id spells a range, narrowest first.
   */
  private placement(system: CodeSystemId, usable: (node: CodeNode) => boolean): Placement {
    const grammar = grammarOf(system);
    const listed = new Map<string, string>();
    const blocks: CodeRange[] = [];
    const chapters: CodeRange[] = [];
    for (const node of this.nodes.values()) {
      if (node.system !== system) continue;
      if (node.level !== CodeLevel.BLOCK && node.level !== CodeLevel.CHAPTER) continue;
      if (!usable(node)) continue;
      const categories = node.attributes[BLOCK_CATEGORIES_ATTRIBUTE];
      if (node.level === CodeLevel.BLOCK && categories) {
        for (const code of categories.split(",")) listed.set(codeId(system, code), node.id);
      }
      const dash = node.code.indexOf("-");
      if (dash < 0 || grammar.read(node.code).length === 0) continue;
      const range = {
        id: node.id,
        first: node.code.slice(0, dash),
        last: node.code.slice(dash + 1),
      };
      (node.level === CodeLevel.BLOCK ? blocks : chapters).push(range);
    }
    const narrowestFirst = (a: CodeRange, b: CodeRange) =>
      compare(b.first, a.first) || compare(a.last, b.last);
    return { listed, blocks: blocks.sort(narrowestFirst), chapters: chapters.sort(narrowestFirst) };
  }

  /** The target of the child's open hierarchy edge, or null. */
  private openParentOf(child: string): string | null {
    const key = this.parentKeys.get(child)?.[0];
    return key === undefined ? null : this.edges.get(key)!.to;
  }

  /**
   * The first day a new hierarchy edge of `node` can start without overlapping its past:
   * the start of the node's current run of versions, and no earlier than the day after
   * any hierarchy edge of it that ended. Null when both are unknown.
   */
  private freeStart(node: CodeNode): IsoDate | null {
    let start = episodeStart(node);
    for (const key of this.closedParentKeys.get(node.id) ?? []) {
      const edge = this.edges.get(key)!;
      if (edge.validTo === null) continue;
      const after = addDays(edge.validTo, 1);
      if (start === null || after > start) start = after;
    }
    return start;
  }

  /** A parent derived for a category that had none, from what it can start on to its end. */
  private openDerivedParent(node: CodeNode, parent: string, source: string): void {
    let validFrom = this.freeStart(node);
    const parentStart = episodeStart(this.nodes.get(parent)!);
    if (parentStart !== null && (validFrom === null || parentStart > validFrom))
      validFrom = parentStart;
    this.openHierarchyEdge(node, parent, source, validFrom);
  }

  // ── Scoped supplements: snapshots of an edge family ──

  /**
   * A file that restates a family of edges (and maybe nodes) in full, against what the
   * graph holds of the family: see `EdgeScope` in records.ts.
   */
  private mergeScoped(parsed: ParsedFile, scope: EdgeScope, unresolved: UnresolvedTally): void {
    const file = basename(parsed.file);
    const source = scopeSource(scope);
    const relations = new Set(scope.relations);
    if (/\s/.test(scope.version) || scope.version === "")
      throw new Error(
        `${file}: a snapshot version has no spaces, got ${JSON.stringify(scope.version)}`,
      );
    for (const e of parsed.edges) {
      if (e.source !== source || !relations.has(e.relation)) {
        throw new Error(
          `${file}:${e.line}: a ${scope.family} snapshot states ${[...relations].join(", ")} edges with source "${source}", not ${e.relation} from "${e.source}"`,
        );
      }
    }
    if (parsed.codes.length > 0 && !scope.covers)
      throw new Error(`${file}: a snapshot of edges only cannot state nodes`);

    // What the graph holds of the family: its open edges by what they state, its newest
    // version and the latest date any of its edges or nodes starts or ends on.
    const held = new Map<string, string>();
    const versions = new Set<string>();
    let newestVersion: string | undefined;
    let newestDate: IsoDate | undefined;
    const seeDate = (date: IsoDate | null, after = false) => {
      if (date === null) return;
      const day = after ? addDays(date, 1) : date;
      if (newestDate === undefined || day > newestDate) newestDate = day;
    };
    for (const [key, edge] of this.edges) {
      if (!relations.has(edge.relation) || !inFamily(edge.source, scope.family)) continue;
      const version = versionInSource(edge.source, scope.family);
      versions.add(version);
      if (newestVersion === undefined || version > newestVersion) newestVersion = version;
      seeDate(edge.validFrom);
      seeDate(edge.validTo, true);
      if (this.edgeIsOpen(edge)) held.set(statementKey(edge), key);
    }
    const covered = scope.covers ? [...this.nodes.values()].filter(scope.covers) : [];
    for (const node of covered) {
      for (const v of node.versions) {
        seeDate(v.validFrom);
        seeDate(v.validTo, true);
      }
    }
    if (
      (newestVersion !== undefined && scope.version < newestVersion) ||
      (newestDate !== undefined && scope.effective < newestDate)
    ) {
      throw new ImportRefusedError(
        `${parsed.file}: ${source} (effective ${scope.effective}) is older than what the graph holds of ${scope.family} (${newestVersion ?? "a snapshot"}${newestDate !== undefined ? `, dated up to ${newestDate}` : ""}); import its snapshots oldest first`,
      );
    }
    // The first snapshot of a family, like the first release of a system, cannot tell
    // when what it states began: those starts stay unknown. Imported again (the tabular
    // before the order files, then after them), it is still the first.
    const first = [...versions].every((v) => v === scope.version);
    const start = first ? null : scope.effective;
    const closeOn = dayBefore(scope.effective);
    for (const system of scope.systems) {
      if (scope.covers || relations.has(Relation.SUBSET_OF))
        this.hierarchySources.set(system, source);
    }

    // Nodes: revised or added like a release's codes; those no longer listed retire.
    const parents: { from: string; to: string; line: number; stated: "parent" | "edge" }[] = [];
    if (scope.covers) {
      const listed = new Set<string>();
      for (const rc of parsed.codes) {
        const endedOn = codeSystemInfo(rc.system).endedOn;
        const held = this.nodes.get(rc.id);
        const revised = held
          ? reviseNode(held, rc, scope.effective, endedOn)
          : { node: newNode(rc, start, endedOn), change: "added" as const };
        if (!scope.covers(revised.node))
          throw new Error(`${file}:${rc.line}: ${rc.id} is not a node the ${scope.family} covers`);
        if (listed.has(rc.id)) throw new SourceFileError(file, rc.line, `${rc.id} is listed twice`);
        listed.add(rc.id);
        this.summaryOf(rc.system)[revised.change]++;
        this.putNode(revised.node, held);
        if (rc.parent)
          parents.push({ from: rc.id, to: rc.parent, line: rc.line, stated: "parent" });
      }
      for (const node of covered) {
        if (listed.has(node.id)) continue;
        const last = latestVersion(node);
        const endedOn = codeSystemInfo(node.system).endedOn;
        if (!isOpen(last, scope.effective, endedOn)) continue;
        if (last.validFrom !== null && last.validFrom > closeOn) continue;
        const versions = [...node.versions.slice(0, -1), { ...last, validTo: closeOn }];
        this.putNode({ ...node, versions }, node);
        this.summaryOf(node.system).retired++;
      }
    }

    // Edges: kept when stated again unchanged, else opened; the rest of the family closes.
    const kept = new Set<string>();
    for (const e of parsed.edges) {
      if (e.relation === Relation.SUBSET_OF)
        parents.push({ from: e.from, to: e.to, line: e.line, stated: "edge" });
    }
    for (const p of parents) {
      if (!this.nodes.has(p.from)) {
        unresolved.add(MergeUnresolved.SOURCE_MISSING, `${p.from} → ${p.to}`, p.line);
        continue;
      }
      if (!this.nodes.has(p.to)) {
        const reason =
          p.stated === "parent" ? MergeUnresolved.PARENT_MISSING : MergeUnresolved.TARGET_MISSING;
        unresolved.add(reason, `${p.from} → ${p.to}`, p.line);
        continue;
      }
      this.placeStatedParent(p.from, p.to, source, start === null, scope.effective, kept);
    }
    for (const stated of parsed.edges) {
      if (stated.relation === Relation.SUBSET_OF) continue;
      if (!this.checkEnds(stated, unresolved)) continue;
      const edge = withoutLine(stated);
      const summary = this.summaryOf(this.nodes.get(edge.from)!.system);
      const statement = statementKey(edge);
      const heldKey = held.get(statement);
      let validFrom = start;
      if (heldKey !== undefined) {
        if (sameStatement(this.edges.get(heldKey)!, edge)) {
          kept.add(heldKey);
          continue;
        }
        // What the edge says changed (a note reworded, new claims counts): the held
        // span ends and a new one begins, so that the past reads as it was.
        this.endEdge(heldKey, closeOn, summary);
        validFrom = scope.effective;
      }
      const opened: GraphEdge = { ...edge, validFrom, validTo: null };
      const key = edgeKey(opened);
      this.putEdge(opened);
      held.set(statement, key);
      kept.add(key);
      summary.edgesAdded++;
    }
    for (const key of held.values()) {
      if (kept.has(key)) continue;
      const edge = this.edges.get(key)!;
      this.endEdge(
        key,
        closeOn,
        this.summaryOf(this.nodes.get(edge.from)?.system ?? scope.systems[0]!),
      );
    }
  }

  /**
   * A hierarchy edge a snapshot states: kept when the child already hangs from that
   * parent; otherwise what the child hung from closes the day before and the stated
   * parent opens — with an unknown start in the family's first snapshot when the child
   * hung from nothing. Keys of the edges kept or opened go into `kept`.
   */
  private placeStatedParent(
    child: string,
    parent: string,
    source: string,
    firstSnapshot: boolean,
    effective: IsoDate,
    kept: Set<string>,
  ): void {
    const node = this.nodes.get(child)!;
    const summary = this.summaryOf(node.system);
    const open = [...(this.parentKeys.get(child) ?? [])];
    const same = open.find((key) => this.edges.get(key)!.to === parent);
    if (same !== undefined) {
      kept.add(same);
      return;
    }
    for (const key of open) this.endEdge(key, dayBefore(effective), summary);
    const free = this.freeStart(node);
    const validFrom =
      firstSnapshot && open.length === 0
        ? free
        : free !== null && free > effective
          ? free
          : effective;
    // A child that ended before the snapshot (a deleted category) already had its
    // hierarchy stated by the releases of its time: no edge, and nothing to keep.
    const key = this.openHierarchyEdge(node, parent, source, validFrom);
    if (key !== undefined) kept.add(key);
  }

  /**
   * Opens a hierarchy edge from `validFrom` to the child's end, unless that span is empty
   * or the edge is held already; gives its key, or undefined for an empty span.
   */
  private openHierarchyEdge(
    node: CodeNode,
    parent: string,
    source: string,
    validFrom: IsoDate | null,
  ): string | undefined {
    const validTo = latestVersion(node).validTo;
    if (validFrom !== null && validTo !== null && validFrom > validTo) return undefined;
    const edge: GraphEdge = {
      relation: Relation.SUBSET_OF,
      from: node.id,
      to: parent,
      source,
      validFrom,
      validTo,
    };
    const key = edgeKey(edge);
    if (this.edges.has(key)) return key;
    this.putEdge(edge);
    this.summaryOf(node.system).edgesAdded++;
    return key;
  }

  /**
   * Ends an edge the day before a release or snapshot; one opened by an earlier file of
   * this run on that very date never was in force and is dropped instead.
   */
  private endEdge(key: string, closeOn: IsoDate, summary: SystemSummary): void {
    const edge = this.edges.get(key)!;
    if (edge.relation === Relation.SUBSET_OF) this.unindexParent(edge.from, key);
    if (edge.validFrom !== null && edge.validFrom > closeOn) {
      this.edges.delete(key);
      this.changedEdges.delete(key);
      if (edge.relation === Relation.SUBSET_OF) unlist(this.closedParentKeys, edge.from, key);
      summary.edgesAdded--;
      return;
    }
    this.putEdge({ ...edge, validTo: closeOn });
    summary.edgesClosed++;
  }

  /** Whether both ends of a stated edge are held; reports the missing end otherwise. */
  private checkEnds(stated: ReleaseEdge, unresolved: UnresolvedTally): boolean {
    const example = `${stated.from} → ${stated.to}`;
    if (!this.nodes.has(stated.from)) {
      unresolved.add(MergeUnresolved.SOURCE_MISSING, example, stated.line);
      return false;
    }
    if (!this.nodes.has(stated.to)) {
      unresolved.add(MergeUnresolved.TARGET_MISSING, example, stated.line);
      return false;
    }
    return true;
  }

  // ── Supplements ──

  /** Nodes a supplement introduces (chapters, blocks) or enriches, and their parents. */
  private mergeSupplementCodes(parsed: ParsedFile, unresolved: UnresolvedTally): void {
    const file = basename(parsed.file);
    for (const rc of parsed.codes) {
      const held = this.nodes.get(rc.id);
      const summary = this.summaryOf(rc.system);
      if (!held) {
        this.putNode(newNode(rc, null, codeSystemInfo(rc.system).endedOn));
        summary.added++;
      } else {
        const enriched = enrich(held, rc.synonyms, rc.attributes, undefined);
        if (enriched !== held) {
          this.putNode(enriched, held);
          summary.annotated++;
        }
      }
    }
    for (const rc of parsed.codes) {
      const parent = rc.parent !== undefined ? rc.parent : this.supplementParent(rc);
      if (parent === null) continue;
      if (!this.nodes.has(parent)) {
        unresolved.add(MergeUnresolved.PARENT_MISSING, `${rc.id} → ${parent}`, rc.line);
        continue;
      }
      this.addSupplementParent(rc.id, parent, file);
    }
  }

  /** A supplement's code without a stated parent: the nearest held prefix or block. */
  private supplementParent(rc: ReleaseCode): string | null {
    const held = (id: string) => this.nodes.has(id);
    const placement =
      rc.level === CodeLevel.CATEGORY
        ? this.placement(rc.system, () => true)
        : { listed: new Map<string, string>(), blocks: [], chapters: [] };
    return derivedParent(rc, held, placement, () => null);
  }

  /**
   * The block a held category already hangs from, when it is still usable. The tabular
   * places a few categories outside the range their block's id spells (Z3A in Z30-Z39,
   * C4A in C43-C44, M1A after M10): its word stands over the range rule.
   */
  private heldBlockParent(child: string, usable: (id: string) => boolean): string | null {
    for (const key of this.parentKeys.get(child) ?? []) {
      const target = this.nodes.get(this.edges.get(key)!.to);
      if (target?.level === CodeLevel.BLOCK && usable(target.id)) return target.id;
    }
    return null;
  }

  /**
   * A supplement's hierarchy edge, added only where the child has no open parent and the
   * graph has no edge from it to that parent, open or closed (whatever its source): a
   * release's own hierarchy wins, and its dates stand. The edge spans the child's current
   * run of versions, after any hierarchy edge of it that ended.
   */
  private addSupplementParent(child: string, parent: string, source: string): void {
    const open = this.parentKeys.get(child);
    if (open && open.length > 0) return;
    const closed = this.closedParentKeys.get(child) ?? [];
    if (closed.some((key) => this.edges.get(key)!.to === parent)) return;
    const node = this.nodes.get(child)!;
    this.openHierarchyEdge(node, parent, source, this.freeStart(node));
  }

  // ── Edges and annotations a file states ──

  private mergeStatedEdges(parsed: ParsedFile, unresolved: UnresolvedTally): void {
    // A snapshot's hierarchy edges from its own codes were taken as their parents.
    const listed = parsed.snapshot ? new Set(parsed.codes.map((c) => c.id)) : new Set<string>();
    const previous = new Map<string, Set<string>>();
    for (const stated of parsed.edges) {
      if (stated.relation === Relation.SUBSET_OF && listed.has(stated.from)) continue;
      if (!this.checkEnds(stated, unresolved)) continue;
      const edge = withoutLine(stated);
      if (edge.relation === Relation.SUBSET_OF) {
        this.addSupplementParent(edge.from, edge.to, edge.source);
        continue;
      }
      if (edge.relation === Relation.REPLACES) {
        const old = this.nodes.get(edge.to)!;
        const why = notASuccession(old, edge.effective);
        if (why !== null) {
          unresolved.add(why.reason, `${edge.from} → ${edge.to} (${why.detail})`, stated.line);
          let codes = previous.get(edge.from);
          if (!codes) previous.set(edge.from, (codes = new Set()));
          codes.add(old.code);
          continue;
        }
      }
      const held = this.edges.get(edgeKey(edge));
      if (held && sameEdge(held, edge)) continue;
      this.putEdge(edge);
      this.summaryOf(this.nodes.get(edge.from)!.system).edgesAdded++;
    }
    for (const [id, codes] of previous) {
      const node = this.nodes.get(id)!;
      const before = node.attributes[PREVIOUSLY_CODED_AS];
      for (const code of before ? before.split(",") : []) codes.add(code);
      const joined = [...codes].sort(compare).join(",");
      const enriched = enrich(node, undefined, { [PREVIOUSLY_CODED_AS]: joined }, undefined);
      if (enriched === node) continue;
      this.putNode(enriched, node);
      this.summaryOf(node.system).annotated++;
    }
  }

  private mergeAnnotations(
    annotations: readonly CodeAnnotation[],
    unresolved: UnresolvedTally,
  ): void {
    for (const a of annotations) {
      const held = this.nodes.get(a.id);
      if (!held) {
        unresolved.add(MergeUnresolved.CODE_MISSING, a.id, a.line);
        continue;
      }
      let enriched = enrich(held, a.synonyms, a.attributes, a.noMapTo);
      if (a.addedOn !== undefined) enriched = this.withFirstDay(enriched, a, unresolved);
      if (enriched === held) continue;
      this.putNode(enriched, held);
      this.summaryOf(held.system).annotated++;
    }
  }

  /**
   * ICD-10-CM reports every code with no code below it, so a header was a billable leaf
   * until its first child came. The first release imported shows a header as a header
   * for all of its known past, and a conversion table's first day (F50.81: 2016-10-01)
   * only dates that one version: F50.81 was billable until F50.810 … F50.819 came on
   * 2024-10-01. A header's first version is split on the first day anything came below
   * it (billable before, header from then, same titles) when that day is known for every
   * child and the header is known to have existed before it:
   *
   * - its own first day is earlier (F50.81); or
   * - its first day is unknown, and a conversion table names it as the previous code of
   *   a row effective no later (A04.7 for A04.71 on 2017-10-01) — except in the table's
   *   own newest fiscal year, where it names headers new that day too (FY2026: H05.83,
   *   H40.84 and Z77.3 among 127 new headers, as well as all 16 codes turned header).
   *
   * Either way the day is no later than the first release the graph holds: a release
   * that lists the code as a header is not contradicted.
   *
   * A child header that nothing dates or names came with its own children (D48.11 with
   * D48.110 …, FY2024: the tables list only billable new codes): its children's first
   * day is its own. A header new with its children (D48.11 itself) stays a header.
   */
  private splitFormerLeaves(parsed: ParsedFile): void {
    const system = CodeSystemId.ICD10CM;
    const named = new Map<string, IsoDate>();
    const firstDays = new Map<string, IsoDate>();
    for (const e of parsed.edges) {
      if (e.relation !== Relation.REPLACES) continue;
      const earlier = named.get(e.to);
      if (earlier === undefined || e.effective < earlier) named.set(e.to, e.effective);
    }
    for (const a of parsed.annotations) if (a.addedOn !== undefined) firstDays.set(a.id, a.addedOn);
    if (named.size === 0 && firstDays.size === 0) return;
    let firstRelease: IsoDate | undefined;
    for (const r of this.releases.values())
      if (r.system === system && (firstRelease === undefined || r.effective < firstRelease))
        firstRelease = r.effective;
    if (firstRelease === undefined) return;
    const releaseStart: IsoDate = firstRelease;
    let newest: IsoDate = "0000-01-01";
    for (const day of [...named.values(), ...firstDays.values()]) if (day > newest) newest = day;
    const newestYear = fiscalYearStart(fiscalYearOf(newest));

    const children = this.childrenByParent();
    // Codes the file dates that the graph does not hold (deleted since) were below their prefixes.
    const unheld = [...firstDays]
      .filter(([id]) => id.startsWith(`${system}:`) && !this.nodes.has(id))
      .map(([id, day]) => ({ code: codeKey(id.slice(system.length + 1)), day }));
    const UNKNOWN = "unknown";
    type Day = IsoDate | typeof UNKNOWN;
    const belowDay = new Map<string, Day | null>();
    const isHeader = (node: CodeNode) =>
      node.system === system &&
      (node.level === CodeLevel.CATEGORY || node.level === CodeLevel.SUBCATEGORY) &&
      !node.versions[0]!.billable;
    /** The first day of anything below a header: null when nothing is, UNKNOWN when not known. */
    const firstBelow = (id: string): Day | null => {
      const memo = belowDay.get(id);
      if (memo !== undefined) return memo;
      belowDay.set(id, UNKNOWN); // a cycle, should the hierarchy hold one, tells nothing
      let day: Day | null = null;
      const see = (d: Day) => {
        if (d === UNKNOWN || day === UNKNOWN) day = UNKNOWN;
        else if (day === null || d < day) day = d;
      };
      for (const child of children.get(id) ?? []) see(firstDayOf(child));
      const code = codeKey(this.nodes.get(id)!.code);
      for (const u of unheld)
        if (u.code.length > code.length && u.code.startsWith(code)) see(u.day);
      belowDay.set(id, day);
      return day;
    };
    /** A held code's first day, as far as the releases and the file tell. */
    const firstDayOf = (id: string): Day => {
      const node = this.nodes.get(id)!;
      const first = node.versions[0]!;
      if (first.validFrom !== null) return first.validFrom;
      if (!isHeader(node)) return UNKNOWN;
      const below = firstBelow(id);
      if (below === null || below === UNKNOWN) return UNKNOWN;
      // Named as a previous code by then: it existed before its children, as a leaf.
      return (named.get(id) ?? FAR_FUTURE) <= below ? UNKNOWN : below;
    };

    for (const node of [...this.nodes.values()]) {
      if (!isHeader(node)) continue;
      const at = firstBelow(node.id);
      if (at === null || at === UNKNOWN) continue;
      const first = node.versions[0]!;
      const existedBefore =
        first.validFrom !== null
          ? first.validFrom < at
          : at < newestYear && (named.get(node.id) ?? FAR_FUTURE) <= at;
      if (!existedBefore || at > releaseStart) continue;
      if (first.validTo !== null && first.validTo < at) continue;
      const versions = [
        { ...first, billable: true, validTo: dayBefore(at) },
        { ...first, validFrom: at },
        ...node.versions.slice(1),
      ];
      this.putNode({ ...node, versions }, node);
      this.summaryOf(node.system).changed++;
    }
  }

  /** Hierarchy edge keys of a child, open and closed. */
  private hierarchyKeysOf(child: string): string[] {
    return [...(this.parentKeys.get(child) ?? []), ...(this.closedParentKeys.get(child) ?? [])];
  }

  /** Every held child of each parent, through hierarchy edges open or closed. */
  private childrenByParent(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const index of [this.parentKeys, this.closedParentKeys]) {
      for (const [child, keys] of index)
        for (const key of keys) enlist(out, this.edges.get(key)!.to, child);
    }
    return out;
  }

  /**
   * The node with the first day a file states for it (`addedOn`), where the graph does
   * not know it: the first release imported leaves `validFrom` null. Its hierarchy edges
   * of that first span start on the same day. A known start is the releases' word and
   * stays; a different statement is reported.
   */
  private withFirstDay(node: CodeNode, a: CodeAnnotation, unresolved: UnresolvedTally): CodeNode {
    const addedOn = a.addedOn!;
    const first = node.versions[0]!;
    if (first.validFrom !== null) {
      if (first.validFrom !== addedOn) {
        unresolved.add(
          MergeUnresolved.ADDED_ON_DIFFERS,
          `${node.id}: ${addedOn}, held ${first.validFrom}`,
          a.line,
        );
      }
      return node;
    }
    if (first.validTo !== null && first.validTo < addedOn) {
      unresolved.add(
        MergeUnresolved.ADDED_ON_AFTER_END,
        `${node.id}: ${addedOn}, first version ended ${first.validTo}`,
        a.line,
      );
      return node;
    }
    for (const key of this.hierarchyKeysOf(node.id)) {
      const edge = this.edges.get(key)!;
      if (edge.validFrom !== null || (edge.validTo !== null && edge.validTo < addedOn)) continue;
      this.putEdge({ ...edge, validFrom: addedOn });
    }
    return { ...node, versions: [{ ...first, validFrom: addedOn }, ...node.versions.slice(1)] };
  }

  // ── Working state ──

  private putNode(node: CodeNode, before?: CodeNode): void {
    if (before && sameNode(before, node)) return;
    this.nodes.set(node.id, node);
    this.changedNodes.add(node.id);
  }

  private putEdge(edge: GraphEdge): void {
    const key = edgeKey(edge);
    this.edges.set(key, edge);
    this.changedEdges.add(key);
    if (edge.relation === Relation.SUBSET_OF) this.indexHierarchyEdge(edge, key);
  }

  /** Files a hierarchy edge under its child as open or closed. */
  private indexHierarchyEdge(edge: GraphEdge, key: string): void {
    if (this.edgeIsOpen(edge)) {
      this.indexParent(edge.from, key);
      unlist(this.closedParentKeys, edge.from, key);
    } else {
      this.unindexParent(edge.from, key);
      enlist(this.closedParentKeys, edge.from, key);
    }
  }

  private edgeIsOpen(edge: GraphEdge): boolean {
    const system = systemOfId(edge.from);
    const endedOn = system ? codeSystemInfo(system).endedOn : null;
    return edge.validTo === null || edge.validTo === endedOn;
  }

  // Arrays, not sets: a child has one open parent almost always, and 200,000 sets
  // weighed more than the graph's own index of them.
  private indexParent(child: string, key: string): void {
    const keys = this.parentKeys.get(child);
    if (!keys) this.parentKeys.set(child, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }

  private unindexParent(child: string, key: string): void {
    const keys = this.parentKeys.get(child);
    const at = keys ? keys.indexOf(key) : -1;
    if (at >= 0) keys!.splice(at, 1);
  }

  private summaryOf(system: CodeSystemId): SystemSummary {
    let summary = this.summaries.get(system);
    if (!summary) {
      summary = {
        system,
        added: 0,
        changed: 0,
        retired: 0,
        unchanged: 0,
        annotated: 0,
        edgesAdded: 0,
        edgesClosed: 0,
      };
      this.summaries.set(system, summary);
    }
    return summary;
  }
}

// ── Successions ────────────────────────────────────────────────────────────────────

/**
 * Why a REPLACES edge to `old` taking effect on `effective` is no succession, or null
 * when it is one. A succession takes a code out of use: it was reportable the day
 * before, and is not from that day (deleted, or a header from then on: A04.7 when A04.71
 * and A04.72 came). Conversion tables also name codes merely split off from one that
 * stays reportable (A41.54 from A41.59), and, loosely, headers and blocks nothing was
 * reported as ("Codes in Categories T15-T19", "I63.-", Z13.8, a header since 2015):
 * taking either as a succession would make a reportable code, or a header, look replaced.
 */
function notASuccession(
  old: CodeNode,
  effective: IsoDate,
): { reason: string; detail: string } | null {
  if (old.level === CodeLevel.BLOCK || old.level === CodeLevel.CHAPTER) {
    const what = old.level === CodeLevel.BLOCK ? "a block" : "a chapter";
    return { reason: MergeUnresolved.NOT_REPORTABLE_BEFORE, detail: `${old.code} ${what}` };
  }
  const before = dayBefore(effective);
  const then = statusAt(old, before);
  if (then !== CodeStatus.VALID) {
    const what =
      then === CodeStatus.HEADER
        ? "a header"
        : then === CodeStatus.DELETED
          ? "deleted"
          : "not valid yet";
    return {
      reason: MergeUnresolved.NOT_REPORTABLE_BEFORE,
      detail: `${old.code} ${what} on ${before}`,
    };
  }
  if (statusAt(old, effective) === CodeStatus.VALID) {
    return {
      reason: MergeUnresolved.NOT_A_SUCCESSION,
      detail: `${old.code} reportable on ${effective}`,
    };
  }
  return null;
}

// ── Nodes ──────────────────────────────────────────────────────────────────────────

function newNode(rc: ReleaseCode, validFrom: IsoDate | null, validTo: IsoDate | null): CodeNode {
  return {
    id: rc.id,
    system: rc.system,
    code: rc.code,
    kind: rc.kind,
    level: rc.level,
    versions: [
      { title: rc.title, shortTitle: rc.shortTitle, billable: rc.billable, validFrom, validTo },
    ],
    synonyms: dedupe(rc.synonyms ?? []),
    noMapTo: [],
    attributes: { ...rc.attributes },
  };
}

/**
 * Whether a version is still in force for a release taking effect on `effective`: open
 * (validTo null), ended with its frozen system, or ending on or after that date.
 */
function isOpen(version: CodeVersion, effective: IsoDate, endedOn: IsoDate | null): boolean {
  return version.validTo === null || version.validTo === endedOn || version.validTo >= effective;
}

/**
 * The node ending on the day the file states (a terminated HCPCS code); the same object
 * when the file states no end, or the one the node already has.
 */
function withStatedEnd(node: CodeNode, validTo: IsoDate | null | undefined): CodeNode {
  if (!validTo) return node;
  const last = latestVersion(node);
  if (last.validTo === validTo || (last.validFrom !== null && last.validFrom > validTo))
    return node;
  return { ...node, versions: [...node.versions.slice(0, -1), { ...last, validTo }] };
}

type Change = "added" | "changed" | "unchanged";

/** A held code as a new release states it. */
function reviseNode(
  held: CodeNode,
  rc: ReleaseCode,
  effective: IsoDate,
  endedOn: IsoDate | null,
): { node: CodeNode; change: Change } {
  const last = latestVersion(held);
  const stated = { title: rc.title, shortTitle: rc.shortTitle, billable: rc.billable };
  // The level follows the latest release (B88.0 turned from a code into a subcategory).
  const base = enrich(
    { ...held, kind: rc.kind, level: rc.level },
    rc.synonyms,
    rc.attributes,
    undefined,
  );
  const earlier = held.versions.slice(0, -1);
  if (!isOpen(last, effective, endedOn)) {
    // Deleted by an earlier release, listed again: valid again from this one.
    const versions = [...held.versions, { ...stated, validFrom: effective, validTo: endedOn }];
    return { node: { ...base, versions }, change: "added" };
  }
  if (sameVersion(last, stated)) return { node: base, change: "unchanged" };
  if (last.validFrom !== null && last.validFrom >= effective) {
    // Opened on this very date by an earlier file of the run: restate it, no history.
    return { node: { ...base, versions: [...earlier, { ...last, ...stated }] }, change: "changed" };
  }
  const versions = [
    ...earlier,
    { ...last, validTo: dayBefore(effective) },
    { ...stated, validFrom: effective, validTo: last.validTo },
  ];
  return { node: { ...base, versions }, change: "changed" };
}

function sameVersion(
  a: CodeVersion,
  b: Pick<CodeVersion, "title" | "shortTitle" | "billable">,
): boolean {
  return a.title === b.title && a.shortTitle === b.shortTitle && a.billable === b.billable;
}

/** The node with synonyms, attributes and no-map systems added; the same object when nothing is new. */
function enrich(
  node: CodeNode,
  synonyms: readonly string[] | undefined,
  attributes: Readonly<Record<string, string>> | undefined,
  noMapTo: CodeSystemId | undefined,
): CodeNode {
  const newSynonyms = (synonyms ?? []).filter((s) => !node.synonyms.includes(s));
  const newAttributes = Object.entries(attributes ?? {}).filter(
    ([k, v]) => node.attributes[k] !== v,
  );
  const newNoMap = noMapTo !== undefined && !node.noMapTo.includes(noMapTo);
  if (newSynonyms.length === 0 && newAttributes.length === 0 && !newNoMap) return node;
  return {
    ...node,
    // Held synonyms keep their order and new ones follow in file order: the same files give the same list.
    synonyms: dedupe([...node.synonyms, ...newSynonyms]),
    attributes: { ...node.attributes, ...Object.fromEntries(newAttributes) },
    noMapTo: newNoMap ? [...node.noMapTo, noMapTo].sort() : node.noMapTo,
  };
}

function sameNode(a: CodeNode, b: CodeNode): boolean {
  if (a === b) return true;
  return (
    a.kind === b.kind &&
    a.level === b.level &&
    a.code === b.code &&
    sameList(a.synonyms, b.synonyms) &&
    sameList(a.noMapTo, b.noMapTo) &&
    JSON.stringify(a.attributes) === JSON.stringify(b.attributes) &&
    a.versions.length === b.versions.length &&
    a.versions.every((v, i) => {
      const w = b.versions[i]!;
      return sameVersion(v, w) && v.validFrom === w.validFrom && v.validTo === w.validTo;
    })
  );
}

// ── Hierarchy ──────────────────────────────────────────────────────────────────────

interface CodeRange {
  readonly id: string;
  readonly first: string;
  readonly last: string;
}

/** Where a system's categories may go: see `ReleaseMerge.placement`. */
interface Placement {
  /** Category id → the block the tabular lists it in. */
  readonly listed: ReadonlyMap<string, string>;
  readonly blocks: readonly CodeRange[];
  readonly chapters: readonly CodeRange[];
}

/**
 * The nearest existing prefix (E11.65 → E11.6 → E11); for a category with none: the block
 * the tabular lists it in (C4A in C43-C44, though "C4A" > "C44" as strings), else the
 * block it already hangs from, else the narrowest block whose id's range holds it (W44 in
 * W20-W49: a category newer than the tabular), else the chapter whose range holds it
 * (I1A, new in FY2023, in I00-I99). Whichever of tabular and order files came first,
 * the same edges result.
 */
function derivedParent(
  rc: Pick<CodeNode, "id" | "system" | "code" | "level">,
  exists: (id: string) => boolean,
  placement: Placement,
  heldBlock: (id: string) => string | null,
): string | null {
  for (const prefix of grammarOf(rc.system).prefixAncestors(rc.code)) {
    const id = codeId(rc.system, prefix);
    if (id !== rc.id && exists(id)) return id;
  }
  if (rc.level !== CodeLevel.CATEGORY) return null;
  const listed = placement.listed.get(rc.id);
  if (listed !== undefined) return listed;
  const held = heldBlock(rc.id);
  if (held !== null) return held;
  const holds = (r: CodeRange) =>
    r.first.length === rc.code.length && r.first <= rc.code && rc.code <= r.last;
  return (placement.blocks.find(holds) ?? placement.chapters.find(holds))?.id ?? null;
}

/** The first day of the node's current run of back-to-back versions; null when unknown. */
function episodeStart(node: CodeNode): IsoDate | null {
  let i = node.versions.length - 1;
  while (i > 0) {
    const before = node.versions[i - 1]!;
    const from = node.versions[i]!.validFrom;
    if (from === null || before.validTo === null || addDays(before.validTo, 1) !== from) break;
    i--;
  }
  return node.versions[i]!.validFrom;
}

// ── Edges ──────────────────────────────────────────────────────────────────────────

function withoutLine(edge: ReleaseEdge): GraphEdge {
  const copy: Record<string, unknown> = { ...edge };
  delete copy.line;
  return copy as unknown as GraphEdge;
}

/** What an edge states, apart from where it comes from: its key with an empty source. */
function statementKey(edge: GraphEdge): string {
  return edgeKey({ ...edge, source: "" });
}

/** Whether two edges state the same thing, whoever stated them and whenever. */
function sameStatement(a: GraphEdge, b: GraphEdge): boolean {
  const strip = (e: GraphEdge) => ({ ...e, source: "", validFrom: null, validTo: null });
  return sameEdge(strip(a), strip(b));
}

function sameEdge(a: GraphEdge, b: GraphEdge): boolean {
  return JSON.stringify(a, sortedKeys(a)) === JSON.stringify(b, sortedKeys(b));
}

function sortedKeys(value: object): string[] {
  const keys = new Set<string>();
  JSON.stringify(value, (k, v: unknown) => {
    keys.add(k);
    return v;
  });
  return [...keys].sort();
}

// ── Small helpers ──────────────────────────────────────────────────────────────────

function releaseKey(system: CodeSystemId, version: string): string {
  return `${system}|${version}`;
}

function systemOfId(id: string): CodeSystemId | undefined {
  const system = id.slice(0, id.indexOf(":"));
  return isCodeSystemId(system) ? system : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Adds a value to a key's list (a short list: a child has one or two such edges). */
function enlist(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function unlist(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  const at = list ? list.indexOf(value) : -1;
  if (at < 0) return;
  list!.splice(at, 1);
  if (list!.length === 0) map.delete(key);
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
