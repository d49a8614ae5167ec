import { describe, expect, it } from "vitest";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { CodeStatus, statusAt } from "../../src/domain/code-status.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import {
  type CodeNode,
  edgeKey,
  type PairedWithEdge,
  type ReleaseInfo,
} from "../../src/domain/graph.js";
import { Direction, ExclusionKind, PairingKind, Relation } from "../../src/domain/relationship.js";
import {
  type CodeAnnotation,
  FormatId,
  type ParsedFile,
  type ReleaseCode,
  type ReleaseEdge,
  type UnresolvedReference,
} from "../../src/import/records.js";
import {
  type HeldGraph,
  ImportRefusedError,
  type MergeOptions,
  MergeUnresolved,
  orderForMerge,
  releaseParts,
  ReleaseMerge,
  type SystemSummary,
} from "../../src/import/release-merge.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";

// ── Builders ───────────────────────────────────────────────────────────────────────

const CM = CodeSystemId.ICD10CM;
const I9 = CodeSystemId.ICD9CM;

function code(
  id: string,
  title: string,
  billable: boolean,
  level: CodeLevel,
  extra: Partial<ReleaseCode> = {},
): ReleaseCode {
  const [system, c] = id.split(":") as [CodeSystemId, string];
  const kind =
    system === I9 && !c.includes(".") && c.length === 2 ? CodeKind.PROCEDURE : CodeKind.DIAGNOSIS;
  return {
    id,
    system,
    code: c,
    kind,
    level,
    title,
    shortTitle: title,
    billable,
    line: 1,
    ...extra,
  };
}

/** The FY2025 and FY2026 codes of one small corner of ICD-10-CM. */
const E11 = code("ICD10CM:E11", "Type 2 diabetes mellitus", false, CodeLevel.CATEGORY);
const E116 = code(
  "ICD10CM:E11.6",
  "Type 2 diabetes mellitus with other specified complications",
  false,
  CodeLevel.SUBCATEGORY,
);
const E1165 = code(
  "ICD10CM:E11.65",
  "Type 2 diabetes mellitus with hyperglycemia",
  true,
  CodeLevel.CODE,
);
const E119 = code(
  "ICD10CM:E11.9",
  "Type 2 diabetes mellitus without complications",
  true,
  CodeLevel.CODE,
);
const B880 = code("ICD10CM:B88.0", "Other acariasis", true, CodeLevel.CODE);
const B88 = code("ICD10CM:B88", "Other infestations", false, CodeLevel.CATEGORY);
const S301XXA = code(
  "ICD10CM:S30.1XXA",
  "Contusion of abdominal wall, initial encounter",
  true,
  CodeLevel.CODE,
);
const S301 = code("ICD10CM:S30.1", "Contusion of abdominal wall", false, CodeLevel.SUBCATEGORY);
const S30 = code("ICD10CM:S30", "Superficial injury of abdomen", false, CodeLevel.CATEGORY);

const FY2025 = [E11, E116, E1165, E119, B88, B880, S30, S301, S301XXA];
const FY2026 = [
  E11,
  E116,
  E1165,
  { ...E119, title: "Type 2 diabetes mellitus without complications (revised)" },
  code(
    "ICD10CM:E11.A",
    "Type 2 diabetes mellitus without complications in remission",
    true,
    CodeLevel.CODE,
  ),
  B88,
  { ...B880, billable: false, level: CodeLevel.SUBCATEGORY },
  code("ICD10CM:B88.01", "Infestation by Demodex mites", true, CodeLevel.CODE),
  S30,
  S301,
  code("ICD10CM:S30.11", "Contusion of abdominal wall", false, CodeLevel.SUBCATEGORY),
  code("ICD10CM:S30.11XA", "Contusion of abdominal wall, initial encounter", true, CodeLevel.CODE),
];

const ORDER_LEVELS = new Set([CodeLevel.CATEGORY, CodeLevel.SUBCATEGORY, CodeLevel.CODE]);

function cmRelease(
  version: string,
  effective: string,
  codes: readonly ReleaseCode[],
  sha = version,
): ParsedFile {
  return {
    file: `/data/icd10cm_order_${version}.txt`,
    format: FormatId.ICD10CM_ORDER,
    sha256: sha.padEnd(64, "0").replace(/[^0-9a-f]/g, "a"),
    rows: codes.length,
    snapshot: {
      system: CM,
      version,
      effective,
      covers: (n: CodeNode) => n.system === CM && ORDER_LEVELS.has(n.level),
    },
    codes,
    annotations: [],
    edges: [],
    unresolved: [],
  };
}

function supplement(
  format: FormatId,
  parts: { codes?: ReleaseCode[]; edges?: ReleaseEdge[]; annotations?: CodeAnnotation[] },
): ParsedFile {
  return {
    file: `/data/${format}.txt`,
    format,
    sha256: "f".repeat(64),
    rows: 1,
    snapshot: null,
    codes: parts.codes ?? [],
    annotations: parts.annotations ?? [],
    edges: parts.edges ?? [],
    unresolved: [],
  };
}

/** The tabular's share: a chapter, a block (with its chapter as parent) and category → block edges. */
function tabular(extraEdges: ReleaseEdge[] = []): ParsedFile {
  return supplement(FormatId.ICD10CM_TABULAR, {
    codes: [
      code(
        "ICD10CM:E00-E89",
        "Endocrine, nutritional and metabolic diseases",
        false,
        CodeLevel.CHAPTER,
        { parent: null },
      ),
      code("ICD10CM:E08-E13", "Diabetes mellitus", false, CodeLevel.BLOCK, {
        parent: "ICD10CM:E00-E89",
        synonyms: ["diabetes"],
      }),
    ],
    edges: [subsetOf("ICD10CM:E11", "ICD10CM:E08-E13"), ...extraEdges],
    annotations: [{ id: "ICD10CM:E11.9", synonyms: ["type II diabetes NOS"], line: 9 }],
  });
}

function subsetOf(from: string, to: string): ReleaseEdge {
  return {
    relation: Relation.SUBSET_OF,
    from,
    to,
    source: "tabular",
    validFrom: null,
    validTo: null,
    line: 7,
  };
}

/**
 * Runs the merge as `applyImports` does, without a store: each run sees the graph the
 * previous runs left (a MemoryGraph with their records applied).
 */
class Harness {
  graph = MemoryGraph.empty();

  run(...files: ParsedFile[]) {
    return this.runWith({}, ...files);
  }

  runWith(options: MergeOptions, ...files: ParsedFile[]) {
    const held: HeldGraph = {
      nodes: this.graph.nodes,
      edges: this.graph.edges,
      releases: this.graph.releases,
    };
    const merge = new ReleaseMerge(held, "2026-01-01T00:00:00.000Z", options);
    const outcomes = orderForMerge(files).map((f) => merge.merge(f));
    const hierarchy = merge.finish();
    const records = merge.records();
    this.graph = this.graph.withRecords(records);
    return { outcomes, records, hierarchy, summary: merge.summary() };
  }

