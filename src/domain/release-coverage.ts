import { CodeSystemId, codeSystemInfo } from "./code-system.js";
import { fiscalYearOf, type IsoDate } from "./dates.js";
import { assertNever, type ReleaseInfo } from "./graph.js";

/**
 * The last day the newest imported release of a system describes: after it, a release
 * not in the graph may have added, deleted or revised codes, so an answer for a later date
 * may be out of date. ICD-10-CM and ICD-10-PCS releases cover their fiscal year (to 30
 * September; an April update to the same 30 September); HCPCS and CPT releases their
 * calendar year (HCPCS quarterly updates within it are not waited for). Null for a system
 * no longer in use (ICD-9-CM ended 2015-09-30: nothing can change it), or when no release
 * of the system is held.
 */
export function coveredThrough(
  system: CodeSystemId,
  releases: readonly ReleaseInfo[],
): IsoDate | null {
  if (codeSystemInfo(system).endedOn !== null) return null;
  let newest: IsoDate | null = null;
  for (const r of releases) if (newest === null || r.effective > newest) newest = r.effective;
  if (newest === null) return null;
  switch (system) {
    case CodeSystemId.ICD10CM:
    case CodeSystemId.ICD10PCS:
      return `${fiscalYearOf(newest)}-09-30`;
    case CodeSystemId.HCPCS:
    case CodeSystemId.CPT:
      return `${newest.slice(0, 4)}-12-31`;
    case CodeSystemId.ICD9CM:
      return null;
    default:
      return assertNever(system);
  }
}

/**
 * Why an answer about `system` on `asOf` may be wrong, or null when the releases held
 * cover that day (or the system is frozen): after the newest release's period a later
 * release may have changed the code; before the oldest release, codes deleted earlier are
 * not held and first days may be unknown.
 */
export function coverageWarning(
  system: CodeSystemId,
  releases: readonly ReleaseInfo[],
  asOf: IsoDate,
): string | null {
  if (codeSystemInfo(system).endedOn !== null) return null;
  const through = coveredThrough(system, releases);
  if (through === null)
    return `no ${system} release is imported: the graph's ${system} codes may be out of date`;
  const byDate = [...releases].sort((a, b) => (a.effective < b.effective ? -1 : 1));
  const [oldest, newest] = [byDate[0]!, byDate[byDate.length - 1]!];
  if (asOf > through)
    return `the newest ${system} release imported (${newest.version}) covers through ${through}: a later release may have changed this code on ${asOf}`;
  if (asOf < oldest.effective)
    return `the oldest ${system} release imported (${oldest.version}) takes effect ${oldest.effective}: on ${asOf} the graph may lack codes deleted before it and may not know every code's first day`;
  return null;
}
