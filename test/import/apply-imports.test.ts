import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { versionAt } from "../../src/domain/graph.js";
import { Relation } from "../../src/domain/relationship.js";
import { FormatId, type ParsedFile } from "../../src/import/records.js";
import { applyImports, importFiles, parseFiles } from "../../src/import/apply-imports.js";
import { ImportRefusedError } from "../../src/import/release-merge.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { type MemoryGraph } from "../../src/store/memory/memory-graph.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/icd10-order");
const CM2025 = join(FIXTURES, "icd10cm_order_2025.txt");
const CM2026 = join(FIXTURES, "icd10cm_order_2026.txt");
const PCS2026 = join(FIXTURES, "icd10pcs_order_2026.txt");
const BROKEN = join(FIXTURES, "broken_flag_2026.txt");

/** A memory store that records every graph its persist hook is asked to save. */
function storeWithPersist(fail = false): { store: MemoryStore; saved: MemoryGraph[] } {
  const saved: MemoryGraph[] = [];
  const store = new MemoryStore(undefined, async (graph) => {
    if (fail) throw new Error("disk full");
    saved.push(graph);
  });
  return { store, saved };
}

describe("importing order files into the embedded store", () => {
  it("loads a run in one write, and keeps the history of the next release", async () => {
    const { store, saved } = storeWithPersist();
    const first = await importFiles(store, [CM2025]);
    expect(first.written).toMatchObject({ codesWritten: 17, releasesWritten: 1 });
    expect(saved).toHaveLength(1);

    const second = await importFiles(store, [CM2026, PCS2026]);
    expect(saved).toHaveLength(2);
    expect(
      second.systems.map((s) => [s.system, s.added, s.changed, s.retired, s.unchanged]),
    ).toEqual([
      ["ICD10CM", 5, 2, 1, 14],
      ["ICD10PCS", 21, 0, 0, 0],
    ]);
    const [b880, l02212, s301xxa] = await store.getCodes([
      "ICD10CM:B88.0",
      "ICD10CM:L02.212",
      "ICD10CM:S30.1XXA",
    ]);
    expect(versionAt(b880!, "2025-09-30")?.billable).toBe(true);
    expect(versionAt(b880!, "2025-10-01")?.billable).toBe(false);
    expect(l02212!.versions.map((v) => [v.title, v.validFrom, v.validTo])).toEqual([
      ["Cutaneous abscess of back [any part, except buttock]", null, "2025-09-30"],
      ["Cutaneous abscess of back [any part, except buttock and flank]", "2025-10-01", null],
    ]);
    expect(s301xxa!.versions.at(-1)!.validTo).toBe("2025-09-30");
    const [releases] = await store.listReleases([CodeSystemId.ICD10CM]);
    expect(releases!.map((r) => r.version)).toEqual(["FY2025", "FY2026"]);
  });

  it("changes nothing, and writes nothing, when the same files are imported again", async () => {
    const { store, saved } = storeWithPersist();
    await importFiles(store, [CM2025, CM2026]);
    const graph = store.current;
    const again = await importFiles(store, [CM2026, CM2025]);
    expect(again.files.map((f) => f.status)).toEqual(["already-imported", "already-imported"]);
    expect(again.written).toBeNull();
    expect(again.records).toEqual({ codes: 0, edges: 0, releases: 0 });
    expect(store.current).toBe(graph);
    expect(saved).toHaveLength(1);
  });

  it("refuses an older release after a newer one and leaves the store as it was", async () => {
    const { store } = storeWithPersist();
    await importFiles(store, [CM2026]);
    const graph = store.current;
    await expect(importFiles(store, [CM2025])).rejects.toThrow(ImportRefusedError);
    expect(store.current).toBe(graph);
  });

  it("loads nothing of a run whose second file is broken", async () => {
    const { store, saved } = storeWithPersist();
    const graph = store.current;
    const error = await importFiles(store, [CM2025, BROKEN]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFileError);
    expect((error as SourceFileError).message).toMatch(
      /^broken_flag_2026\.txt:4: column 15 must hold the valid flag/,
    );
    expect(store.current).toBe(graph);
    expect(store.current.nodes.size).toBe(0);
    expect(saved).toHaveLength(0);
  });

  it("loads nothing of a run refused half way (the second release of the run is out of order)", async () => {
    const { store } = storeWithPersist();
    await importFiles(store, [CM2026]);
    const graph = store.current;
    // PCS FY2026 alone would be fine; the CM FY2025 beside it is refused, so neither loads.
    await expect(importFiles(store, [PCS2026, CM2025])).rejects.toThrow(
      /ICD10CM FY2025 .* not newer than FY2026/,
    );
    expect(store.current).toBe(graph);
    expect(store.current.codesOf(CodeSystemId.ICD10PCS)).toHaveLength(0);
  });

  it("keeps the old graph when saving the new one fails", async () => {
    const { store } = storeWithPersist(true);
    const graph = store.current;
    await expect(importFiles(store, [CM2025])).rejects.toThrow("disk full");
    expect(store.current).toBe(graph);
  });

  it("merges and reports on a dry run without writing", async () => {
    const { store, saved } = storeWithPersist();
    const parsed = await parseFiles([CM2025]);
    const result = await applyImports(store, parsed, { dryRun: true });
    expect(result.written).toBeNull();
    expect(result.records.codes).toBe(17);
    expect(result.systems[0]!.added).toBe(17);
    expect(store.current.nodes.size).toBe(0);
    expect(saved).toHaveLength(0);
  });

  it("finds a retired code's closed hierarchy edge, so restating it changes nothing", async () => {
    const { store } = storeWithPersist();
    await importFiles(store, [CM2025, CM2026]);
    const restated: ParsedFile = {
      file: "/data/tabular.xml",
      format: FormatId.ICD10CM_TABULAR,
      sha256: "0".repeat(64),
      rows: 1,
      snapshot: null,
      codes: [],
      annotations: [],
      edges: [
        {
          relation: Relation.SUBSET_OF,
          from: "ICD10CM:S30.1XXA",
          to: "ICD10CM:S30.1",
          source: "tabular",
          validFrom: null,
          validTo: null,
          line: 1,
        },
      ],
      unresolved: [],
    };
    const first = await applyImports(store, [restated]);
    expect(first.records).toEqual({ codes: 0, edges: 0, releases: 0 });
    expect(first.written).toBeNull();
  });

  it("reports its stages in order", async () => {
    const { store } = storeWithPersist();
    const stages: string[] = [];
    await importFiles(store, [CM2025], { onStage: (s) => stages.push(s) });
    expect(stages).toEqual(["reading-store", "merging", "writing"]);
  });
});