  node(id: string): CodeNode {
    const n = this.graph.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** SUBSET_OF edges leaving a node, as `to validFrom..validTo`. */
  parents(id: string): string[] {
    return [...this.graph.edges.values()]
      .filter((e) => e.relation === Relation.SUBSET_OF && e.from === id)
      .map((e) => `${e.to} ${e.validFrom ?? "…"}..${e.validTo ?? "…"}`)
      .sort();
  }

  /** Versions as `billable title validFrom..validTo`. */
  versions(id: string): string[] {
    return this.node(id).versions.map(
      (v) => `${v.billable ? "B" : "H"} ${v.title} ${v.validFrom ?? "…"}..${v.validTo ?? "…"}`,
    );
  }
}

const counts = (s: SystemSummary | undefined) =>
  s && {
    added: s.added,
    changed: s.changed,
    retired: s.retired,
    unchanged: s.unchanged,
    edgesAdded: s.edgesAdded,
    edgesClosed: s.edgesClosed,
  };

// ── Snapshots ──────────────────────────────────────────────────────────────────────

describe("the first release of a system", () => {
  it("opens every code with an unknown start (validFrom null) and links it to its nearest prefix", () => {
    const h = new Harness();
    const { outcomes, summary } = h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    expect(outcomes[0]).toMatchObject({ status: "merged", release: { version: "FY2025" } });
    expect(counts(summary[0])).toEqual({
      added: 9,
      changed: 0,
      retired: 0,
      unchanged: 0,
      edgesAdded: 6,
      edgesClosed: 0,
    });
    expect(h.versions("ICD10CM:E11.65")).toEqual([
      "B Type 2 diabetes mellitus with hyperglycemia …..…",
    ]);
    expect(h.parents("ICD10CM:E11.65")).toEqual(["ICD10CM:E11.6 …..…"]);
    expect(h.parents("ICD10CM:E11.9")).toEqual(["ICD10CM:E11 …..…"]);
    // A category with no prefix and no block held has no parent yet.
    expect(h.parents("ICD10CM:E11")).toEqual([]);
  });

  it("records the release with its file, format and SHA-256", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    const [release] = h.graph.releases as ReleaseInfo[];
    expect(release).toMatchObject({
      system: CM,
      version: "FY2025",
      effective: "2024-10-01",
      codeCount: 9,
      importedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(release!.source).toBe(
      `icd10cm_order_FY2025.txt [icd10cm-order sha256:${release!.sha256}]`,
    );
  });
});

describe("a later release", () => {
  const twoReleases = () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    return { h, ...h.run(cmRelease("FY2026", "2025-10-01", FY2026)) };
  };

  it("opens new codes on its effective date", () => {
    const { h } = twoReleases();
    expect(h.versions("ICD10CM:E11.A")).toEqual([
      "B Type 2 diabetes mellitus without complications in remission 2025-10-01..…",
    ]);
    expect(h.parents("ICD10CM:E11.A")).toEqual(["ICD10CM:E11 2025-10-01..…"]);
  });

  it("keeps a revised title's history: the old version closes the day before", () => {
    const { h } = twoReleases();
    expect(h.versions("ICD10CM:E11.9")).toEqual([
      "B Type 2 diabetes mellitus without complications …..2025-09-30",
      "B Type 2 diabetes mellitus without complications (revised) 2025-10-01..…",
    ]);
  });

  it("versions a billable code turned header, and its level follows", () => {
    const { h } = twoReleases();
    expect(h.versions("ICD10CM:B88.0")).toEqual([
      "B Other acariasis …..2025-09-30",
      "H Other acariasis 2025-10-01..…",
    ]);
    expect(h.node("ICD10CM:B88.0").level).toBe(CodeLevel.SUBCATEGORY);
    expect(h.parents("ICD10CM:B88.01")).toEqual(["ICD10CM:B88.0 2025-10-01..…"]);
  });

  it("retires codes it no longer lists, with their hierarchy edges", () => {
    const { h } = twoReleases();
    expect(h.versions("ICD10CM:S30.1XXA")).toEqual([
      "B Contusion of abdominal wall, initial encounter …..2025-09-30",
    ]);
    expect(h.parents("ICD10CM:S30.1XXA")).toEqual(["ICD10CM:S30.1 …..2025-09-30"]);
  });

  it("counts per system and writes only what changed", () => {
    const { summary, records } = twoReleases();
    expect(counts(summary[0])).toEqual({
      added: 4,
      changed: 2,
      retired: 1,
      unchanged: 6,
      edgesAdded: 4,
      edgesClosed: 1,
    });
    // 4 added, 2 revised, 1 retired; the 6 unchanged codes are not rewritten.
    expect(records.codes.map((c) => c.id).sort()).toEqual([
      "ICD10CM:B88.0",
      "ICD10CM:B88.01",
      "ICD10CM:E11.9",
      "ICD10CM:E11.A",
      "ICD10CM:S30.11",
      "ICD10CM:S30.11XA",
      "ICD10CM:S30.1XXA",
    ]);
  });

  it("moves a code to a nearer parent: the old edge closes, the new one opens", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", [E11, E1165]));
    expect(h.parents("ICD10CM:E11.65")).toEqual(["ICD10CM:E11 …..…"]);
    h.run(cmRelease("FY2026", "2025-10-01", [E11, E116, E1165]));
    expect(h.parents("ICD10CM:E11.65")).toEqual([
      "ICD10CM:E11 …..2025-09-30",
      "ICD10CM:E11.6 2025-10-01..…",
    ]);
  });

  it("gives a deleted code listed again a new version", () => {
    const h = new Harness();
    h.run(cmRelease("FY2024", "2023-10-01", [S30, S301, S301XXA]));
    h.run(cmRelease("FY2025", "2024-10-01", [S30, S301]));
    const { summary } = h.run(cmRelease("FY2026", "2025-10-01", [S30, S301, S301XXA]));
    expect(summary[0]!.added).toBe(1);
    expect(h.versions("ICD10CM:S30.1XXA")).toEqual([
      "B Contusion of abdominal wall, initial encounter …..2024-09-30",
      "B Contusion of abdominal wall, initial encounter 2025-10-01..…",
    ]);
  });
});

describe("release order and re-imports", () => {
  it("does nothing for a release file imported before", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    const before = h.graph;
    const { outcomes, records, summary } = h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    expect(outcomes[0]!.status).toBe("already-imported");
    expect(records).toEqual({ codes: [], edges: [], releases: [] });
    expect(summary).toEqual([]);
    expect(h.graph.nodes).toEqual(before.nodes);
  });

  it("refuses another file under a version already held", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    expect(() => h.run(cmRelease("FY2025", "2024-10-01", FY2025.slice(1), "other"))).toThrow(
      /ICD10CM FY2025 is already imported from another file/,
    );
  });

  it("refuses a release older than, or as old as, the newest held", () => {
    const h = new Harness();
    h.run(cmRelease("FY2026", "2025-10-01", FY2026));
    expect(() => h.run(cmRelease("FY2025", "2024-10-01", FY2025))).toThrow(ImportRefusedError);
    expect(() => h.run(cmRelease("FY2025", "2024-10-01", FY2025))).toThrow(
      /import releases oldest first/,
    );
    expect(() => h.run(cmRelease("FY2026b", "2025-10-01", FY2026))).toThrow(
      /is not newer than FY2026/,
    );
  });

  it("merges the files of one run oldest first, whatever the order given", () => {
    const h = new Harness();
    const { outcomes } = h.run(
      cmRelease("FY2026", "2025-10-01", FY2026),
      cmRelease("FY2025", "2024-10-01", FY2025),
    );
    expect(outcomes.map((o) => o.release?.version)).toEqual(["FY2025", "FY2026"]);
    expect(h.versions("ICD10CM:E11.A")[0]).toMatch(/2025-10-01\.\.…$/);
  });

  it("orders snapshots first, per system oldest first, supplements last in their order", () => {
    const gem = supplement(FormatId.GEM_I9_TO_I10, {});
    const tab = tabular();
    const order = orderForMerge([
      gem,
      cmRelease("FY2026", "2025-10-01", []),
      tab,
      cmRelease("FY2025", "2024-10-01", []),
    ]);
    expect(order.map((f) => f.snapshot?.version ?? f.format)).toEqual([
      "FY2025",
      "FY2026",
      "gem-i9-i10",
      "icd10cm-tabular",
    ]);
  });
});

