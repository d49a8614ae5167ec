import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type GraphRecords } from "../../src/domain/graph.js";
import { Relation } from "../../src/domain/relationship.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";

const HEADERS = {
  codes: "id\tlevel\tbillable\tvalid_from\tvalid_to\tparent\ttitle\tshort_title\tsynonyms",
  pairs: "from\tto\tkind\tsource\tscore\tnote",
  replaces: "new\told\teffective\tsource",
  maps: "from\tto\tflags\tsource",
  excludes: "from\tto\tkind\tsource\tnote",
};

const GOOD_CODES = [
  "ICD10CM:E08-E13\tBLOCK\t0\t2015-10-01\t\t\tDiabetes mellitus\t\t",
  "ICD10CM:E11\tCATEGORY\t0\t2015-10-01\t\tICD10CM:E08-E13\tType 2 diabetes mellitus\t\t",
  "ICD10CM:E11.9\tCODE\t1\t2015-10-01\t\tICD10CM:E11\tType 2 diabetes mellitus without complications\t\tNIDDM|adult-onset diabetes",
  "ICD9CM:250.00\tCODE\t1\t1979-01-01\t2015-09-30\t\tDiabetes mellitus without mention of complication, type II\t\t",
  "CPT:83036\tCODE\t1\t2000-01-01\t\t\tHemoglobin A1c test\t\t",
];

interface SeedFiles {
  codes?: string[];
  pairs?: string[];
  replaces?: string[];
  maps?: string[];
  excludes?: string[];
  manifest?: object;
}

function manifestFor(codes: Record<string, number>, edges: Record<string, number>): object {
  return {
    name: "test",
    version: "1",
    description: "broken-seed fixtures",
    releases: [{ system: "ICD10CM", version: "FY2026", effective: "2025-10-01", source: "test" }],
    counts: { codes, edges },
  };
}

const GOOD_MANIFEST = manifestFor(
  { ICD10CM: 3, ICD9CM: 1, CPT: 1 },
  { SUBSET_OF: 2, PAIRED_WITH: 1, MAPS_TO: 1 },
);

/** Writes a seed folder; every file is the good one unless replaced. */
function seedDir(files: SeedFiles = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "codegraph-seed-"));
  const write = (name: string, header: string, rows: string[]) =>
    writeFileSync(join(dir, name), [header, ...rows].join("\n") + "\n");
  write("codes.tsv", HEADERS.codes, files.codes ?? GOOD_CODES);
  write(
    "paired-with.tsv",
    HEADERS.pairs,
    files.pairs ?? ["ICD10CM:E11.9\tCPT:83036\tSUPPORTS\tADA\t0.9\tHbA1c monitoring"],
  );
  write("replaces.tsv", HEADERS.replaces, files.replaces ?? []);
  write(
    "maps-to.tsv",
    HEADERS.maps,
    files.maps ?? ["ICD9CM:250.00\tICD10CM:E11.9\t00000\tGEM 2018"],
  );
  write("excludes.tsv", HEADERS.excludes, files.excludes ?? []);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(files.manifest ?? GOOD_MANIFEST));
  return dir;
}

