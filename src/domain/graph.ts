import { type CodeKind, type CodeLevel } from "./code-kind.js";
import { type CodeSystemId, codeSystemInfo } from "./code-system.js";
import { type IsoDate, isValidAt, type Validity } from "./dates.js";
import {
  encodeGemFlags,
  type ExclusionKind,
  type GemFlags,
  type PairingKind,
  Relation,
} from "./relationship.js";

/**
 * One state of a code between two releases: titles are revised and a code can turn
 * from billable into a header (B88.0 in FY2026) while its id stays the same.
 */
export interface CodeVersion extends Validity {
  readonly title: string;
  readonly shortTitle: string | null;
  readonly billable: boolean;
}

/** A code node as the stores hold it: plain data, no behaviour. */
export interface CodeNode {
  /** `SYSTEM:CODE`. */
  readonly id: string;
  readonly system: CodeSystemId;
  /** Canonical code inside its system. */
  readonly code: string;
  readonly kind: CodeKind;
  readonly level: CodeLevel;
  /** Versions in date order, never empty, never overlapping. */
  readonly versions: readonly CodeVersion[];
  /** Inclusion terms and other names the code is found by. */
  readonly synonyms: readonly string[];
  /** Systems a GEM lists as having no equivalent for this code. */
  readonly noMapTo: readonly CodeSystemId[];
  /** Per-system details (HCPCS action code, BETOS ...), flat string pairs. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * The overall span of a node: first day of its first version to last of its last. An
 * unknown start stays null here (the API says "unknown"); `versionAt` applies the
 * system's own first day.
 */
export function nodeValidity(node: CodeNode): Validity {
  const first = node.versions[0]!;
  const last = node.versions[node.versions.length - 1]!;
  return { validFrom: first.validFrom, validTo: last.validTo };
}

/** The first day a node can be valid: its own start, else its system's, else null. */
export function earliestValidDay(node: CodeNode): IsoDate | null {
  return node.versions[0]!.validFrom ?? codeSystemInfo(node.system).inUseFrom;
}

/**
 * The version in force on `asOf`, or undefined when the code was not valid then. A
 * version whose start is unknown (the first release imported) still starts no earlier
 * than its system did: no ICD-10-CM code is valid in 2012.
 */
export function versionAt(node: CodeNode, asOf: IsoDate): CodeVersion | undefined {
  const systemStart = codeSystemInfo(node.system).inUseFrom;
  if (systemStart !== null && asOf < systemStart) return undefined;
  for (let i = node.versions.length - 1; i >= 0; i--) {
    const v = node.versions[i]!;
    if (isValidAt(v, asOf)) return v;
  }
  return undefined;
}

/** The newest version: what a node shows when it is not valid on the date asked. */
export function latestVersion(node: CodeNode): CodeVersion {
  return node.versions[node.versions.length - 1]!;
}

interface EdgeBase extends Validity {
  readonly from: string;
  readonly to: string;
  /** Where the edge comes from: a release file, a guideline, a claims extract. */
  readonly source: string;
}

export interface SubsetOfEdge extends EdgeBase {
  readonly relation: Relation.SUBSET_OF;
}

export interface PairedWithEdge extends EdgeBase {
  readonly relation: Relation.PAIRED_WITH;
  readonly kind: PairingKind;
  /** Strength in [0, 1] where the source gives one (claims confidence, curated weight). */
  readonly score: number | null;
  /** Number of encounters carrying both codes (claims pairings). */
  readonly support: number | null;
  /** P(to | from) over encounters (claims pairings). */
  readonly confidence: number | null;
  /** P(from | to) over encounters (claims pairings). */
  readonly reverseConfidence: number | null;
  /** Confidence divided by the base rate of `to` (claims pairings). */
  readonly lift: number | null;
  /** The instruction's wording or a curator's reason. */
  readonly note: string | null;
}

export interface ReplacesEdge extends EdgeBase {
  readonly relation: Relation.REPLACES;
  /** First day the new code is to be used instead of the old one. */
  readonly effective: IsoDate;
}

export interface MapsToEdge extends EdgeBase {
  readonly relation: Relation.MAPS_TO;
  readonly flags: GemFlags;
}

export interface ExcludesEdge extends EdgeBase {
  readonly relation: Relation.EXCLUDES;
  readonly kind: ExclusionKind;
  readonly note: string | null;
}

export type GraphEdge = SubsetOfEdge | PairedWithEdge | ReplacesEdge | MapsToEdge | ExcludesEdge;

/**
 * What makes two edges the same edge: loading a record twice must not duplicate it.
 * Two sources may say the same pairing: those stay separate edges, each with its evidence.
 *
 * Hierarchy, pairing and exclusion edges are keyed by their `source` too, which names
 * what opened the edge: a release file (`icd10cm_order_2025.txt`), or a snapshot of an
 * edge family with its version (`ICD-10-CM tabular FY2021`). A release or snapshot that
 * states a held edge again keeps it, so there is one edge per span; an edge that ends
 * and later returns (a code listed again, moved back to an earlier parent, an exclusion
 * restated) is opened by a later file and is a second edge, and the first keeps its
 * dates. The start date is not the key: it can be learnt later (a conversion table
 * stating the first day of a code whose first release left it unknown), and an edge
 * cannot be re-keyed without removing the old one, which the store port does not do.
 */
export function edgeKey(edge: GraphEdge): string {
  const head = `${edge.relation}|${edge.from}|${edge.to}`;
  switch (edge.relation) {
    case Relation.SUBSET_OF:
      return `${head}|${edge.source}`;
    case Relation.PAIRED_WITH:
      return `${head}|${edge.kind}|${edge.source}`;
    case Relation.REPLACES:
      return `${head}|${edge.source}`;
    case Relation.MAPS_TO:
      return `${head}|${encodeGemFlags(edge.flags)}`;
    case Relation.EXCLUDES:
      return `${head}|${edge.kind}|${edge.source}`;
    default:
      return assertNever(edge);
  }
}

/** Metadata of one imported release file. */
export interface ReleaseInfo {
  readonly system: CodeSystemId;
  /** Release label, such as `FY2026` or `2019`. */
  readonly version: string;
  /** First day the release is in force. */
  readonly effective: IsoDate;
  /** What the release file was (name and format). */
  readonly source: string;
  readonly importedAt: string;
  /** Hex SHA-256 of the file, to recognise a re-import. */
  readonly sha256: string;
  readonly codeCount: number;
}

/** Everything a parser or the seed loader produces, ready for the bulk-load path. */
export interface GraphRecords {
  readonly codes: readonly CodeNode[];
  readonly edges: readonly GraphEdge[];
  readonly releases: readonly ReleaseInfo[];
}

/**
 * Code-unit order of ids and codes: the order siblings, pages and ties are listed in.
 * Canonical codes sort as their code sets list them (E11 < E11.0 < E11.00 < E11.9 < E11.A).
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