describe("a release that would retire a large share of a system's codes", () => {
  // 300 billable categories A00 … C99; a release listing only some of them.
  const categories = ["A", "B", "C"].flatMap((letter) =>
    Array.from({ length: 100 }, (_, i) =>
      code(
        `ICD10CM:${letter}${String(i).padStart(2, "0")}`,
        `Category ${letter}${i}`,
        true,
        CodeLevel.CATEGORY,
      ),
    ),
  );

  it("is refused, naming the counts and the option that allows it: a file cut short at a line break looks like this", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", categories));
    expect(() => h.run(cmRelease("FY2026", "2025-10-01", categories.slice(0, 150)))).toThrow(
      new ImportRefusedError(
        "/data/icd10cm_order_FY2026.txt: ICD10CM FY2026 would retire 150 of the 300 ICD10CM codes the graph holds (50.0%); a release retires a few hundred at most (ICD-10-CM FY2026: 12 of 97,584), so is the file cut short? If the release does retire them, import it again with --allow-mass-retirement",
      ),
    );
    // Nothing of it was kept: the next run starts from FY2025 as it was.
    expect(h.graph.releases.map((r) => r.version)).toEqual(["FY2025"]);
  });

  it("is merged when the run allows it", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", categories));
    const { summary } = h.runWith(
      { allowMassRetirement: true },
      cmRelease("FY2026", "2025-10-01", categories.slice(0, 150)),
    );
    expect(summary[0]).toMatchObject({ retired: 150, unchanged: 150 });
  });

  it("is merged unasked below 5% of the system, or below 100 codes (a share of a small graph tells nothing)", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", categories));
    expect(
      h.run(cmRelease("FY2026", "2025-10-01", categories.slice(0, 201))).summary[0],
    ).toMatchObject({
      retired: 99,
    });
    const big = new Harness();
    const many = [
      "A",
      "B",
      "C",
      "D",
      "E",
      "F",
      "G",
      "H",
      "I",
      "J",
      "K",
      "L",
      "M",
      "N",
      "O",
      "P",
      "Q",
      "R",
      "S",
      "T",
      "V",
    ].flatMap((letter) =>
      Array.from({ length: 100 }, (_, i) =>
        code(
          `ICD10CM:${letter}${String(i).padStart(2, "0")}`,
          `Category ${letter}${i}`,
          true,
          CodeLevel.CATEGORY,
        ),
      ),
    );
    big.run(cmRelease("FY2025", "2024-10-01", many));
    // 105 of 2,100: exactly 5%.
    expect(big.run(cmRelease("FY2026", "2025-10-01", many.slice(105))).summary[0]).toMatchObject({
      retired: 105,
    });
    expect(() => big.run(cmRelease("FY2027", "2026-10-01", many.slice(105 + 120)))).toThrow(
      /would retire 120 of the 1,995 ICD10CM codes the graph holds \(6\.0%\)/,
    );
  });
});

describe("ordering releases of two systems in one run", () => {
  it("sorts by system, then effective date, so a system's older release never follows its newer", () => {
    const pcs = (version: string, effective: string): ParsedFile => ({
      ...cmRelease(version, effective, []),
      file: `/data/icd10pcs_order_${version}.txt`,
      format: FormatId.ICD10PCS_ORDER,
      snapshot: {
        system: CodeSystemId.ICD10PCS,
        version,
        effective,
        covers: (n: CodeNode) => n.system === CodeSystemId.ICD10PCS,
      },
    });
    const files = [
      cmRelease("FY2025", "2024-10-01", FY2025),
      pcs("FY2024", "2023-10-01"),
      cmRelease("FY2023", "2022-10-01", FY2025, "FY2023"),
    ];
    const order = orderForMerge(files);
    expect(order.map((f) => `${f.snapshot!.system} ${f.snapshot!.version}`)).toEqual([
      "ICD10CM FY2023",
      "ICD10CM FY2025",
      "ICD10PCS FY2024",
    ]);
    // And the run as a whole is merged, not refused as out of order.
    const h = new Harness();
    expect(h.run(...files).outcomes.map((o) => o.status)).toEqual(["merged", "merged", "merged"]);
  });
});

describe("a frozen system (ICD-9-CM ended on 2015-09-30)", () => {
  const i9Part = (
    format: FormatId,
    kind: CodeKind,
    codes: ReleaseCode[],
    sha: string,
  ): ParsedFile => ({
    file: `/data/${format}.txt`,
    format,
    sha256: sha.repeat(64),
    rows: codes.length,
    snapshot: {
      system: I9,
      version: "v32",
      effective: "2014-10-01",
      covers: (n) => n.system === I9 && n.kind === kind && n.level === CodeLevel.CODE,
    },
    codes,
    annotations: [],
    edges: [],
    unresolved: [],
  });
  const dx = i9Part(
    FormatId.ICD9CM_DIAGNOSIS_TITLES,
    CodeKind.DIAGNOSIS,
    [
      code("ICD9CM:250", "Diabetes mellitus", false, CodeLevel.CATEGORY),
      code("ICD9CM:250.00", "Diabetes mellitus type II", true, CodeLevel.CODE),
    ],
    "1",
  );
  const sg = i9Part(
    FormatId.ICD9CM_PROCEDURE_TITLES,
    CodeKind.PROCEDURE,
    [
      {
        ...code("ICD9CM:47.01", "Laparoscopic appendectomy", true, CodeLevel.CODE),
        kind: CodeKind.PROCEDURE,
      },
    ],
    "2",
  );

  it("ends open versions and edges on the system's last day", () => {
    const h = new Harness();
    h.run(dx);
    expect(h.versions("ICD9CM:250.00")).toEqual(["B Diabetes mellitus type II …..2015-09-30"]);
    expect(h.parents("ICD9CM:250.00")).toEqual(["ICD9CM:250 …..2015-09-30"]);
  });

  it("takes a release in several files of different formats as one release with its parts", () => {
    const h = new Harness();
    h.run(dx);
    const { outcomes } = h.run(sg);
    expect(outcomes[0]!.status).toBe("merged");
    const releases = h.graph.releases.filter((r) => r.system === I9);
    expect(releases).toHaveLength(1);
    expect(releases[0]!.codeCount).toBe(3);
    expect(releases[0]!.source).toContain("[icd9cm-dx sha256:");
    expect(releases[0]!.source).toContain("[icd9cm-sg sha256:");
    // The procedure file did not retire the diagnoses, and both parts start unknown.
    expect(h.versions("ICD9CM:250.00")).toEqual(["B Diabetes mellitus type II …..2015-09-30"]);
    expect(h.versions("ICD9CM:47.01")).toEqual(["B Laparoscopic appendectomy …..2015-09-30"]);
    expect(h.run(dx).outcomes[0]!.status).toBe("already-imported");
    expect(h.run(sg).outcomes[0]!.status).toBe("already-imported");
    expect(() => h.run({ ...sg, sha256: "3".repeat(64) })).toThrow(
      /already imported from another file/,
    );
  });

  it("refuses a release dated after the system ended", () => {
    const h = new Harness();
    expect(() =>
      h.run({ ...dx, snapshot: { ...dx.snapshot!, version: "v33", effective: "2015-10-01" } }),
    ).toThrow(/ICD9CM ended on 2015-09-30/);
  });
});

// ── Supplements ────────────────────────────────────────────────────────────────────

