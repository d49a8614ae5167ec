import { type CodeKind, type CodeLevel } from "../domain/code-kind.js";
import { type CodeSystemId } from "../domain/code-system.js";
import { type IsoDate } from "../domain/dates.js";
import { type CodeNode, type GraphEdge } from "../domain/graph.js";
import { type Relation } from "../domain/relationship.js";

/**
 * What a parser produces from one official file: plain records in the file's own terms,
 * with no history and no knowledge of any store. The merge step (release-merge) turns
 * them into versioned nodes and edges against what the graph already holds, and the
 * one bulk-load path (`GraphStore.load`) writes the result.
 */

/** The formats the importer reads; each has one parser module in src/import/formats/. */
export enum FormatId {
  ICD10CM_ORDER = "icd10cm-order",
  ICD10PCS_ORDER = "icd10pcs-order",
  ICD10CM_TABULAR = "icd10cm-tabular",
  ICD10CM_CONVERSION = "icd10cm-conversion",
  HCPCS_ANNUAL = "hcpcs-annual",
  GEM_I9_TO_I10 = "gem-i9-i10",
  GEM_I10_TO_I9 = "gem-i10-i9",
  ICD9CM_DIAGNOSIS_TITLES = "icd9cm-dx",
  ICD9CM_PROCEDURE_TITLES = "icd9cm-sg",
  CPT_CSV = "cpt-csv",
  CLAIMS_ENCOUNTERS = "claims-encounters",
  CLAIMS_PAIRS = "claims-pairs",
}

/**
 * The attribute of an ICD-10-CM block (tabular section) listing the categories the
 * tabular places directly in it, in the tabular's order ("C43,C4A,C44"). It is how the
 * merge places a category the graph did not hold when the tabular was imported, and a
 * category the tabular puts outside the range its block's id spells (C4A, M1A, Z3A).
 */
export const BLOCK_CATEGORIES_ATTRIBUTE = "categories";

/** A code as one release file states it. */
export interface ReleaseCode {
  readonly id: string;
  readonly system: CodeSystemId;
  readonly code: string;
  readonly kind: CodeKind;
  readonly level: CodeLevel;
  readonly title: string;
  readonly shortTitle: string | null;
  readonly billable: boolean;
  /** Names the code is found by (inclusion terms). */
  readonly synonyms?: readonly string[];
  /** Per-system details from the file (HCPCS action code, BETOS ...). */
  readonly attributes?: Readonly<Record<string, string>>;
  /**
   * The parent's id when the file states it (tabular XML). When absent the merge derives
   * it: the nearest existing prefix (E11.65 → E11.6 → E11), else the block whose range
   * holds a category (E11 → E08-E13).
   */
  readonly parent?: string | null;
  /**
   * Validity the file states for the code itself (HCPCS add and termination dates, CPT
   * date columns), which outranks what the release's date alone would imply: an HCPCS
   * code terminated in 2014 but still listed in the 2019 file ends on 2014-12-31.
   */
  readonly validFrom?: IsoDate | null;
  readonly validTo?: IsoDate | null;
  /**
   * A node the parser made up from the file's codes rather than read from a row (PCS
   * sections and body systems, HCPCS sections, ICD-9-CM chapters): not counted in the
   * release's `codeCount`, which is the file's own codes.
   */
  readonly derived?: boolean;
  /** Line of the file the code came from, for error reports. */
  readonly line: number;
}

/** Something to add to a code the graph already holds, without touching its versions. */
export interface CodeAnnotation {
  readonly id: string;
  readonly synonyms?: readonly string[];
  readonly attributes?: Readonly<Record<string, string>>;
  /** A GEM lists no equivalent for the code in this system. */
  readonly noMapTo?: CodeSystemId;
  /**
   * The code's first day, as a file states it (conversion tables: "effective October 1
   * of the year listed"). The merge uses it only where the graph does not know the start
   * (the first release imported left `validFrom` null).
   */
  readonly addedOn?: IsoDate;
  readonly line: number;
}

/** An edge as a file states it; its ends are checked against the graph by the merge. */
export type ReleaseEdge = GraphEdge & { readonly line: number };

/** References in a file that could not be turned into codes: counted and reported, never dropped silently. */
export interface UnresolvedReference {
  /** Why, in a few words: "target not in the graph", "note text names no code". */
  readonly reason: string;
  readonly count: number;
  /** A few examples, `line: text`. */
  readonly examples: readonly string[];
}

/**
 * A release that lists every code in its scope: codes of the scope that the graph holds
 * as valid but the release lacks are retired (validTo = the day before `effective`).
 */
