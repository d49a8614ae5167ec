import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type CodeNode } from "../../src/domain/graph.js";
import { HCPCS_SECTIONS, hcpcsSectionOf } from "../../src/domain/hcpcs-sections.js";
import { Relation } from "../../src/domain/relationship.js";
import {
  hcpcsAnnualParser,
  OUTSIDE_SECTIONS_REASON,
  SKIPPED_BEFORE_RECORDS_REASON,
  XREF_NOT_A_CODE_REASON,
} from "../../src/import/formats/hcpcs-annual.format.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { parserFor } from "../../src/import/formats/index.js";
import { FormatId, type ParsedFile, type ReleaseCode } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { importFiles } from "../../src/import/apply-imports.js";
import { MergeUnresolved } from "../../src/import/release-merge.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/hcpcs-annual");
const fixture = (name: string) => join(FIXTURES, name);

function code(parsed: ParsedFile, id: string): ReleaseCode {
  const found = parsed.codes.find((c) => c.id === id);
  if (!found) throw new Error(`${id} not parsed`);
  return found;
}

async function failure(path: string): Promise<SourceFileError> {
  try {
    await hcpcsAnnualParser.parse(path, { version: "2019" });
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

function node(id: string, level: CodeLevel, kind = CodeKind.SUPPLY_OR_SERVICE): CodeNode {
  const [system, codeText] = id.split(":") as [CodeSystemId, string];
  return {
    id,
    system,
    code: codeText,
    kind,
    level,
    versions: [
      { validFrom: "2000-01-01", validTo: null, title: "t", shortTitle: null, billable: true },
    ],
    synonyms: [],
    noMapTo: [],
    attributes: {},
  };
}

describe("HCPCS annual file: hand-written fixture", () => {
  let parsed: ParsedFile;
  beforeAll(async () => {
    parsed = await hcpcsAnnualParser.parse(fixture("valid-2019.txt"), {});
  });

  it("reads every record after the disclaimer, and the release from the file name", () => {
    expect(parsed.rows).toBe(16);
    expect(parsed.snapshot).toMatchObject({
      system: CodeSystemId.HCPCS,
      version: "2019",
      effective: "2019-01-01",
    });
    expect(parsed.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("joins long descriptions across continuation records, even one cut short", () => {
    expect(code(parsed, "HCPCS:A4253").title).toBe(
      "Blood glucose test or reagent strips for home blood glucose monitor, per 50 strips",
    );
    expect(code(parsed, "HCPCS:A4253").shortTitle).toBe("Blood glucose/reagent strips");
    expect(code(parsed, "HCPCS:G0202").title).toBe(
      "Screening mammography, test record with a patient’s consent and a long description running over three records",
    );
    expect(code(parsed, "HCPCS:GA").title).toBe(
      "Waiver of liability statement issued as required by payer policy, individual case",
    );
  });

  it("reads 0x92 as a Windows-1252 right quote, not a control code", () => {
    expect(code(parsed, "HCPCS:G0202").title).toContain("patient\u2019s");
  });

  it("makes codes reportable supplies or services under their section, modifiers non-billable and parentless", () => {
    expect(code(parsed, "HCPCS:A4253")).toMatchObject({
      kind: CodeKind.SUPPLY_OR_SERVICE,
      level: CodeLevel.CODE,
      billable: true,
      parent: "HCPCS:A4206-A8999",
    });
    const lt = code(parsed, "HCPCS:LT");
    expect(lt).toMatchObject({ kind: CodeKind.MODIFIER, level: CodeLevel.CODE, billable: false });
    expect(lt.parent).toBeUndefined();
  });

  it("keeps the layout's fields as attributes, dates in ISO form", () => {
    expect(code(parsed, "HCPCS:A4253").attributes).toEqual({
      addDate: "1986-01-01",
      actionEffectiveDate: "1998-07-01",
      actionCode: "N",
      betos: "D1E",
      coverage: "D",
      typeOfService: "P",
      pricingIndicator: "32",
      multiplePricingIndicator: "A",
      cimReference: "60-11",
      anesthesiaBaseUnits: "0",
    });
    expect(code(parsed, "HCPCS:C9014").attributes).toMatchObject({
      terminationDate: "2018-12-31",
      actionCode: "D",
      crossReference: "J0567",
      typeOfService: "9,F",
    });
  });

  it("emits only the sections that hold a code, as chapters", () => {
    const sections = parsed.codes.filter((c) => c.level === CodeLevel.CHAPTER);
    expect(sections.map((s) => s.id).sort()).toEqual([
      "HCPCS:A0021-A0999",
      "HCPCS:A4206-A8999",
      "HCPCS:C1000-C9999",
      "HCPCS:G0008-G9999",
      "HCPCS:J0120-J8499",
      "HCPCS:P2028-P9615",
      "HCPCS:Q0035-Q9999",
    ]);
    expect(sections.every((s) => !s.billable && s.parent === null)).toBe(true);
  });

  it("reports a code outside every section instead of inventing one", () => {
    expect(code(parsed, "HCPCS:M1000").parent).toBeUndefined();
    expect(parsed.unresolved).toContainEqual({
      reason: OUTSIDE_SECTIONS_REASON,
      count: 1,
      examples: [expect.stringContaining("M1000")],
    });
  });

  it("counts the disclaimer lines it skips before the first record, with their text", () => {
    expect(parsed.unresolved).toContainEqual({
      reason: SKIPPED_BEFORE_RECORDS_REASON,
      count: 2,
      examples: ['1: "***Disclaimers"', expect.stringMatching(/^3: "\*Inclusion or exclusion/)],
    });
  });

  it("reports a first record too damaged to be read as one, rather than skip it unseen", async () => {
    const damaged = await hcpcsAnnualParser.parse(fixture("damaged-first-record-2019.txt"), {});
    expect(damaged.codes.some((c) => c.id === "HCPCS:GA")).toBe(false);
    expect(damaged.unresolved).toContainEqual({
      reason: SKIPPED_BEFORE_RECORDS_REASON,
      count: 3,
      examples: [
        '1: "***Disclaimers"',
        expect.stringMatching(/^3: /),
        '5: "ga001007Waiver of liability statement issued as required by"',
      ],
    });
  });

  it("turns cross-references of terminated codes into REPLACES from the day after termination", () => {
    const edges = parsed.edges.map(
      (e) => e.relation === Relation.REPLACES && [e.from, e.to, e.effective],
    );
    expect(edges).toEqual([
      ["HCPCS:LT", "HCPCS:ZZ", "2018-04-01"],
      ["HCPCS:J0567", "HCPCS:C9014", "2019-01-01"],
      ["CPT:76978", "HCPCS:C9744", "2019-01-01"],
      ["CPT:76979", "HCPCS:C9744", "2019-01-01"],
      ["CPT:77067", "HCPCS:G0202", "2018-01-01"],
    ]);
    expect(parsed.edges.every((e) => e.source === "HCPCS 2019 cross-reference")).toBe(true);
  });

  it("leaves cross-references of live codes as attributes, and reports one that is no code", () => {
    expect(parsed.edges.some((e) => e.to === "HCPCS:A0021" || e.to === "HCPCS:P7001")).toBe(false);
    expect(code(parsed, "HCPCS:P7001").attributes?.crossReference).toBe("CPT");
    expect(parsed.unresolved).toContainEqual({
      reason: XREF_NOT_A_CODE_REASON,
      count: 1,
      examples: [expect.stringContaining('Q9993 → "XYZ"')],
    });
  });

  it("covers HCPCS codes and modifiers, not sections or other systems", () => {
    const covers = parsed.snapshot!.covers;
    expect(covers(node("HCPCS:A9999", CodeLevel.CODE))).toBe(true);
    expect(covers(node("HCPCS:KX", CodeLevel.CODE, CodeKind.MODIFIER))).toBe(true);
    expect(covers(node("HCPCS:T1000-T5999", CodeLevel.CHAPTER))).toBe(false);
    expect(covers(node("CPT:99213", CodeLevel.CODE, CodeKind.PROCEDURE))).toBe(false);
  });

  it("takes version and effective date from the options over the file name", async () => {
    const other = await hcpcsAnnualParser.parse(fixture("valid-2019.txt"), {
      version: "2019-Q2",
      effective: "2019-04-01",
    });
    expect(other.snapshot).toMatchObject({ version: "2019-Q2", effective: "2019-04-01" });
    expect(other.edges[0]!.source).toBe("HCPCS 2019-Q2 cross-reference");
  });

  it("reports progress up to the file's size", async () => {
    const reports: number[] = [];
    await hcpcsAnnualParser.parse(fixture("valid-2019.txt"), {
      onProgress: ({ bytes, totalBytes }) => reports.push(bytes / totalBytes),
    });
    expect(reports.at(-1)).toBe(1);
  });
});

describe("HCPCS annual file: broken files stop with file, line and text", () => {
  const cases: [string, number, RegExp][] = [
    [
      "bad-date.txt",
      5,
      /addDate \(columns 269-276\) must be a date YYYYMMDD or blank, found "20190231"/,
    ],
    ["bad-code.txt", 6, /"A12B4" \(columns 1-5\) is not an HCPCS Level II code/],
    ["wrong-length.txt", 5, /an HCPCS record has 320 characters; this line has 322/],
    [
      "bad-action.txt",
      5,
      /action code \(column 293\) must be one of A, B, C, D, F, N, P, R, S, T, found "Q"/,
    ],
    ["orphan-continuation.txt", 6, /must follow the first record of code A4253/],
    ["duplicate-code.txt", 6, /code A0021 repeats the record on line 5/],
    ["continuation-details.txt", 6, /a continuation record has nothing after column 91/],
  ];
  it.each(cases)("%s", async (name, line, problem) => {
    const error = await failure(fixture(name));
    expect(error.file).toBe(name);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.text?.length).toBeGreaterThan(0);
  });

  it("refuses a file with no records", async () => {
    const error = await failure(fixture("no-records.txt"));
    expect(error.problem).toMatch(/no HCPCS records/);
  });
});

describe("HCPCS annual file: sniffing", () => {
  it("recognises the fixture and not a GEM", () => {
    const head = (name: string) => readFileSync(name).toString("latin1");
    expect(hcpcsAnnualParser.sniff(head(fixture("valid-2019.txt")), "valid-2019.txt")).toBe(true);
    expect(hcpcsAnnualParser.sniff("A000    0010  00000\r\nA001    0011  00000\r\n", "x.txt")).toBe(
      false,
    );
  });
});

const REAL = join(PROJECT_ROOT, "../shared/data/hcpcs/2019/HCPC2019_CONTR_ANWEB.txt");

describe.skipIf(!existsSync(REAL))(
  existsSync(REAL)
    ? `HCPCS 2019 annual file, ${REAL}`
    : `HCPCS 2019 annual file: skipped, ${REAL} is absent (a fresh clone has no ../shared)`,
  () => {
    // Counts computed here straight from the file's columns, independently of the parser.
    let records: string[];
    let codes: string[];
    let modifiers: string[];
    let terminated: string[];
    let xrefs: string[];
    let parsed: ParsedFile;
    beforeAll(async () => {
      const lines = readFileSync(REAL, "latin1").split("\r\n");
      records = lines.filter((l) => /^[A-Z0-9 ]{5}[0-9]{5}[3478]/.test(l));
      const firsts = records.filter((l) => l[10] === "3" || l[10] === "7");
      codes = records.filter((l) => l[10] === "3").map((l) => l.slice(0, 5));
      modifiers = records.filter((l) => l[10] === "7").map((l) => l.slice(3, 5));
      terminated = firsts.filter((l) => l.slice(284, 292).trim() !== "");
      xrefs = terminated.flatMap((l) =>
        l
          .slice(204, 229)
          .match(/.{5}/g)!
          .map((x) => x.trim())
          .filter((x) => x),
      );
      parsed = await hcpcsAnnualParser.parse(REAL, {});
    });

    it("reads every record and makes one code per first record", () => {
      expect(parsed.rows).toBe(records.length);
      expect(parsed.rows).toBe(11_622);
      const level2 = parsed.codes.filter(
        (c) => c.level === CodeLevel.CODE && c.kind !== CodeKind.MODIFIER,
      );
      const mods = parsed.codes.filter((c) => c.kind === CodeKind.MODIFIER);
      expect(level2.map((c) => c.code).sort()).toEqual([...new Set(codes)].sort());
      expect(mods.map((c) => c.code).sort()).toEqual([...new Set(modifiers)].sort());
      expect(level2).toHaveLength(6_440);
      expect(mods).toHaveLength(360);
    });

    it("gives every code but the reported ones a section, and emits the sections used", () => {
      const outside = codes.filter((c) => !hcpcsSectionOf(c));
      const used = new Set(codes.map((c) => hcpcsSectionOf(c)).filter((s) => s !== undefined));
      expect(parsed.codes.filter((c) => c.level === CodeLevel.CHAPTER)).toHaveLength(used.size);
      expect(used.size).toBe(HCPCS_SECTIONS.length);
      expect(parsed.unresolved).toEqual([
        { reason: SKIPPED_BEFORE_RECORDS_REASON, count: 4, examples: expect.any(Array) },
        { reason: OUTSIDE_SECTIONS_REASON, count: outside.length, examples: expect.any(Array) },
      ]);
      expect(outside).toEqual(["M0064", ...Array.from({ length: 72 }, (_, i) => `M${1000 + i}`)]);
    });

    it("makes a REPLACES edge per code-shaped cross-reference of a terminated code", () => {
      expect(terminated).toHaveLength(515);
      expect(parsed.edges).toHaveLength(xrefs.length);
      expect(parsed.edges).toHaveLength(130);
      expect(parsed.edges.filter((e) => e.from.startsWith("CPT:"))).toHaveLength(
        xrefs.filter((x) => /^[0-9]{4}[0-9T]$/.test(x)).length,
      );
    });

    it("loads 100 of the 130 into a graph without CPT: 29 start at CPT codes and J7023 (→ C9468) is not in the file, all reported", async () => {
      const store = new MemoryStore();
      const result = await importFiles(store, [REAL]);
      const loaded = [...store.current.edges.values()].filter(
        (e) => e.relation === Relation.REPLACES,
      );
      expect(loaded).toHaveLength(100);
      expect(loaded.every((e) => e.from.startsWith("HCPCS:"))).toBe(true);
      const missing = result.files[0]!.unresolved.find(
        (u) => u.reason === MergeUnresolved.SOURCE_MISSING,
      )!;
      expect(missing.count).toBe(30);
      const unloaded = parsed.edges.filter((e) => !store.current.nodes.has(e.from));
      expect(unloaded.filter((e) => e.from.startsWith("CPT:"))).toHaveLength(29);
      expect(
        unloaded.filter((e) => !e.from.startsWith("CPT:")).map((e) => `${e.from} → ${e.to}`),
      ).toEqual(["HCPCS:J7023 → HCPCS:C9468"]);
    });

    it("spot checks: A4253, a terminated code and its cross-reference, the record cut short", () => {
      expect(code(parsed, "HCPCS:A4253").title).toBe(
        "Blood glucose test or reagent strips for home blood glucose monitor, per 50 strips",
      );
      expect(code(parsed, "HCPCS:C9014").attributes).toMatchObject({
        terminationDate: "2018-12-31",
        actionEffectiveDate: "2019-01-01",
        actionCode: "D",
      });
      expect(parsed.edges).toContainEqual(
        expect.objectContaining({
          from: "HCPCS:J0567",
          to: "HCPCS:C9014",
          effective: "2019-01-01",
        }),
      );
      expect(code(parsed, "HCPCS:G8891").title).toMatch(
        /\(e\.g\., patients with palliative goals .* not clinically appropriate\)$/,
      );
    });
  },
);

describe("HCPCS annual file: the registry", () => {
  it("detects the format from content among every registered parser", async () => {
    expect((await parserFor(fixture("valid-2019.txt"))).format).toBe(FormatId.HCPCS_ANNUAL);
  });
});

describe.skipIf(!existsSync(REAL))(
  existsSync(REAL)
    ? "HCPCS annual file: the registry on the 2019 file"
    : `HCPCS annual file: the registry on the 2019 file: skipped, ${REAL} is absent (a fresh clone has no ../shared)`,
  () => {
    it("detects the 2019 file's format from its content", async () => {
      expect((await parserFor(REAL)).format).toBe(FormatId.HCPCS_ANNUAL);
    });
  },
);