describe("supplements", () => {
  it("add chapters and blocks without dates, join held categories to their block, add synonyms", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    const { summary, outcomes } = h.run(tabular());
    expect(h.versions("ICD10CM:E08-E13")).toEqual(["H Diabetes mellitus …..…"]);
    expect(h.parents("ICD10CM:E08-E13")).toEqual(["ICD10CM:E00-E89 …..…"]);
    expect(h.parents("ICD10CM:E11")).toEqual(["ICD10CM:E08-E13 …..…"]);
    expect(h.node("ICD10CM:E11.9").synonyms).toEqual(["type II diabetes NOS"]);
    expect(h.node("ICD10CM:E08-E13").synonyms).toEqual(["diabetes"]);
    expect(counts(summary[0])).toMatchObject({ added: 2, retired: 0, edgesAdded: 2 });
    expect(summary[0]!.annotated).toBe(1);
    expect(outcomes[0]!.unresolved).toEqual([]);
  });

  it("give the same category → block edge whether the tabular comes before or after the order file", () => {
    const after = new Harness();
    after.run(cmRelease("FY2025", "2024-10-01", FY2025));
    after.run(tabular());
    const before = new Harness();
    before.run(tabular());
    before.run(cmRelease("FY2025", "2024-10-01", FY2025));
    for (const h of [after, before])
      expect(h.parents("ICD10CM:E11")).toEqual(["ICD10CM:E08-E13 …..…"]);
    // The order file keeps the tabular's link at the next release: the same parent, unchanged.
    before.run(cmRelease("FY2026", "2025-10-01", FY2026));
    expect(before.parents("ICD10CM:E11")).toEqual(["ICD10CM:E08-E13 …..…"]);
  });

  it("place a category the block's range does not spell (Z3A in Z30-Z39), and later releases keep it there", () => {
    const z30 = code(
      "ICD10CM:Z30",
      "Encounter for contraceptive management",
      false,
      CodeLevel.CATEGORY,
    );
    const z3a = code("ICD10CM:Z3A", "Weeks of gestation", false, CodeLevel.CATEGORY);
    const block = supplement(FormatId.ICD10CM_TABULAR, {
      codes: [
        code(
          "ICD10CM:Z30-Z39",
          "Persons encountering health services in circumstances related to reproduction",
          false,
          CodeLevel.BLOCK,
          { parent: null },
        ),
      ],
      edges: [
        subsetOf("ICD10CM:Z30", "ICD10CM:Z30-Z39"),
        subsetOf("ICD10CM:Z3A", "ICD10CM:Z30-Z39"),
      ],
    });
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", [z30, z3a]), block);
    expect(h.parents("ICD10CM:Z3A")).toEqual(["ICD10CM:Z30-Z39 …..…"]);
    const { summary } = h.run(cmRelease("FY2026", "2025-10-01", [z30, z3a]));
    expect(summary[0]!.edgesClosed).toBe(0);
    expect(h.parents("ICD10CM:Z3A")).toEqual(["ICD10CM:Z30-Z39 …..…"]);
    expect(h.run(block).records).toEqual({ codes: [], edges: [], releases: [] });
  });

  it("leave a code's release hierarchy alone", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    h.run(tabular([subsetOf("ICD10CM:E11.65", "ICD10CM:E11")]));
    expect(h.parents("ICD10CM:E11.65")).toEqual(["ICD10CM:E11.6 …..…"]);
  });

  it("change nothing when run again", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    h.run(tabular());
    const { records, summary } = h.run(tabular());
    expect(records).toEqual({ codes: [], edges: [], releases: [] });
    expect(summary).toEqual([]);
  });

  it("count edges and annotations whose codes the graph lacks, with examples, and load none of them", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    const gem = supplement(FormatId.GEM_I10_TO_I9, {
      edges: [
        { ...pairing("ICD10CM:E11.9", "ICD10CM:E11.65"), line: 3 },
        { ...pairing("ICD10CM:E11.9", "ICD10CM:Z79.4"), line: 4 },
        { ...pairing("ICD10CM:E11.9", "ICD10CM:Z79.84"), line: 5 },
        { ...pairing("ICD10CM:Q99.9", "ICD10CM:E11.9"), line: 6 },
      ],
      annotations: [{ id: "ICD10CM:Z99.9", synonyms: ["x"], line: 8 }],
    });
    const { outcomes, records } = h.run(gem);
    // Annotations are merged before edges (first days decide successions).
    expect(outcomes[0]!.unresolved).toEqual([
      { reason: "code not in the graph", count: 1, examples: ["8: ICD10CM:Z99.9"] },
      {
        reason: "target not in the graph",
        count: 2,
        examples: ["4: ICD10CM:E11.9 → ICD10CM:Z79.4", "5: ICD10CM:E11.9 → ICD10CM:Z79.84"],
      },
      {
        reason: "source not in the graph",
        count: 1,
        examples: ["6: ICD10CM:Q99.9 → ICD10CM:E11.9"],
      },
    ]);
    expect(records.edges.map(edgeKey)).toEqual([
      edgeKey(pairing("ICD10CM:E11.9", "ICD10CM:E11.65")),
    ]);
  });

  it("restate an edge with new content, and skip one stated as held", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    const edge = { ...pairing("ICD10CM:E11.9", "ICD10CM:E11.65"), line: 3 };
    h.run(supplement(FormatId.ICD10CM_TABULAR, { edges: [edge] }));
    expect(h.run(supplement(FormatId.ICD10CM_TABULAR, { edges: [edge] })).records.edges).toEqual(
      [],
    );
    const renoted = h.run(
      supplement(FormatId.ICD10CM_TABULAR, { edges: [{ ...edge, note: "new wording" }] }),
    );
    expect(renoted.records.edges).toHaveLength(1);
  });

  it("unite no-map systems and attributes in a fixed order", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    h.run(
      supplement(FormatId.GEM_I10_TO_I9, {
        annotations: [
          { id: "ICD10CM:E11.9", noMapTo: CodeSystemId.ICD9CM, line: 1 },
          { id: "ICD10CM:E11.9", noMapTo: CodeSystemId.HCPCS, attributes: { b: "2" }, line: 2 },
          { id: "ICD10CM:E11.9", noMapTo: CodeSystemId.ICD9CM, attributes: { a: "1" }, line: 3 },
        ],
      }),
    );
    expect(h.node("ICD10CM:E11.9")).toMatchObject({
      noMapTo: [CodeSystemId.HCPCS, CodeSystemId.ICD9CM],
      attributes: { a: "1", b: "2" },
    });
  });
});

function pairing(from: string, to: string): PairedWithEdge {
  return {
    relation: Relation.PAIRED_WITH,
    from,
    to,
    kind: PairingKind.USE_ADDITIONAL_CODE,
    source: "tabular",
    score: null,
    support: null,
    confidence: null,
    reverseConfidence: null,
    lift: null,
    note: null,
    validFrom: null,
    validTo: null,
  };
}

