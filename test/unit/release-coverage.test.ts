import { describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type ReleaseInfo } from "../../src/domain/graph.js";
import { coveredThrough, coverageWarning } from "../../src/domain/release-coverage.js";

const release = (system: CodeSystemId, version: string, effective: string): ReleaseInfo => ({
  system,
  version,
  effective,
  source: "test",
  importedAt: "2026-01-01T00:00:00.000Z",
  sha256: "0".repeat(64),
  codeCount: 1,
});

describe("release coverage", () => {
  it("runs an ICD-10 release to the end of its fiscal year, an April update included", () => {
    const fy2026 = release(CodeSystemId.ICD10CM, "FY2026", "2025-10-01");
    expect(coveredThrough(CodeSystemId.ICD10CM, [fy2026])).toBe("2026-09-30");
    const april = release(CodeSystemId.ICD10PCS, "FY2023-April", "2023-04-01");
    expect(coveredThrough(CodeSystemId.ICD10PCS, [april])).toBe("2023-09-30");
  });

  it("runs HCPCS and CPT releases to the end of their calendar year, by the newest held", () => {
    const releases = [
      release(CodeSystemId.HCPCS, "2019", "2019-01-01"),
      release(CodeSystemId.HCPCS, "2018", "2018-01-01"),
    ];
    expect(coveredThrough(CodeSystemId.HCPCS, releases)).toBe("2019-12-31");
    expect(
      coveredThrough(CodeSystemId.CPT, [release(CodeSystemId.CPT, "2021", "2021-01-01")]),
    ).toBe("2021-12-31");
  });

  it("warns after the covered day, before the oldest release, when nothing is imported, and never for a frozen system", () => {
    const fy2026 = [release(CodeSystemId.ICD10CM, "FY2026", "2025-10-01")];
    expect(coverageWarning(CodeSystemId.ICD10CM, fy2026, "2026-09-30")).toBeNull();
    expect(coverageWarning(CodeSystemId.ICD10CM, fy2026, "2026-10-01")).toMatch(
      /FY2026\) covers through 2026-09-30/,
    );
    expect(coverageWarning(CodeSystemId.ICD10CM, fy2026, "2025-10-01")).toBeNull();
    expect(coverageWarning(CodeSystemId.ICD10CM, fy2026, "2025-09-30")).toMatch(
      /oldest ICD10CM release imported \(FY2026\) takes effect 2025-10-01: on 2025-09-30 the graph may lack codes deleted before it/,
    );
    expect(coverageWarning(CodeSystemId.HCPCS, [], "2020-01-01")).toMatch(
      /no HCPCS release is imported/,
    );
    expect(coverageWarning(CodeSystemId.ICD9CM, [], "2026-01-01")).toBeNull();
    expect(coveredThrough(CodeSystemId.ICD9CM, [])).toBeNull();
  });
});