describe("seed loader", () => {
  it("reads a good seed into records", async () => {
    const records = await loadSeed(seedDir());
    expect(records.codes.map((c) => c.id)).toEqual([
      "ICD10CM:E08-E13",
      "ICD10CM:E11",
      "ICD10CM:E11.9",
      "ICD9CM:250.00",
      "CPT:83036",
    ]);
    expect(records.codes[2]!.synonyms).toEqual(["NIDDM", "adult-onset diabetes"]);
    expect(records.edges.map((e) => e.relation)).toEqual([
      Relation.SUBSET_OF,
      Relation.SUBSET_OF,
      Relation.PAIRED_WITH,
      Relation.MAPS_TO,
    ]);
    expect(records.releases[0]).toMatchObject({
      system: "ICD10CM",
      version: "FY2026",
      codeCount: 3,
    });
  });

  it("reads a repeated id as a later version", async () => {
    const codes = [
      ...GOOD_CODES,
      "ICD10CM:B88.0\tSUBCATEGORY\t1\t2015-10-01\t2025-09-30\t\tOther acariasis\t\t",
      "ICD10CM:B88.0\tSUBCATEGORY\t0\t2025-10-01\t\t\tOther acariasis\t\t",
    ];
    const manifest = manifestFor(
      { ICD10CM: 4, ICD9CM: 1, CPT: 1 },
      { SUBSET_OF: 2, PAIRED_WITH: 1, MAPS_TO: 1 },
    );
    const records = await loadSeed(seedDir({ codes, manifest }));
    expect(
      records.codes
        .find((c) => c.id === "ICD10CM:B88.0")!
        .versions.map((v) => [v.billable, v.validFrom, v.validTo]),
    ).toEqual([
      [true, "2015-10-01", "2025-09-30"],
      [false, "2025-10-01", null],
    ]);
  });

  const broken: [string, SeedFiles, RegExp][] = [
    [
      "an unknown system",
      { codes: [...GOOD_CODES, "SNOMED:44054006\tCODE\t1\t2015-10-01\t\t\tDiabetes\t\t"] },
      /^codes\.tsv:7: .*"SNOMED" .*is not a code system/,
    ],
    [
      "a malformed code",
      { codes: [...GOOD_CODES, "ICD10CM:E1.19\tCODE\t1\t2015-10-01\t\t\tBad\t\t"] },
      /^codes\.tsv:7: .*dot follows the third character/,
    ],
    [
      "an id not in canonical form",
      { codes: [...GOOD_CODES, "ICD10CM:e119\tCODE\t1\t2015-10-01\t\t\tDup\t\t"] },
      /^codes\.tsv:7: ICD10CM:e119 is not canonical: write ICD10CM:E11\.9/,
    ],
    [
      "an id without its system",
      { codes: [...GOOD_CODES, "E11.9\tCODE\t1\t2015-10-01\t\t\tNo system\t\t"] },
      /^codes\.tsv:7: id must be SYSTEM:CODE/,
    ],
    [
      "an unknown level",
      { codes: [...GOOD_CODES, "ICD10CM:E10\tGROUP\t0\t2015-10-01\t\t\tType 1\t\t"] },
      /^codes\.tsv:7: level must be one of/,
    ],
    [
      "a range at code level",
      { codes: [...GOOD_CODES, "ICD10CM:E00-E07\tCODE\t0\t2015-10-01\t\t\tThyroid\t\t"] },
      /^codes\.tsv:7: ICD10CM:E00-E07 cannot be at level CODE/,
    ],
    [
      "a billable block",
      { codes: [...GOOD_CODES, "ICD10CM:E00-E07\tBLOCK\t1\t2015-10-01\t\t\tThyroid\t\t"] },
      /^codes\.tsv:7: a BLOCK is never billable/,
    ],
    [
      "a malformed date",
      { codes: [...GOOD_CODES, "ICD10CM:E10\tCATEGORY\t0\t2015-02-30\t\t\tType 1\t\t"] },
      /^codes\.tsv:7: valid_from "2015-02-30" is not a date/,
    ],
    [
      "an end before the start",
      { codes: [...GOOD_CODES, "ICD10CM:E10\tCATEGORY\t0\t2015-10-01\t2014-01-01\t\tType 1\t\t"] },
      /^codes\.tsv:7: valid_to is before valid_from/,
    ],
    [
      "a missing title",
      { codes: [...GOOD_CODES, "ICD10CM:E10\tCATEGORY\t0\t2015-10-01\t\t\t\t\t"] },
      /^codes\.tsv:7: title is required/,
    ],
    [
      "a short row",
      { codes: [...GOOD_CODES, "ICD10CM:E10\tCATEGORY\t0"] },
      /^codes\.tsv:7: expected 9 tab-separated fields, found 3/,
    ],
    [
      "a parent not in the file",
      {
        codes: [
          ...GOOD_CODES,
          "ICD10CM:E10\tCATEGORY\t0\t2015-10-01\t\tICD10CM:E08-E99\tType 1\t\t",
        ],
      },
      /^codes\.tsv:7: parent ICD10CM:E08-E99 of ICD10CM:E10 is not in codes\.tsv/,
    ],
    [
      "a parent in another system",
      {
        codes: [
          ...GOOD_CODES,
          "ICD9CM:250.01\tCODE\t1\t1979-01-01\t2015-09-30\tICD10CM:E11\tType I\t\t",
        ],
      },
      /^codes\.tsv:7: parent ICD10CM:E11 of ICD9CM:250\.01 is in another system/,
    ],
    [
      "overlapping versions",
      { codes: [...GOOD_CODES, "ICD10CM:E11.9\tCODE\t1\t2020-10-01\t\tICD10CM:E11\tRevised\t\t"] },
      /^codes\.tsv:7: version of ICD10CM:E11\.9 overlaps the one on line 4/,
    ],
    [
      "an edge to a missing node",
      { pairs: ["ICD10CM:E11.9\tCPT:82947\tSUPPORTS\tADA\t\t"] },
      /^paired-with\.tsv:2: to CPT:82947 is not in codes\.tsv/,
    ],
    [
      "an unknown pairing kind",
      { pairs: ["ICD10CM:E11.9\tCPT:83036\tGOES_WITH\tADA\t\t"] },
      /^paired-with\.tsv:2: kind must be one of USE_ADDITIONAL_CODE/,
    ],
    [
      "a score out of range",
      { pairs: ["ICD10CM:E11.9\tCPT:83036\tSUPPORTS\tADA\t1.5\t"] },
      /^paired-with\.tsv:2: score must be a number from 0 to 1/,
    ],
    [
      "a pairing without source",
      { pairs: ["ICD10CM:E11.9\tCPT:83036\tSUPPORTS\t\t\t"] },
      /^paired-with\.tsv:2: source is required/,
    ],
    [
      "malformed GEM flags",
      { maps: ["ICD9CM:250.00\tICD10CM:E11.9\t0000\tGEM"] },
      /^maps-to\.tsv:2: malformed GEM flags "0000"/,
    ],
    [
      "a mapping between the wrong systems",
      { maps: ["ICD10CM:E11.9\tCPT:83036\t00000\tGEM"] },
      /^maps-to\.tsv:2: a mapping links ICD-9-CM with ICD-10-CM or ICD-10-PCS/,
    ],
    [
      "a replacement without date",
      { replaces: ["ICD10CM:E11.9\tICD9CM:250.00\t\tconversion"] },
      /^replaces\.tsv:2: effective is required/,
    ],
    [
      "a duplicate edge",
      {
        pairs: [
          "ICD10CM:E11.9\tCPT:83036\tSUPPORTS\tADA\t\t",
          "ICD10CM:E11.9\tCPT:83036\tSUPPORTS\tADA\t0.5\t",
        ],
      },
      /duplicate PAIRED_WITH edge ICD10CM:E11\.9 → CPT:83036/,
    ],
    [
      "counts that disagree with the manifest",
      {
        manifest: manifestFor(
          { ICD10CM: 4, ICD9CM: 1, CPT: 1 },
          { SUBSET_OF: 2, PAIRED_WITH: 1, MAPS_TO: 1 },
        ),
      },
      /^manifest\.json:1: counts\.codes\.ICD10CM says 4 but the files hold 3/,
    ],
    [
      "a manifest without releases",
      { manifest: { ...GOOD_MANIFEST, releases: [] } },
      /^manifest\.json:1: releases:/,
    ],
  ];

  it.each(broken)("refuses %s with file and line", async (_label, files, message) => {
    await expect(loadSeed(seedDir(files))).rejects.toThrow(message);
  });
});