describe("dates a file states for a code", () => {
  const HC = CodeSystemId.HCPCS;
  const section = code(
    "HCPCS:A4206-A8999",
    "Medical and surgical supplies",
    false,
    CodeLevel.CHAPTER,
  );
  const hcpcs = (id: string, title: string, extra: Partial<ReleaseCode>): ReleaseCode => ({
    ...code(id, title, true, CodeLevel.CODE),
    kind: CodeKind.SUPPLY_OR_SERVICE,
    parent: "HCPCS:A4206-A8999",
    ...extra,
  });
  function hcpcsRelease(version: string, effective: string, codes: ReleaseCode[]): ParsedFile {
    return {
      ...cmRelease(version, effective, codes, `h${version}`),
      file: `/data/HCPC${version}.txt`,
      format: FormatId.HCPCS_ANNUAL,
      snapshot: {
        system: HC,
        version,
        effective,
        covers: (n: CodeNode) => n.system === HC && n.level === CodeLevel.CODE,
      },
    };
  }
  const strips = hcpcs("HCPCS:A4253", "Blood glucose test strips, per 50", {
    validFrom: "1993-01-01",
  });
  const dressing = hcpcs("HCPCS:A4460", "Elastic bandage", {
    validFrom: "1988-01-01",
    validTo: "2014-12-31",
  });

  it("open a code on its own add date and end it on its termination date, hierarchy edge alike", () => {
    const h = new Harness();
    h.run(
      hcpcsRelease("2019", "2019-01-01", [
        { ...section, system: HC, kind: CodeKind.SUPPLY_OR_SERVICE, parent: null },
        strips,
        dressing,
      ]),
    );
    expect(h.versions("HCPCS:A4253")).toEqual([
      "B Blood glucose test strips, per 50 1993-01-01..…",
    ]);
    expect(h.versions("HCPCS:A4460")).toEqual(["B Elastic bandage 1988-01-01..2014-12-31"]);
    expect(h.parents("HCPCS:A4460")).toEqual(["HCPCS:A4206-A8999 1988-01-01..2014-12-31"]);
  });

  it("end a held code when a later release states its termination, and change nothing when run again", () => {
    const h = new Harness();
    const sectionNode = { ...section, system: HC, kind: CodeKind.SUPPLY_OR_SERVICE, parent: null };
    h.run(hcpcsRelease("2019", "2019-01-01", [sectionNode, strips]));
    const terminated = { ...strips, validTo: "2019-12-31" };
    const later = hcpcsRelease("2020", "2020-01-01", [sectionNode, terminated]);
    const { summary } = h.run(later);
    expect(summary.find((s) => s.system === HC)).toMatchObject({ changed: 1 });
    expect(h.versions("HCPCS:A4253")).toEqual([
      "B Blood glucose test strips, per 50 1993-01-01..2019-12-31",
    ]);
    expect(h.parents("HCPCS:A4253")).toEqual(["HCPCS:A4206-A8999 1993-01-01..2019-12-31"]);
    expect(h.run(later).records).toEqual({ codes: [], edges: [], releases: [] });
  });
});

// ── History of hierarchy edges ─────────────────────────────────────────────────────

/** The parent ids in force on a date, through the graph's own ancestor walk. */
function parentOn(h: Harness, id: string, asOf: string): string[] {
  return h.graph
    .closure({
      mode: "closure",
      id,
      asOf,
      direction: Direction.OUT,
      maxDepth: 1,
      billableOnly: false,
      offset: 0,
      limit: 10,
    })
    .items.map((i) => i.node.id);
}

describe("hierarchy history: a code that returns, or moves back, keeps its past", () => {
  const A00 = code("ICD10CM:A00", "Cholera", false, CodeLevel.CATEGORY);
  const A001 = code(
    "ICD10CM:A00.1",
    "Cholera due to Vibrio cholerae 01, biovar eltor",
    true,
    CodeLevel.CODE,
  );

  it("a code listed, dropped and listed again has its parent on a past date of its first span", () => {
    const h = new Harness();
    h.run(cmRelease("FY2023", "2022-10-01", [A00, A001]));
    h.run(cmRelease("FY2024", "2023-10-01", [A00]));
    h.run(cmRelease("FY2025", "2024-10-01", [A00, A001]));
    expect(parentOn(h, "ICD10CM:A00.1", "2023-06-01")).toEqual(["ICD10CM:A00"]);
    expect(parentOn(h, "ICD10CM:A00.1", "2024-06-01")).toEqual([]);
    expect(parentOn(h, "ICD10CM:A00.1", "2025-06-01")).toEqual(["ICD10CM:A00"]);
    expect(h.parents("ICD10CM:A00.1")).toEqual([
      "ICD10CM:A00 2024-10-01..…",
      "ICD10CM:A00 …..2023-09-30",
    ]);
  });

  it("a code moved to a nearer parent and back has each parent on its own dates", () => {
    const E116 = code(
      "ICD10CM:E11.6",
      "Type 2 diabetes mellitus with other complications",
      false,
      CodeLevel.SUBCATEGORY,
    );
    const E1165 = code(
      "ICD10CM:E11.65",
      "Type 2 diabetes mellitus with hyperglycemia",
      true,
      CodeLevel.CODE,
    );
    const E11 = code("ICD10CM:E11", "Type 2 diabetes mellitus", false, CodeLevel.CATEGORY);
    const h = new Harness();
    h.run(cmRelease("FY2023", "2022-10-01", [E11, E1165]));
    h.run(cmRelease("FY2024", "2023-10-01", [E11, E116, E1165]));
    h.run(cmRelease("FY2025", "2024-10-01", [E11, E1165]));
    expect(parentOn(h, "ICD10CM:E11.65", "2023-06-01")).toEqual(["ICD10CM:E11"]);
    expect(parentOn(h, "ICD10CM:E11.65", "2024-06-01")).toEqual(["ICD10CM:E11.6"]);
    expect(parentOn(h, "ICD10CM:E11.65", "2025-06-01")).toEqual(["ICD10CM:E11"]);
  });
});

// ── Scoped supplements: snapshots of an edge family ────────────────────────────────

const TABULAR = "ICD-10-CM tabular";

/** A tabular of one year: a chapter, a block listing E11, E11 in it, and the notes given. */
function tabularYear(
  year: number,
  notes: { from: string; to: string; note: string }[],
  blockTitle = "Diabetes mellitus",
): ParsedFile {
  const version = `FY${year}`;
  const source = `${TABULAR} ${version}`;
  return {
    ...supplement(FormatId.ICD10CM_TABULAR, {
      codes: [
        code("ICD10CM:E00-E89", "Endocrine diseases", false, CodeLevel.CHAPTER, { parent: null }),
        code("ICD10CM:E08-E13", blockTitle, false, CodeLevel.BLOCK, {
          parent: "ICD10CM:E00-E89",
          attributes: { categories: "E11" },
        }),
      ],
      edges: [
        { ...subsetOf("ICD10CM:E11", "ICD10CM:E08-E13"), source },
        ...notes.map((n): ReleaseEdge => ({
          relation: Relation.EXCLUDES,
          kind: ExclusionKind.EXCLUDES1,
          from: n.from,
          to: n.to,
          note: n.note,
          source,
          validFrom: null,
          validTo: null,
          line: 3,
        })),
      ],
    }),
    file: `/data/icd10cm_tabular_${year}.xml`,
    sha256: version.padEnd(64, "0").replace(/[^0-9a-f]/g, "b"),
    scope: {
      family: TABULAR,
      version,
      effective: `${year - 1}-10-01`,
      relations: [Relation.SUBSET_OF, Relation.PAIRED_WITH, Relation.EXCLUDES],
      systems: [CM],
      covers: (n: CodeNode) =>
        n.system === CM && (n.level === CodeLevel.CHAPTER || n.level === CodeLevel.BLOCK),
    },
  };
}

/** EXCLUDES edges leaving a node, as `to note validFrom..validTo`. */
function exclusions(h: Harness, id: string): string[] {
  return [...h.graph.edges.values()]
    .filter((e) => e.relation === Relation.EXCLUDES && e.from === id)
    .map((e) => `${e.to} ${"note" in e ? e.note : ""} ${e.validFrom ?? "…"}..${e.validTo ?? "…"}`)
    .sort();
}

