import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type CodeNode } from "../../src/domain/graph.js";
import {
  icd10cmOrderParser,
  icd10pcsOrderParser,
  PCS_SECTION_TITLES,
} from "../../src/import/formats/icd10-order.format.js";
import { AddendaAction, parseIcd10cmAddenda } from "../support/icd10cm-addenda.js";
import { parserFor } from "../../src/import/formats/index.js";
import { FormatId, type ParsedFile } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/icd10-order");
const fixture = (name: string) => join(FIXTURES, name);
const node = (over: Partial<CodeNode>): CodeNode => ({
  id: "x",
  system: CodeSystemId.ICD10CM,
  code: "x",
  kind: CodeKind.DIAGNOSIS,
  level: CodeLevel.CODE,
  versions: [],
  synonyms: [],
  noMapTo: [],
  attributes: {},
  ...over,
});

describe("ICD-10-CM order file", () => {
  let parsed: ParsedFile;
  beforeAll(async () => {
    parsed = await icd10cmOrderParser.parse(fixture("icd10cm_order_2025.txt"), {});
  });

  it("is a snapshot of the release the file name gives (FY2025, in force from 2024-10-01)", () => {
    expect(parsed.format).toBe(FormatId.ICD10CM_ORDER);
    expect(parsed.rows).toBe(17);
    expect(parsed.snapshot).toMatchObject({
      system: CodeSystemId.ICD10CM,
      version: "FY2025",
      effective: "2024-10-01",
    });
    expect(parsed.sha256).toBe(
      createHash("sha256")
        .update(readFileSync(fixture("icd10cm_order_2025.txt")))
        .digest("hex"),
    );
  });

  it("dots codes after the third character and reads the valid flag as billable or header", () => {
    const byId = new Map(parsed.codes.map((c) => [c.id, c]));
    expect(byId.get("ICD10CM:E11")).toMatchObject({
      code: "E11",
      level: CodeLevel.CATEGORY,
      billable: false,
      line: 6,
    });
    expect(byId.get("ICD10CM:E11.6")).toMatchObject({
      level: CodeLevel.SUBCATEGORY,
      billable: false,
    });
    expect(byId.get("ICD10CM:E11.65")).toMatchObject({
      level: CodeLevel.CODE,
      billable: true,
      kind: CodeKind.DIAGNOSIS,
      title: "Type 2 diabetes mellitus with hyperglycemia",
    });
    expect(byId.get("ICD10CM:S30.1XXA")).toMatchObject({ code: "S30.1XXA", level: CodeLevel.CODE });
    // A billable three-character code stays a category.
    expect(byId.get("ICD10CM:I10")).toMatchObject({ level: CodeLevel.CATEGORY, billable: true });
    expect(parsed.codes.filter((c) => c.billable)).toHaveLength(8);
  });

  it("keeps the short and the long title apart, without padding or the CR of CRLF", () => {
    const s30 = parsed.codes.find((c) => c.id === "ICD10CM:S30")!;
    expect(s30.shortTitle).toBe("Superfic inj abdomen, low back, pelvis and external genitals");
    expect(s30.title).toBe(
      "Superficial injury of abdomen, lower back, pelvis and external genitals",
    );
    for (const c of parsed.codes) expect(c.title + (c.shortTitle ?? "")).not.toMatch(/[\r\n]|\s$/);
  });

  it("reads LF line ends the same as CRLF", async () => {
    const lf = await icd10cmOrderParser.parse(fixture("icd10cm_order_2025_lf.txt"), {});
    expect(lf.codes).toEqual(parsed.codes);
  });

  it("speaks for categories, subcategories and codes, not for the tabular's chapters and blocks", () => {
    const covers = parsed.snapshot!.covers;
    expect(covers(node({ level: CodeLevel.CODE }))).toBe(true);
    expect(covers(node({ level: CodeLevel.CATEGORY }))).toBe(true);
    expect(covers(node({ level: CodeLevel.BLOCK }))).toBe(false);
    expect(covers(node({ level: CodeLevel.CHAPTER }))).toBe(false);
    expect(covers(node({ system: CodeSystemId.ICD10PCS }))).toBe(false);
  });

  it("takes the release from options over the file name", async () => {
    const named = await icd10cmOrderParser.parse(fixture("icd10cm_order_2025.txt"), {
      version: "FY2027",
    });
    expect(named.snapshot).toMatchObject({ version: "FY2027", effective: "2026-10-01" });
    const dated = await icd10cmOrderParser.parse(fixture("icd10cm_order_2025.txt"), {
      version: "April 2025",
      effective: "2025-04-01",
    });
    expect(dated.snapshot).toMatchObject({ version: "April 2025", effective: "2025-04-01" });
  });

  it("asks for a release when neither the name nor the options give one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codegraph-order-"));
    try {
      const path = join(dir, "order.txt");
      copyFileSync(fixture("icd10cm_order_2025.txt"), path);
      await expect(icd10cmOrderParser.parse(path, {})).rejects.toThrow(/give --version FY2026/);
      await expect(icd10cmOrderParser.parse(path, { version: "spring" })).rejects.toThrow(
        /--effective/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports progress in bytes of the file and rows read", async () => {
    const seen: { bytes: number; totalBytes: number; rows: number }[] = [];
    await icd10cmOrderParser.parse(fixture("icd10cm_order_2025.txt"), {
      onProgress: (p) => seen.push(p),
    });
    const size = statSync(fixture("icd10cm_order_2025.txt")).size;
    expect(seen.at(-1)).toEqual({ bytes: size, totalBytes: size, rows: 17 });
  });
});

