import { CodeKind } from "./code-kind.js";
import { type IsoDate } from "./dates.js";
import { type CodeNode, earliestValidDay, nodeValidity, versionAt } from "./graph.js";

/** What a code is on a given date, for someone about to report it. */
export enum CodeStatus {
  /** Valid and reportable on the date. */
  VALID = "VALID",
  /** Valid but a header (chapter, block, category with subdivisions): not reportable. */
  HEADER = "HEADER",
  /** No longer valid on the date: deleted by a release (see its replacements). */
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