describe("a tabular list is a snapshot of its own notes, chapters and blocks", () => {
  const note = (to: string, text = `excl ${to}`) => ({ from: "ICD10CM:E11", to, note: text });
  const base = () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    return h;
  };

  it("the first tabular leaves starts unknown, like a first release", () => {
    const h = base();
    h.run(tabularYear(2021, [note("ICD10CM:B88")]));
    expect(exclusions(h, "ICD10CM:E11")).toEqual(["ICD10CM:B88 excl ICD10CM:B88 …..…"]);
    expect(h.versions("ICD10CM:E08-E13")).toEqual(["H Diabetes mellitus …..…"]);
    expect(h.parents("ICD10CM:E11")).toEqual(["ICD10CM:E08-E13 …..…"]);
  });

  it("a newer tabular closes the notes it no longer states, opens new ones on its year, keeps the rest", () => {
    const h = base();
    h.run(tabularYear(2021, [note("ICD10CM:B88"), note("ICD10CM:S30")]));
    const { records } = h.run(tabularYear(2022, [note("ICD10CM:B88"), note("ICD10CM:E11.9")]));
    expect(exclusions(h, "ICD10CM:E11")).toEqual([
      "ICD10CM:B88 excl ICD10CM:B88 …..…",
      "ICD10CM:E11.9 excl ICD10CM:E11.9 2021-10-01..…",
      "ICD10CM:S30 excl ICD10CM:S30 …..2021-09-30",
    ]);
    // One edge per note, however many tabulars restate it.
    expect(records.edges.filter((e) => e.relation === Relation.EXCLUDES)).toHaveLength(2);
  });

  it("a reworded note ends its old wording and opens the new one", () => {
    const h = base();
    h.run(tabularYear(2021, [note("ICD10CM:B88", "old wording")]));
    h.run(tabularYear(2022, [note("ICD10CM:B88", "new wording")]));
    expect(exclusions(h, "ICD10CM:E11")).toEqual([
      "ICD10CM:B88 new wording 2021-10-01..…",
      "ICD10CM:B88 old wording …..2021-09-30",
    ]);
  });

  it("a note dropped and restated later is two spans, the first kept", () => {
    const h = base();
    h.run(tabularYear(2021, [note("ICD10CM:B88")]));
    h.run(tabularYear(2022, []));
    h.run(tabularYear(2023, [note("ICD10CM:B88")]));
    expect(exclusions(h, "ICD10CM:E11")).toEqual([
      "ICD10CM:B88 excl ICD10CM:B88 2022-10-01..…",
      "ICD10CM:B88 excl ICD10CM:B88 …..2021-09-30",
    ]);
  });

  it("versions a block's retitling and retires a block it no longer lists", () => {
    const h = base();
    h.run(tabularYear(2021, []));
    h.run(tabularYear(2022, [], "Diabetes mellitus (retitled)"));
    expect(h.versions("ICD10CM:E08-E13")).toEqual([
      "H Diabetes mellitus …..2021-09-30",
      "H Diabetes mellitus (retitled) 2021-10-01..…",
    ]);
    const without: ParsedFile = {
      ...tabularYear(2023, []),
      codes: tabularYear(2023, []).codes.slice(0, 1),
      edges: [],
    };
    h.run(without);
    expect(h.versions("ICD10CM:E08-E13").at(-1)).toBe(
      "H Diabetes mellitus (retitled) 2021-10-01..2022-09-30",
    );
    expect(h.parents("ICD10CM:E11")).toEqual(["ICD10CM:E08-E13 …..2022-09-30"]);
  });

  it("changes nothing when the same tabular is imported again", () => {
    const h = base();
    h.run(tabularYear(2021, [note("ICD10CM:B88")]));
    h.run(tabularYear(2022, [note("ICD10CM:S30")]));
    const again = h.run(tabularYear(2022, [note("ICD10CM:S30")]));
    expect(again.records.edges).toEqual([]);
    expect(again.records.codes).toEqual([]);
  });

  it("refuses a tabular older than one held", () => {
    const h = base();
    h.run(tabularYear(2022, [note("ICD10CM:B88")]));
    expect(() => h.run(tabularYear(2021, [note("ICD10CM:B88")]))).toThrow(ImportRefusedError);
  });
});

describe("a claims extract is a snapshot of its label", () => {
  const claims = (effective: string, pairs: [string, number][]): ParsedFile => {
    const scope = {
      family: "claims: extract",
      version: effective,
      effective,
      relations: [Relation.PAIRED_WITH],
      systems: [CM],
    };
    return {
      ...supplement(FormatId.CLAIMS_PAIRS, {
        edges: pairs.map(([to, support]) => ({
          ...pairing("ICD10CM:E11", to),
          kind: PairingKind.OBSERVED,
          support,
          source: `claims: extract ${effective}`,
          line: 2,
        })),
      }),
      file: `/data/extract-${effective}.csv`,
      scope,
    };
  };
  const observed = (h: Harness) =>
    [...h.graph.edges.values()]
      .filter(
        (e): e is PairedWithEdge => e.relation === Relation.PAIRED_WITH && e.from === "ICD10CM:E11",
      )
      .map((e) => `${e.to} ${e.support} ${e.validFrom ?? "…"}..${e.validTo ?? "…"}`)
      .sort();

  it("closes pairs a later extract no longer has, and dates new counts", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    h.run(
      claims("2025-01-01", [
        ["ICD10CM:E11.9", 10],
        ["ICD10CM:B88", 7],
      ]),
    );
    h.run(claims("2025-07-01", [["ICD10CM:E11.9", 12]]));
    expect(observed(h)).toEqual([
      "ICD10CM:B88 7 …..2025-06-30",
      "ICD10CM:E11.9 10 …..2025-06-30",
      "ICD10CM:E11.9 12 2025-07-01..…",
    ]);
  });
});

// ── Successions and first days from conversion tables ─────────────────────────────