describe("broken ICD-10-CM order files stop with file, line and text", () => {
  const cases: [string, number, RegExp][] = [
    ["broken_flag_2026.txt", 4, /column 15 must hold the valid flag 0 or 1, found "2"/],
    ["broken_short_2026.txt", 6, /at least 78 characters/],
    ["broken_code_2026.txt", 8, /columns 7-13 must hold a code/],
    ["broken_repeat_2026.txt", 9, /code E1165 repeats line 8/],
    ["broken_order_number_2026.txt", 10, /5-digit order number/],
    ["broken_empty_title_2026.txt", 11, /long title .* is empty/],
    [
      "broken_header_7char_2026.txt",
      21,
      /seven-character ICD-10-CM code is always valid: its flag/,
    ],
    [
      "broken_latin1_2026.txt",
      13,
      /column 101 holds a byte that is not text \(U\+FFFD\): an order file is plain ASCII/,
    ],
  ];
  it.each(cases)("%s: line %i", async (name, line, problem) => {
    const text = readFileSync(fixture(name), "utf8").split("\r\n")[line - 1]!;
    const error = await icd10cmOrderParser.parse(fixture(name), {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceFileError);
    const e = error as SourceFileError;
    expect({ file: e.file, line: e.line, text: e.text }).toEqual({ file: name, line, text });
    expect(e.problem).toMatch(problem);
    expect(e.message.startsWith(`${name}:${line}: `)).toBe(true);
  });

  it.each([
    ["broken_pcs_code_flag_2026.txt", 2, /seven-character ICD-10-PCS code is always valid/],
    ["broken_pcs_table_flag_2026.txt", 1, /ICD-10-PCS table \(three characters\) is a header/],
  ] as const)("ICD-10-PCS %s: line %i", async (name, line, problem) => {
    await expect(icd10pcsOrderParser.parse(fixture(name), {})).rejects.toSatisfy(
      (e: unknown) => e instanceof SourceFileError && e.line === line && problem.test(e.problem),
    );
  });

  it("rejects an ICD-10-CM file read as ICD-10-PCS: its codes are not PCS codes", async () => {
    await expect(icd10pcsOrderParser.parse(fixture("icd10cm_order_2025.txt"), {})).rejects.toThrow(
      /icd10cm_order_2025\.txt:1: "A00" is not an ICD-10-PCS code/,
    );
  });
});

describe("ICD-10-PCS order file", () => {
  let parsed: ParsedFile;
  beforeAll(async () => {
    parsed = await icd10pcsOrderParser.parse(fixture("icd10pcs_order_2026.txt"), {});
  });
  const byId = () => new Map(parsed.codes.map((c) => [c.id, c]));

  it("holds tables and codes, plus the sections and body systems they imply", () => {
    expect(parsed.rows).toBe(12);
    expect(parsed.snapshot).toMatchObject({
      system: CodeSystemId.ICD10PCS,
      version: "FY2026",
      effective: "2025-10-01",
    });
    const levels = parsed.codes.map((c) => `${c.code} ${c.level}`);
    expect(levels.filter((l) => / (CHAPTER|BLOCK)$/.test(l)).sort()).toEqual([
      "0 CHAPTER",
      "00 BLOCK",
      "0D BLOCK",
      "B CHAPTER",
      "B0 BLOCK",
      "G CHAPTER",
      "GZ BLOCK",
      "X CHAPTER",
      "X0 BLOCK",
    ]);
    expect(byId().get("ICD10PCS:0DT")).toMatchObject({
      level: CodeLevel.CATEGORY,
      billable: false,
      kind: CodeKind.PROCEDURE,
    });
    expect(byId().get("ICD10PCS:0DTJ4ZZ")).toMatchObject({
      level: CodeLevel.CODE,
      billable: true,
      title: "Resection of Appendix, Percutaneous Endoscopic Approach",
    });
  });

  it("names sections officially and body systems from their tables' titles", () => {
    const title = (id: string) => byId().get(id)!.title;
    expect(title("ICD10PCS:0")).toBe("Medical and Surgical");
    expect(title("ICD10PCS:B")).toBe("Imaging");
    expect(title("ICD10PCS:00")).toBe("Central Nervous System and Cranial Nerves");
    expect(title("ICD10PCS:0D")).toBe("Gastrointestinal System");
    // Outside section 0 the table titles begin with the section's name.
    expect(title("ICD10PCS:B0")).toBe("Central Nervous System");
    expect(title("ICD10PCS:X0")).toBe("Nervous System");
    // Mental Health has no body system: PCS's value "Z" is "None".
    expect(title("ICD10PCS:GZ")).toBe("None");
    expect(byId().get("ICD10PCS:0")).toMatchObject({ shortTitle: null, billable: false });
  });

  it("lists seventeen official sections", () => {
    expect(Object.keys(PCS_SECTION_TITLES)).toHaveLength(17);
  });

  it("speaks for every ICD-10-PCS node and no other", () => {
    expect(
      parsed.snapshot!.covers(node({ system: CodeSystemId.ICD10PCS, level: CodeLevel.CHAPTER })),
    ).toBe(true);
    expect(parsed.snapshot!.covers(node({ system: CodeSystemId.ICD10CM }))).toBe(false);
  });
});

describe("format detection", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "codegraph-sniff-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tells the two order files apart by content, whatever their names", async () => {
    const cm = join(dir, "release-a.txt");
    const pcs = join(dir, "release-b.txt");
    copyFileSync(fixture("icd10cm_order_2026.txt"), cm);
    copyFileSync(fixture("icd10pcs_order_2026.txt"), pcs);
    expect((await parserFor(cm)).format).toBe(FormatId.ICD10CM_ORDER);
    expect((await parserFor(pcs)).format).toBe(FormatId.ICD10PCS_ORDER);
  });

  it("does not take the addenda or a broken line for an order file", () => {
    const head = readFileSync(fixture("icd10cm_order_addenda_2026.txt"), "latin1");
    expect(icd10cmOrderParser.sniff(head, "icd10cm_order_addenda_2026.txt")).toBe(false);
    expect(icd10pcsOrderParser.sniff(head, "icd10cm_order_addenda_2026.txt")).toBe(false);
    const broken = readFileSync(fixture("broken_short_2026.txt"), "latin1");
    expect(icd10cmOrderParser.sniff(broken, "broken_short_2026.txt")).toBe(false);
  });

  it("obeys --format over the content", async () => {
    expect(
      (await parserFor(fixture("icd10cm_order_2026.txt"), FormatId.ICD10PCS_ORDER)).format,
    ).toBe(FormatId.ICD10PCS_ORDER);
  });
});