describe("--version and --effective name one release", () => {
  const ICD9 = join(PROJECT_ROOT, "test/fixtures/import/icd9cm-titles");
  const HCPCS = join(PROJECT_ROOT, "test/fixtures/import/hcpcs-annual/valid-2019.txt");

  it.each([
    [
      "files of two systems",
      { effective: "2025-10-01" },
      [CM2026, HCPCS],
      "--effective 2025-10-01 applies to every file of a run, and these files are not one release: icd10cm_order_2026.txt (icd10cm-order, ICD10CM), valid-2019.txt (hcpcs-annual, HCPCS); run them separately, each with its own --effective",
    ],
    [
      "two releases of one system",
      { version: "FY2026" },
      [CM2025, CM2026],
      "--version FY2026 applies to every file of a run, and these files are not one release: icd10cm_order_2025.txt (icd10cm-order, ICD10CM), icd10cm_order_2026.txt (icd10cm-order, ICD10CM); run them separately, each with its own --version",
    ],
  ] as const)("refuses %s, before reading any", async (_, options, paths, message) => {
    const read: string[] = [];
    await expect(
      parseFiles(paths, { ...options, onFile: (path) => read.push(path) }),
    ).rejects.toThrow(message);
    expect(read).toEqual([]);
  });

  it("refuses a release with a supplement (a tabular or a conversion table has its own year)", async () => {
    const conversion = join(PROJECT_ROOT, "test/fixtures/import/conversion/valid.csv");
    await expect(
      parseFiles([CM2026, conversion], { version: "FY2026", effective: "2025-10-01" }),
    ).rejects.toThrow(
      /^--version FY2026 --effective 2025-10-01 applies to every file of a run, and these files are not one release: .*valid\.csv \(icd10cm-conversion, a supplement\); run them separately/,
    );
  });

  it("takes them for one file, or for the parts of one release (ICD-9-CM diagnosis and procedure titles)", async () => {
    const [one] = await parseFiles([CM2026], { version: "FY2027" });
    expect(one!.snapshot).toMatchObject({ version: "FY2027", effective: "2026-10-01" });
    const parts = await parseFiles(
      [join(ICD9, "CMS32_sample_DX.txt"), join(ICD9, "CMS32_sample_SG.txt")],
      { version: "v32", effective: "2014-10-01" },
    );
    expect(parts.map((p) => p.snapshot?.version)).toEqual(["v32", "v32"]);
  });
});

describe("a path that is not a file", () => {
  it.each([
    ["sniffed", {}],
    ["with --format", { format: FormatId.ICD10CM_ORDER }],
  ] as const)("a directory is refused by name, %s, before any file is read", async (_, options) => {
    const read: string[] = [];
    await expect(
      parseFiles([CM2025, FIXTURES], { ...options, onFile: (path) => read.push(path) }),
    ).rejects.toThrow(
      `${FIXTURES} is a directory: a release file is expected (give the files in it one by one)`,
    );
    expect(read).toEqual([]);
  });
});