describe("conversion tables", () => {
  const replaces = (from: string, to: string, effective: string): ReleaseEdge => ({
    relation: Relation.REPLACES,
    from,
    to,
    effective,
    source: "ICD-10-CM conversion table FY2026",
    validFrom: null,
    validTo: null,
    line: 5,
  });

  it("keep a REPLACES edge only when the old code is out of use; one still reportable is kept as previouslyCodedAs", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    const { outcomes } = h.run(
      cmRelease("FY2026", "2025-10-01", FY2026),
      supplement(FormatId.ICD10CM_CONVERSION, {
        edges: [
          // E11.9 stays valid in FY2026: E11.A was split off from it, not its successor.
          replaces("ICD10CM:E11.A", "ICD10CM:E11.9", "2025-10-01"),
          replaces("ICD10CM:E11.A", "ICD10CM:E11.65", "2025-10-01"),
          // S30.1XXA is deleted in FY2026: S30.11XA does replace it.
          replaces("ICD10CM:S30.11XA", "ICD10CM:S30.1XXA", "2025-10-01"),
          // B88.0 turns into a header in FY2026: B88.01 is what is reported instead.
          replaces("ICD10CM:B88.01", "ICD10CM:B88.0", "2025-10-01"),
        ],
      }),
    );
    const kept = [...h.graph.edges.values()].filter((e) => e.relation === Relation.REPLACES);
    expect(kept.map((e) => `${e.from} → ${e.to}`).sort()).toEqual([
      "ICD10CM:B88.01 → ICD10CM:B88.0",
      "ICD10CM:S30.11XA → ICD10CM:S30.1XXA",
    ]);
    expect(h.node("ICD10CM:E11.A").attributes).toEqual({ previouslyCodedAs: "E11.65,E11.9" });
    expect(outcomes[1]!.unresolved).toContainEqual({
      reason: MergeUnresolved.NOT_A_SUCCESSION,
      count: 2,
      examples: [
        "5: ICD10CM:E11.A → ICD10CM:E11.9 (E11.9 reportable on 2025-10-01)",
        "5: ICD10CM:E11.A → ICD10CM:E11.65 (E11.65 reportable on 2025-10-01)",
      ],
    });
  });

  it("make no succession to a code not reportable the day before — a header then (S30.1), a block (E08-E13) — and keep it as previouslyCodedAs", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025), tabular());
    const { outcomes } = h.run(
      cmRelease("FY2026", "2025-10-01", FY2026),
      supplement(FormatId.ICD10CM_CONVERSION, {
        edges: [
          // S30.1 was a header before S30.11XA came and stays one: nothing was reported as S30.1.
          replaces("ICD10CM:S30.11XA", "ICD10CM:S30.1", "2025-10-01"),
          replaces("ICD10CM:S30.11XA", "ICD10CM:S30.1XXA", "2025-10-01"),
          // "Codes in categories E08-E13": a block is never reported, so never succeeded.
          replaces("ICD10CM:E11.A", "ICD10CM:E08-E13", "2025-10-01"),
          replaces("ICD10CM:B88.01", "ICD10CM:B88.0", "2025-10-01"),
        ],
      }),
    );
    const kept = [...h.graph.edges.values()].filter((e) => e.relation === Relation.REPLACES);
    expect(kept.map((e) => `${e.from} → ${e.to}`).sort()).toEqual([
      "ICD10CM:B88.01 → ICD10CM:B88.0",
      "ICD10CM:S30.11XA → ICD10CM:S30.1XXA",
    ]);
    expect(h.node("ICD10CM:S30.11XA").attributes).toEqual({ previouslyCodedAs: "S30.1" });
    expect(h.node("ICD10CM:E11.A").attributes).toEqual({ previouslyCodedAs: "E08-E13" });
    expect(outcomes[1]!.unresolved).toContainEqual({
      reason: MergeUnresolved.NOT_REPORTABLE_BEFORE,
      count: 2,
      examples: [
        "5: ICD10CM:S30.11XA → ICD10CM:S30.1 (S30.1 a header on 2025-09-30)",
        "5: ICD10CM:E11.A → ICD10CM:E08-E13 (E08-E13 a block)",
      ],
    });
  });

  it("date a code's first day where the first release left it unknown, and its hierarchy edge alike", () => {
    const h = new Harness();
    h.run(cmRelease("FY2026", "2025-10-01", FY2026));
    h.run(
      supplement(FormatId.ICD10CM_CONVERSION, {
        annotations: [
          { id: "ICD10CM:E11.A", addedOn: "2025-10-01", line: 2 },
          { id: "ICD10CM:B88.01", addedOn: "2023-10-01", line: 3 },
        ],
      }),
    );
    expect(h.versions("ICD10CM:E11.A")).toEqual([
      "B Type 2 diabetes mellitus without complications in remission 2025-10-01..…",
    ]);
    expect(h.parents("ICD10CM:E11.A")).toEqual(["ICD10CM:E11 2025-10-01..…"]);
    expect(h.parents("ICD10CM:B88.01")).toEqual(["ICD10CM:B88.0 2023-10-01..…"]);
    // On a day before it, the code is not valid, though ICD-10-CM was.
    expect(h.graph.countCodes(CM, "2023-01-01", true)).toBe(
      h.graph.countCodes(CM, "2025-10-01", true) - 2,
    );
  });

  it("leave a known first day as the releases give it, and report a different statement", () => {
    const h = new Harness();
    h.run(cmRelease("FY2025", "2024-10-01", FY2025));
    h.run(cmRelease("FY2026", "2025-10-01", FY2026));
    const { outcomes } = h.run(
      supplement(FormatId.ICD10CM_CONVERSION, {
        annotations: [{ id: "ICD10CM:E11.A", addedOn: "2024-10-01", line: 2 }],
      }),
    );
    expect(h.versions("ICD10CM:E11.A")[0]).toMatch(/ 2025-10-01\.\.…$/);
    expect(outcomes[0]!.unresolved.map((u) => u.reason)).toEqual([
      MergeUnresolved.ADDED_ON_DIFFERS,
    ]);
  });

  describe("a header whose children all came after it was a billable leaf until the first of them", () => {
    const F50 = code("ICD10CM:F50", "Eating disorders", false, CodeLevel.CATEGORY);
    const F508 = code("ICD10CM:F50.8", "Other eating disorders", false, CodeLevel.SUBCATEGORY);
    const F5081 = code("ICD10CM:F50.81", "Binge eating disorder", false, CodeLevel.SUBCATEGORY);
    const F50810 = code("ICD10CM:F50.810", "Binge eating disorder, mild", true, CodeLevel.CODE);
    const F50819 = code(
      "ICD10CM:F50.819",
      "Binge eating disorder, severity unspecified",
      true,
      CodeLevel.CODE,
    );
    const F5089 = code("ICD10CM:F50.89", "Other specified eating disorder", true, CodeLevel.CODE);
    const A04 = code(
      "ICD10CM:A04",
      "Other bacterial intestinal infections",
      false,
      CodeLevel.CATEGORY,
    );
    const A047 = code(
      "ICD10CM:A04.7",
      "Enterocolitis due to Clostridium difficile",
      false,
      CodeLevel.SUBCATEGORY,
    );
    const A0471 = code(
      "ICD10CM:A04.71",
      "Enterocolitis due to Clostridium difficile, recurrent",
      true,
      CodeLevel.CODE,
    );
    const A0472 = code(
      "ICD10CM:A04.72",
      "Enterocolitis due to Clostridium difficile, not specified as recurrent",
      true,
      CodeLevel.CODE,
    );
    const D48 = code(
      "ICD10CM:D48",
      "Neoplasm of uncertain behavior of other and unspecified sites",
      false,
      CodeLevel.CATEGORY,
    );
    const D481 = code(
      "ICD10CM:D48.1",
      "Neoplasm of uncertain behavior of connective and other soft tissue",
      false,
      CodeLevel.SUBCATEGORY,
    );
    const D4811 = code("ICD10CM:D48.11", "Desmoid tumor", false, CodeLevel.SUBCATEGORY);
    const D48110 = code("ICD10CM:D48.110", "Desmoid tumor of head and neck", true, CodeLevel.CODE);
    const release = cmRelease("FY2025", "2024-10-01", [
      F50,
      F508,
      F5081,
      F50810,
      F50819,
      F5089,
      A04,
      A047,
      A0471,
      A0472,
      D48,
      D481,
      D4811,
      D48110,
    ]);
    const table = supplement(FormatId.ICD10CM_CONVERSION, {
      edges: [
        replaces("ICD10CM:F50.81", "ICD10CM:F50.8", "2016-10-01"),
        replaces("ICD10CM:F50.810", "ICD10CM:F50.81", "2024-10-01"),
        replaces("ICD10CM:F50.819", "ICD10CM:F50.81", "2024-10-01"),
        replaces("ICD10CM:A04.71", "ICD10CM:A04.7", "2017-10-01"),
        replaces("ICD10CM:A04.72", "ICD10CM:A04.7", "2017-10-01"),
        replaces("ICD10CM:D48.110", "ICD10CM:D48.1", "2023-10-01"),
      ],
      annotations: [
        { id: "ICD10CM:F50.81", addedOn: "2016-10-01", line: 2 },
        { id: "ICD10CM:F50.810", addedOn: "2024-10-01", line: 3 },
        { id: "ICD10CM:F50.819", addedOn: "2024-10-01", line: 4 },
        { id: "ICD10CM:A04.71", addedOn: "2017-10-01", line: 5 },
        { id: "ICD10CM:A04.72", addedOn: "2017-10-01", line: 6 },
        { id: "ICD10CM:D48.110", addedOn: "2023-10-01", line: 7 },
      ],
    });

    it("splits the header's first version on its first child's first day, whether the header's own first day is stated (F50.81) or unknown and a table names it as a previous code (A04.7)", () => {
      const h = new Harness();
      h.run(release);
      h.run(table);
      expect(h.versions("ICD10CM:F50.81")).toEqual([
        "B Binge eating disorder 2016-10-01..2024-09-30",
        "H Binge eating disorder 2024-10-01..…",
      ]);
      expect(statusAt(h.node("ICD10CM:F50.81"), "2020-06-01")).toBe(CodeStatus.VALID);
      expect(statusAt(h.node("ICD10CM:F50.81"), "2024-10-01")).toBe(CodeStatus.HEADER);
      expect(h.versions("ICD10CM:A04.7")).toEqual([
        "B Enterocolitis due to Clostridium difficile …..2017-09-30",
        "H Enterocolitis due to Clostridium difficile 2017-10-01..…",
      ]);
    });

    it("leaves a header alone when a child's first day is unknown (F50.8: F50.89), or when nothing says it existed before its children (D48.11, new with them)", () => {
      const h = new Harness();
      h.run(release);
      h.run(table);
      expect(h.versions("ICD10CM:F50.8")).toEqual(["H Other eating disorders …..…"]);
      expect(h.versions("ICD10CM:D48.11")).toEqual(["H Desmoid tumor …..…"]);
    });

    it("takes a child header that nothing dates or names as new with its own children: D48.1 was billable until D48.11 and D48.110 came", () => {
      const h = new Harness();
      h.run(release);
      h.run(table);
      expect(h.versions("ICD10CM:D48.1")).toEqual([
        "B Neoplasm of uncertain behavior of connective and other soft tissue …..2023-09-30",
        "H Neoplasm of uncertain behavior of connective and other soft tissue 2023-10-01..…",
      ]);
    });

    it("takes no naming in the table's own newest year as proof: FY2026 names headers new that day too (H05.83)", () => {
      const H058 = code("ICD10CM:H05.8", "Other disorders of orbit", false, CodeLevel.SUBCATEGORY);
      const H0583 = code("ICD10CM:H05.83", "Thyroid orbitopathy", false, CodeLevel.SUBCATEGORY);
      const H05831 = code(
        "ICD10CM:H05.831",
        "Thyroid orbitopathy, right orbit",
        true,
        CodeLevel.CODE,
      );
      const h = new Harness();
      h.run(cmRelease("FY2026", "2025-10-01", [H058, H0583, H05831]));
      h.run(
        supplement(FormatId.ICD10CM_CONVERSION, {
          edges: [replaces("ICD10CM:H05.831", "ICD10CM:H05.83", "2025-10-01")],
          annotations: [{ id: "ICD10CM:H05.831", addedOn: "2025-10-01", line: 2 }],
        }),
      );
      expect(h.versions("ICD10CM:H05.83")).toEqual(["H Thyroid orbitopathy …..…"]);
    });

    it("changes nothing when the table is imported again", () => {
      const h = new Harness();
      h.run(release);
      h.run(table);
      const again = h.run(table);
      expect(again.records.codes).toEqual([]);
      expect(again.records.edges).toEqual([]);
    });
  });
});