describe("ICD-10-CM order-file addenda", () => {
  it("reads actions, flags, codes and both titles, and the summary counts", async () => {
    const addenda = await parseIcd10cmAddenda(fixture("icd10cm_order_addenda_2026.txt"));
    expect(addenda.entries.map((e) => `${e.action} ${e.billable ? 1 : 0} ${e.code}`)).toEqual([
      "DELETE 1 B880",
      "ADD 0 B880",
      "ADD 1 B8801",
      "ADD 1 B8809",
      "ADD 1 E11A",
      "REVISE_FROM 1 L02212",
      "REVISE_TO 1 L02212",
      "ADD 0 S3011",
      "ADD 1 S3011XA",
      "DELETE 1 S301XXA",
    ]);
    expect(addenda.entries.find((e) => e.action === AddendaAction.REVISE_TO)).toMatchObject({
      shortTitle: "Cutaneous abscess of back",
      title: "Cutaneous abscess of back [any part, except buttock and flank]",
      line: 7,
    });
    expect(addenda.summary.Codes).toMatchObject({ additions: 4, deletions: 2, revisions: 1 });
    expect(addenda.summary.Headers).toMatchObject({ additions: 2 });
  });

  it("rejects a line that is neither an entry nor the summary", async () => {
    await expect(parseIcd10cmAddenda(fixture("icd10cm_order_2025.txt"))).rejects.toThrow(
      SourceFileError,
    );
  });
});
