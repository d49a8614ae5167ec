import { basename } from "node:path";
import { createHash } from "node:crypto";
import { codeId, grammarOf } from "../domain/code-grammar.js";
import { CodeLevel } from "../domain/code-kind.js";
import { type CodeSystemId, codeSystemInfo, isCodeSystemId } from "../domain/code-system.js";
import { addDays, type IsoDate } from "../domain/dates.js";
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
import {
  type CodeAnnotation,
  type FormatId,
  type ParsedFile,
  type ReleaseCode,
  type ReleaseEdge,
  type SnapshotRelease,
  type UnresolvedReference,
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
 * - Supplements (tabular notes, GEMs, conversion tables) add nodes, edges and annotations
 *   without retiring anything, and re-running one changes nothing.
 */

/** The part of the graph a merge needs: nodes of the systems involved, the relevant edges, all releases. */
export interface HeldGraph {
  readonly nodes: ReadonlyMap<string, CodeNode>;
  /**
   * Edges by {@link edgeKey}: at least the open SUBSET_OF edges leaving held nodes of the
   * systems involved, and held edges with the keys the files state.
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

interface ReleasePart {
  readonly file: string;
  readonly format: string;
  readonly sha256: string;
}

const PART = /([^;[\]]+?) \[([a-z0-9-]+) sha256:([0-9a-f]{64})\]/g;

function releaseParts(info: ReleaseInfo): ReleasePart[] {
  const parts = [...info.source.matchAll(PART)].map((m) => ({
    file: m[1]!.trim(),
    format: m[2]!,
    sha256: m[3]!,
  }));
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
  private readonly releases: Map<string, ReleaseInfo>;
  private readonly changedNodes = new Set<string>();
  private readonly changedEdges = new Set<string>();
  private readonly changedReleases = new Set<string>();
  private readonly summaries = new Map<CodeSystemId, SystemSummary>();

  constructor(
    held: HeldGraph,
    private readonly importedAt: string = new Date().toISOString(),
  ) {
    this.nodes = new Map(held.nodes);
    this.edges = new Map(held.edges);
    for (const [key, edge] of this.edges) {
      if (edge.relation === Relation.SUBSET_OF && this.edgeIsOpen(edge))
        this.indexParent(edge.from, key);
    }
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
      const info = releaseInfoOf(snapshot, parts, this.importedAt, codeCount + parsed.codes.length);
      const key = releaseKey(info.system, info.version);
      this.releases.set(key, info);
      this.changedReleases.add(key);
    } else {
      this.mergeSupplementCodes(parsed, unresolved);
    }
    this.mergeStatedEdges(parsed, unresolved);
    this.mergeAnnotations(parsed.annotations, unresolved);
    return {
      file: parsed.file,
      format: parsed.format,
      rows: parsed.rows,
      status: "merged",
      release,
      unresolved: unresolved.list(),
    };
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
    const ranges = this.rangeNodes(system, (n) => parentCandidate(n.id));
    for (const rc of listed.values()) {
      let parent = stated.has(rc.id)
        ? stated.get(rc.id)!
        : derivedParent(rc, parentCandidate, ranges, (id) =>
            this.heldBlockParent(id, parentCandidate),
          );
      if (parent !== null && !this.nodes.has(parent)) {
        unresolved.add("parent not in the graph", `${rc.line}: ${rc.id} → ${parent}`);
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
      this.unindexParent(child, key);
      if (edge.validFrom !== null && edge.validFrom > closeOn) {
        // Opened by an earlier file of this run on the same date: it never was in force.
        this.edges.delete(key);
        this.changedEdges.delete(key);
        summary.edgesAdded--;
        continue;
      }
      this.putEdge({ ...edge, validTo: closeOn });
      summary.edgesClosed++;
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

  /** Range nodes (chapters, blocks) of a system that may hold categories, narrowest first. */
  private rangeNodes(system: CodeSystemId, usable: (node: CodeNode) => boolean): CodeRange[] {
    const grammar = grammarOf(system);
    const out: CodeRange[] = [];
    for (const node of this.nodes.values()) {
      if (node.system !== system || node.level !== CodeLevel.BLOCK || !usable(node)) continue;
      const dash = node.code.indexOf("-");
      if (dash < 0 || grammar.read(node.code).length === 0) continue;
      out.push({ id: node.id, first: node.code.slice(0, dash), last: node.code.slice(dash + 1) });
    }
    return out.sort((a, b) => compare(b.first, a.first) || compare(a.last, b.last));
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
        unresolved.add("parent not in the graph", `${rc.line}: ${rc.id} → ${parent}`);
        continue;
      }
      this.addSupplementParent(rc.id, parent, file);
    }
  }

  /** A supplement's code without a stated parent: the nearest held prefix or block. */
  private supplementParent(rc: ReleaseCode): string | null {
    const held = (id: string) => this.nodes.has(id);
    return derivedParent(
      rc,
      held,
      rc.level === CodeLevel.CATEGORY ? this.rangeNodes(rc.system, () => true) : [],
      () => null,
    );
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
   * graph has no such edge, open or closed: a release's own hierarchy wins, and its dates
   * stand. The edge spans the child's validity.
   */
  private addSupplementParent(child: string, parent: string, source: string): void {
    const open = this.parentKeys.get(child);
    if (open && open.length > 0) return;
    const node = this.nodes.get(child)!;
    const { validFrom, validTo } = nodeValidity(node);
    const edge: GraphEdge = {
      relation: Relation.SUBSET_OF,
      from: child,
      to: parent,
      source,
      validFrom,
      validTo,
    };
    if (this.edges.has(edgeKey(edge))) return;
    this.putEdge(edge);
    this.summaryOf(node.system).edgesAdded++;
  }

  // ── Edges and annotations a file states ──

  private mergeStatedEdges(parsed: ParsedFile, unresolved: UnresolvedTally): void {
    // A snapshot's hierarchy edges from its own codes were taken as their parents.
    const listed = parsed.snapshot ? new Set(parsed.codes.map((c) => c.id)) : new Set<string>();
    for (const stated of parsed.edges) {
      if (stated.relation === Relation.SUBSET_OF && listed.has(stated.from)) continue;
      const example = `${stated.line}: ${stated.from} → ${stated.to}`;
      if (!this.nodes.has(stated.from)) {
        unresolved.add("source not in the graph", example);
        continue;
      }
      if (!this.nodes.has(stated.to)) {
        unresolved.add("target not in the graph", example);
        continue;
      }
      const edge = withoutLine(stated);
      if (edge.relation === Relation.SUBSET_OF) {
        this.addSupplementParent(edge.from, edge.to, edge.source);
        continue;
      }
      const held = this.edges.get(edgeKey(edge));
      if (held && sameEdge(held, edge)) continue;
      this.putEdge(edge);
      this.summaryOf(this.nodes.get(edge.from)!.system).edgesAdded++;
    }
  }

  private mergeAnnotations(
    annotations: readonly CodeAnnotation[],
    unresolved: UnresolvedTally,
  ): void {
    for (const a of annotations) {
      const held = this.nodes.get(a.id);
      if (!held) {
        unresolved.add("code not in the graph", `${a.line}: ${a.id}`);
        continue;
      }
      const enriched = enrich(held, a.synonyms, a.attributes, a.noMapTo);
      if (enriched === held) continue;
      this.putNode(enriched, held);
      this.summaryOf(held.system).annotated++;
    }
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
    if (edge.relation !== Relation.SUBSET_OF) return;
    if (this.edgeIsOpen(edge)) this.indexParent(edge.from, key);
    else this.unindexParent(edge.from, key);
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

/**
 * The nearest existing prefix (E11.65 → E11.6 → E11); for a category with none, the
 * block it already hangs from, else the narrowest block whose range holds it (E11 →
 * E08-E13), so the tabular's blocks join the hierarchy whichever was imported first.
 */
function derivedParent(
  rc: ReleaseCode,
  exists: (id: string) => boolean,
  ranges: readonly CodeRange[],
  heldBlock: (id: string) => string | null,
): string | null {
  for (const prefix of grammarOf(rc.system).prefixAncestors(rc.code)) {
    const id = codeId(rc.system, prefix);
    if (id !== rc.id && exists(id)) return id;
  }
  if (rc.level !== CodeLevel.CATEGORY) return null;
  const held = heldBlock(rc.id);
  if (held !== null) return held;
  const range = ranges.find(
    (r) => r.first.length === rc.code.length && r.first <= rc.code && rc.code <= r.last,
  );
  return range?.id ?? null;
}

// ── Edges ──────────────────────────────────────────────────────────────────────────

function withoutLine(edge: ReleaseEdge): GraphEdge {
  const copy: Record<string, unknown> = { ...edge };
  delete copy.line;
  return copy as unknown as GraphEdge;
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

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
