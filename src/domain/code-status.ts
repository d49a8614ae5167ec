import { CodeKind } from "./code-kind.js";
import { type IsoDate } from "./dates.js";
import { codeSystemInfo } from "./code-system.js";
import { type CodeNode, earliestValidDay, nodeValidity, versionAt } from "./graph.js";

/** What a code is on a given date, for someone about to report it. */
export enum CodeStatus {
  /** Valid and reportable on the date. */
  VALID = "VALID",
  /** Valid but a header (chapter, block, category with subdivisions): not reportable. */
  HEADER = "HEADER",
  /** No longer valid on the date: deleted by a release (see its replacements), or its system ended (ICD-9-CM: see its crosswalks). */
  DELETED = "DELETED",
  /** Not valid yet on the date: added by a later release. */
  NOT_YET_VALID = "NOT_YET_VALID",
  /** Well-formed, but no such code in the graph. */
  UNKNOWN = "UNKNOWN",
  /** Not a well-formed code. */
  INVALID = "INVALID",
  /** Well-formed in more than one system and present in more than one: give the system. */
  AMBIGUOUS = "AMBIGUOUS",
}

/** The status of a known code on `asOf`. */
export function statusAt(
  node: CodeNode,
  asOf: IsoDate,
): CodeStatus.VALID | CodeStatus.HEADER | CodeStatus.DELETED | CodeStatus.NOT_YET_VALID {
  const version = versionAt(node, asOf);
  if (!version) {
    const start = earliestValidDay(node);
    return start !== null && asOf < start ? CodeStatus.NOT_YET_VALID : CodeStatus.DELETED;
  }
  return version.billable || node.kind === CodeKind.MODIFIER ? CodeStatus.VALID : CodeStatus.HEADER;
}

/**
 * The date on which to walk a code's hierarchy. A code asked about outside its validity
 * is shown where it stood on its last valid day (or its first, before it began): an
 * ICD-9-CM code asked about today still shows its chapter and category.
 */
export function hierarchyDate(node: CodeNode, asOf: IsoDate): IsoDate {
  if (versionAt(node, asOf)) return asOf;
  const { validTo } = nodeValidity(node);
  const validFrom = earliestValidDay(node);
  if (validFrom !== null && asOf < validFrom) return validFrom;
  if (validTo !== null && asOf > validTo) return validTo;
  // Between two versions: the end of the one before.
  const before = [...node.versions].reverse().find((v) => v.validTo !== null && v.validTo < asOf);
  return before?.validTo ?? asOf;
}

/**
 * The last day on or before `asOf` on which both codes were valid, or null when they
 * never were together by then. Where both are valid on `asOf`, that day itself; for two
 * ICD-9-CM codes asked about today, 2015-09-30. A code not yet valid on `asOf` has no
 * such day: its place in a hierarchy is not known before it begins.
 */
export function lastCommonDay(a: CodeNode, b: CodeNode, asOf: IsoDate): IsoDate | null {
  let best: IsoDate | null = null;
  for (const [fromA, toA] of spans(a)) {
    for (const [fromB, toB] of spans(b)) {
      const from = later(fromA, fromB);
      const to = earlier(earlier(toA, toB), asOf)!;
      if ((from === null || from <= to) && (best === null || to > best)) best = to;
    }
  }
  return best;
}

/** Each version's span, starting no earlier than the system did (null: open). */
function spans(node: CodeNode): [IsoDate | null, IsoDate | null][] {
  const systemStart = codeSystemInfo(node.system).inUseFrom;
  return node.versions.map((v) => [later(v.validFrom, systemStart), v.validTo]);
}

/** The later of two starts, where null is open (earliest). */
function later(x: IsoDate | null, y: IsoDate | null): IsoDate | null {
  if (x === null) return y;
  if (y === null) return x;
  return x > y ? x : y;
}

/** The earlier of two ends, where null is open (latest). */
function earlier(x: IsoDate | null, y: IsoDate | null): IsoDate | null {
  if (x === null) return y;
  if (y === null) return x;
  return x < y ? x : y;
}