export interface SnapshotRelease {
  readonly system: CodeSystemId;
  /** Release label: FY2026, 2019. */
  readonly version: string;
  /** First day the release is in force. */
  readonly effective: IsoDate;
  /** Which held nodes this file speaks for (an order file does not list chapters or blocks). */
  readonly covers: (node: CodeNode) => boolean;
}

/**
 * A supplement that restates one family of edges in full, like a snapshot does a system's
 * codes: the ICD-10-CM tabular list restates its notes and its chapters and blocks every
 * year; a claims extract restates its pairings. Against what the graph holds of the
 * family, the merge
 *
 * - keeps an edge the file states again (and what it says is unchanged),
 * - opens what is new on `effective` — or with an unknown start (`validFrom` null) when
 *   the graph holds nothing of the family yet, as the first release of a system does —
 * - and closes the day before `effective` every open edge of the family the file no
 *   longer states (and retires the nodes of `covers` it no longer lists).
 *
 * Every edge the file states has `source` = {@link scopeSource}: the family and the
 * version that opened it, which is what tells two spans of one edge apart (an exclusion
 * dropped in FY2022 and restated in FY2024 is two edges). Snapshots of one family are
 * imported oldest first: one older than the newest held is refused.
 */
export interface EdgeScope {
  /** What the family is called: "ICD-10-CM tabular", "claims: extract-2025.csv". */
  readonly family: string;
  /**
   * This snapshot's label, without spaces. Versions of one family sort as strings in date
   * order: FY2021 < FY2022; claims versions are ISO dates.
   */
  readonly version: string;
  /** First day the snapshot is in force. */
  readonly effective: IsoDate;
  /** The relations of the family the file restates in full. */
  readonly relations: readonly Relation[];
  /** Systems whose codes the family's edges leave: where the merge looks for held ones. */
  readonly systems: readonly CodeSystemId[];
  /** Nodes the file restates in full (the tabular's chapters and blocks); none when absent. */
  readonly covers?: (node: CodeNode) => boolean;
}

/** The `source` of an edge a scoped file states: its family and version. */
export function scopeSource(scope: Pick<EdgeScope, "family" | "version">): string {
  return `${scope.family} ${scope.version}`;
}

/** Whether an edge's `source` names a snapshot of `family` (the version has no spaces). */
export function inFamily(source: string, family: string): boolean {
  return (
    source.length > family.length + 1 &&
    source.startsWith(`${family} `) &&
    !source.includes(" ", family.length + 1)
  );
}

/** The version part of a family edge's `source`. */
export function versionInSource(source: string, family: string): string {
  return source.slice(family.length + 1);
}

export interface ParsedFile {
  readonly file: string;
  readonly format: FormatId;
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  /** Data rows read (not counting headers and blank lines). */
  readonly rows: number;
  /** Set for a full release of a system; null for files that add edges or annotations. */
  readonly snapshot: SnapshotRelease | null;
  /** Set for a supplement that restates a family of edges in full (see {@link EdgeScope}). */
  readonly scope?: EdgeScope | null;
  /**
   * The release's codes (for a snapshot), or nodes a supplement introduces (tabular
   * chapters and blocks): upserted, never retiring others.
   */
  readonly codes: readonly ReleaseCode[];
  readonly annotations: readonly CodeAnnotation[];
  readonly edges: readonly ReleaseEdge[];
  readonly unresolved: readonly UnresolvedReference[];
}

export interface ParseOptions {
  /** Release label and date when the file's name or content does not tell. */
  readonly version?: string;
  readonly effective?: IsoDate;
  /**
   * The day of the import where the service reads today (CODEGRAPH_TIME_ZONE), for files
   * dated by their import: a claims extract without `effective`.
   */
  readonly today?: IsoDate;
  /** Minimum encounters for a claims pairing to be kept. */
  readonly minSupport?: number;
  /**
   * The family a claims file is a snapshot of (default: the file's name): a later file
   * under the same label replaces its pairings.
   */
  readonly label?: string;
  /** Progress as the file is read: bytes read of the file's size, rows so far. */
  readonly onProgress?: (progress: { bytes: number; totalBytes: number; rows: number }) => void;
}

/** One format's parser module: recognises its files and reads them. */
export interface FormatParser {
  readonly format: FormatId;
  /**
   * The system a file of this format is a release of (an order file, the HCPCS annual
   * file, ICD-9-CM titles, a CPT file); absent for supplements, which carry their own
   * year (the tabular list, conversion tables, GEMs, claims).
   */
  readonly releaseOf?: CodeSystemId;
  /** A short description for `codegraph import --help` and error messages. */
  readonly description: string;
  /** Whether the file's first lines (and name) look like this format. */
  sniff(head: string, fileName: string): boolean;
  parse(path: string, options: ParseOptions): Promise<ParsedFile>;
}