// ── Categories and blocks, in any order ────────────────────────────────────────────

describe("categories find their block whichever file comes first, and those left without one are reported", () => {
  const W44 = code(
    "ICD10CM:W44",
    "Foreign body entering into or through a natural orifice",
    false,
    CodeLevel.CATEGORY,
  );
  const C4A = code("ICD10CM:C4A", "Merkel cell carcinoma", false, CodeLevel.CATEGORY);
  const QA0 = code(
    "ICD10CM:QA0",
    "Neurodevelopmental disorders with craniofacial features",
    false,
    CodeLevel.CATEGORY,
  );
  const I1A = code("ICD10CM:I1A", "Other hypertension", false, CodeLevel.CATEGORY);
  const order = cmRelease("FY2026", "2025-10-01", [W44, C4A, QA0, I1A]);
  const tab = (): ParsedFile => {
    const source = `${TABULAR} FY2021`;
    const t = tabularYear(2021, []);
    return {
      ...t,
      codes: [
        code("ICD10CM:C00-D49", "Neoplasms", false, CodeLevel.CHAPTER, { parent: null }),
        code("ICD10CM:C00-C96", "Malignant neoplasms", false, CodeLevel.BLOCK, {
          parent: "ICD10CM:C00-D49",
        }),
        code("ICD10CM:C43-C44", "Melanoma and other skin", false, CodeLevel.BLOCK, {
          parent: "ICD10CM:C00-C96",
          attributes: { categories: "C43,C4A,C44" },
        }),
        code("ICD10CM:I00-I99", "Circulatory", false, CodeLevel.CHAPTER, { parent: null }),
        code("ICD10CM:I10-I16", "Hypertensive diseases", false, CodeLevel.BLOCK, {
          parent: "ICD10CM:I00-I99",
          attributes: { categories: "I10,I16" },
        }),
        code("ICD10CM:V00-Y99", "External causes", false, CodeLevel.CHAPTER, { parent: null }),
        code("ICD10CM:W20-W49", "Inanimate mechanical forces", false, CodeLevel.BLOCK, {
          parent: "ICD10CM:V00-Y99",
          attributes: { categories: "W20,W49" },
        }),
      ],
      edges: [{ ...subsetOf("ICD10CM:C4A", "ICD10CM:C43-C44"), source }],
    };
  };
  const check = (h: Harness, hierarchy: readonly UnresolvedReference[]) => {
    expect(parentOn(h, "ICD10CM:C4A", "2025-12-01")).toEqual(["ICD10CM:C43-C44"]);
    expect(parentOn(h, "ICD10CM:W44", "2025-12-01")).toEqual(["ICD10CM:W20-W49"]);
    expect(parentOn(h, "ICD10CM:I1A", "2025-12-01")).toEqual(["ICD10CM:I00-I99"]);
    expect(parentOn(h, "ICD10CM:QA0", "2025-12-01")).toEqual([]);
    expect(hierarchy).toEqual([
      { reason: MergeUnresolved.NO_BLOCK, count: 1, examples: ["I1A"] },
      { reason: MergeUnresolved.NO_PARENT, count: 1, examples: ["QA0"] },
    ]);
  };

  it("tabular after the order file in one run: W44 (newer than the tabular) gets its block by range", () => {
    const h = new Harness();
    const { hierarchy } = h.run(order, tab());
    check(h, hierarchy);
  });

  it("tabular in an earlier run: C4A goes where the tabular lists it, not to the coarser C00-C96", () => {
    const h = new Harness();
    h.run(tab());
    const { hierarchy } = h.run(order);
    check(h, hierarchy);
  });

  it("tabular in a later run", () => {
    const h = new Harness();
    h.run(order);
    const { hierarchy } = h.run(tab());
    check(h, hierarchy);
  });
});

describe("release parts and counts", () => {
  it("reads part file names holding ; [ and ]", () => {
    const source =
      "a; b [x].txt [icd9cm-dx sha256:" +
      "1".repeat(64) +
      "]; c]d.txt [icd9cm-sg sha256:" +
      "2".repeat(64) +
      "]";
    expect(releaseParts({ source, sha256: "" })).toEqual([
      { file: "a; b [x].txt", format: "icd9cm-dx", sha256: "1".repeat(64) },
      { file: "c]d.txt", format: "icd9cm-sg", sha256: "2".repeat(64) },
    ]);
  });

  it("counts the file's own codes in a release, not the nodes derived from them", () => {
    const h = new Harness();
    h.run(
      cmRelease("FY2025", "2024-10-01", [
        ...FY2025,
        code("ICD10CM:A00-B99", "derived", false, CodeLevel.CHAPTER, { derived: true }),
      ]),
    );
    expect(h.graph.releases[0]!.codeCount).toBe(FY2025.length);
  });
});