describe("the bundled sample", () => {
  let records: GraphRecords;
  beforeAll(async () => {
    records = await loadSeed(join(PROJECT_ROOT, "seed"));
  });

  it("holds at least 300 real codes across all five systems", () => {
    expect(records.codes.length).toBeGreaterThanOrEqual(300);
    const systems = new Set(records.codes.map((c) => c.system));
    expect([...systems].sort()).toEqual(Object.values(CodeSystemId).sort());
  });

  it("has every relationship kind", () => {
    const relations = new Set(records.edges.map((e) => e.relation));
    expect([...relations].sort()).toEqual(Object.values(Relation).sort());
  });

  it("has the paths and pairings the README promises", () => {
    const has = (relation: Relation, from: string, to: string) =>
      records.edges.some((e) => e.relation === relation && e.from === from && e.to === to);
    expect(has(Relation.SUBSET_OF, "ICD10CM:E11.9", "ICD10CM:E11")).toBe(true);
    expect(has(Relation.SUBSET_OF, "ICD10CM:E11", "ICD10CM:E08-E13")).toBe(true);
    expect(has(Relation.SUBSET_OF, "ICD10CM:E08-E13", "ICD10CM:E00-E89")).toBe(true);
    expect(has(Relation.PAIRED_WITH, "ICD10CM:E11", "ICD10CM:Z79.4")).toBe(true);
    expect(has(Relation.PAIRED_WITH, "ICD10CM:E11.9", "CPT:83036")).toBe(true);
    expect(has(Relation.PAIRED_WITH, "ICD10CM:E11.9", "CPT:82947")).toBe(true);
    expect(has(Relation.MAPS_TO, "ICD9CM:250.00", "ICD10CM:E11.9")).toBe(true);
    expect(
      records.edges.some((e) => e.relation === Relation.REPLACES && e.from.startsWith("HCPCS:")),
    ).toBe(true);
  });

  it("ships no CPT descriptor longer than a short paraphrase", () => {
    for (const code of records.codes.filter((c) => c.system === CodeSystemId.CPT)) {
      for (const version of code.versions)
        expect(version.title.length, code.id).toBeLessThanOrEqual(60);
    }
  });
});
