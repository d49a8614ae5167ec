import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS, { type CellValue } from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { Relation } from "../../src/domain/relationship.js";
import {
  ConversionUnresolved,
  icd10cmConversionParser,
  parsePreviousCodes,
  readConversionTable,
} from "../../src/import/formats/icd10cm-conversion.format.js";
import { parserFor, UnknownFormatError } from "../../src/import/formats/index.js";
import { FormatId, type ParsedFile, type ReleaseEdge } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/conversion");
const fixture = (name: string) => join(FIXTURES, name);

/** `from → to effective` of every edge, for compact comparisons. */
function edgeLines(parsed: ParsedFile): string[] {
  return parsed.edges.map(
    (e) => `${e.from} → ${e.to} ${e.relation === Relation.REPLACES ? e.effective : ""}`,
  );
}

async function failure(path: string): Promise<SourceFileError> {
  try {
    await icd10cmConversionParser.parse(path, {});
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe("previous-code cells", () => {
  it("read one code, several with any separator, or None", () => {
    expect(parsePreviousCodes("A04.7")).toEqual([{ type: "codes", codes: ["A04.7"] }]);
    expect(parsePreviousCodes("None")).toEqual([]);
    expect(
      parsePreviousCodes("G56.01 and G56.02")?.flatMap((p) => (p.type === "codes" ? p.codes : [])),
    ).toEqual(["G56.01", "G56.02"]);
    for (const cell of ["M96.89 & Y84.8", "M96.89; Y84.8", "M96.89, Y84.8", "M96.89 AND Y84.8"]) {
      expect(parsePreviousCodes(cell), cell).toEqual([
        { type: "codes", codes: ["M96.89"] },
        { type: "codes", codes: ["Y84.8"] },
      ]);
    }
  });

  it("read undotted codes, a trailing dash and category ranges in words", () => {
    expect(parsePreviousCodes("W458XXA")).toEqual([{ type: "codes", codes: ["W45.8XXA"] }]);
    expect(parsePreviousCodes("K31.89 and a code from R11-")).toEqual([
      { type: "codes", codes: ["K31.89"] },
      { type: "codes", codes: ["R11"] },
    ]);
    expect(parsePreviousCodes("Codes in Categories T15-T19")).toEqual([
      { type: "codes", codes: ["T15-T19"] },
    ]);
  });

  it("list a range whose ends differ in a last digit, and keep the others unlisted", () => {
    expect(parsePreviousCodes("H35.20-H35.23")).toEqual([
      { type: "codes", codes: ["H35.20", "H35.21", "H35.22", "H35.23"] },
    ]);
    expect(parsePreviousCodes("Y93.01-Y93.9")).toEqual([
      { type: "unlisted", range: "Y93.01-Y93.9" },
    ]);
    expect(parsePreviousCodes("S06.890A-S06.899A")).toEqual([
      { type: "unlisted", range: "S06.890A-S06.899A" },
    ]);
  });

  it("refuse other wording and malformed codes", () => {
    expect(parsePreviousCodes("see A04.7 notes")).toBeUndefined();
    expect(parsePreviousCodes("E1.19")).toBeUndefined();
    expect(parsePreviousCodes("unknown")).toBeUndefined();
  });
});

describe("ICD-10-CM conversion table: hand-written CSV", async () => {
  const { file: parsed, counts } = await readConversionTable(fixture("valid.csv"));

  it("finds the column row after the introduction and the table's year in the introduction", () => {
    expect(parsed.format).toBe(FormatId.ICD10CM_CONVERSION);
    expect(parsed.snapshot).toBeNull();
    expect(parsed.codes).toEqual([]);
    expect(counts).toMatchObject({ version: "FY2020", columnRow: 4, rows: 16 });
    expect(parsed.rows).toBe(16);
    expect(parsed.sha256).toBe(
      createHash("sha256")
        .update(readFileSync(fixture("valid.csv")))
        .digest("hex"),
    );
  });

  it("makes REPLACES edges from October 1 of the year listed, or the date given", () => {
    expect(parsed.edges[0]).toEqual({
      relation: Relation.REPLACES,
      from: "ICD10CM:A04.71",
      to: "ICD10CM:A04.7",
      effective: "2017-10-01",
      source: "ICD-10-CM conversion table FY2020",
      validFrom: null,
      validTo: null,
      line: 5,
    });
    expect(edgeLines(parsed)).toEqual([
      "ICD10CM:A04.71 → ICD10CM:A04.7 2017-10-01",
      "ICD10CM:C44.1121 → ICD10CM:C44.112 2018-10-01",
      "ICD10CM:G56.03 → ICD10CM:G56.01 2016-10-01",
      "ICD10CM:G56.03 → ICD10CM:G56.02 2016-10-01",
      "ICD10CM:H02.20A → ICD10CM:H02.201 2018-10-01",
      "ICD10CM:H02.20A → ICD10CM:H02.202 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.101 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.102 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.103 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.104 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.105 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.106 2018-10-01",
      "ICD10CM:H02.151 → ICD10CM:H02.109 2018-10-01",
      "ICD10CM:H35.21 → ICD10CM:H35.20 2016-10-01",
      "ICD10CM:H35.21 → ICD10CM:H35.22 2016-10-01",
      "ICD10CM:H35.21 → ICD10CM:H35.23 2016-10-01",
      "ICD10CM:M96.A1 → ICD10CM:M96.89 2019-10-01",
      "ICD10CM:M96.A1 → ICD10CM:Y84.8 2019-10-01",
      "ICD10CM:W44.A1XA → ICD10CM:T15-T19 2019-10-01",
      "ICD10CM:K59.031 → ICD10CM:K59.09 2019-10-01",
      "ICD10CM:K59.031 → ICD10CM:T36-T50 2019-10-01",
      "ICD10CM:R11.15 → ICD10CM:K31.89 2016-10-01",
      "ICD10CM:R11.15 → ICD10CM:R11 2016-10-01",
      "ICD10CM:W45.3XXA → ICD10CM:W45.8XXA 2019-10-01",
      "ICD10CM:U07.1 → ICD10CM:B97.29 2020-04-01",
      "ICD10CM:A04.72 → ICD10CM:A04.7 2017-10-01",
    ]);
    expect(counts.rowsByEffective).toEqual({
      "2016-10-01": 5,
      "2017-10-01": 3,
      "2018-10-01": 3,
      "2019-10-01": 4,
      "2020-04-01": 1,
    });
  });

  it("counts a repeated row once, and reports rows that make no edge", () => {
    expect(counts.repeatedRows).toBe(1);
    expect(parsed.edges.filter((e) => e.from === "ICD10CM:A04.72")).toHaveLength(1);
    expect(parsed.unresolved).toEqual([
      {
        reason: ConversionUnresolved.SELF,
        count: 1,
        examples: ["10: H35.21 in H35.21 | 2016 | H35.20-H35.23"],
      },
      {
        reason: ConversionUnresolved.RANGE_NOT_LISTED,
        count: 1,
        examples: ["15: Y93.01-Y93.9 in X50.0XXA | 2016 | Y93.01-Y93.9"],
      },
      { reason: ConversionUnresolved.NO_PREVIOUS, count: 1, examples: ["16: M04.8 | 2016 | None"] },
    ]);
  });

  it("takes the release from --version when neither introduction nor name tells it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codegraph-conversion-"));
    const path = join(dir, "table.csv");
    writeFileSync(
      path,
      "Current code assignment,Effective,Previous Code(s) Assignment\nA04.71,2017,A04.7\n",
    );
    const { file } = await readConversionTable(path, { version: "FY2018" });
    expect(file.edges[0]?.source).toBe("ICD-10-CM conversion table FY2018");
    await expect(readConversionTable(path)).rejects.toThrow(/cannot tell the table's fiscal year/);
  });
});

describe("ICD-10-CM conversion table: broken CSV files stop with file, line and text", () => {
  it("a malformed current code", async () => {
    const error = await failure(fixture("broken-code.csv"));
    expect(error).toMatchObject({ file: "broken-code.csv", line: 4, text: "E1.19 | 2017 | E11.9" });
    expect(error.problem).toMatch(
      /current code: "E1.19" is not a valid ICD-10-CM code: the dot follows/,
    );
  });

  it("a previous-code cell in other words", async () => {
    const error = await failure(fixture("broken-previous.csv"));
    expect(error).toMatchObject({
      line: 4,
      problem: 'previous code(s) "see A04.7 notes" not understood',
    });
  });

  it("an effective cell that is no year or date", async () => {
    const error = await failure(fixture("broken-effective.csv"));
    expect(error).toMatchObject({ line: 3, text: "A04.71 | October | A04.7" });
  });

  it("no column row", async () => {
    const error = await failure(fixture("broken-no-columns.csv"));
    expect(error.problem).toMatch(
      /^no column row with "Current code", "Effective" and "Previous code\(s\)" headers/,
    );
    expect(error.text).toBe("Conversion Table FY 2020 introduction.");
  });
});

/** Writes a workbook laid out as NCHS's: introduction row, column row, data rows. */
async function writeWorkbook(path: string, rows: CellValue[][], extraSheet = false): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("ICD-10-CM-Conversion-Table-FY26");
  const intro =
    "The National Center for Health Statistics (NCHS) has published an update …\n" +
    "This FY 2026 (October 1, 2025 Update) Conversion Table includes the new ICD-10-CM codes. " +
    "Unless otherwise specified the code effective date is October 1 of the year listed.";
  sheet.addRow([{ richText: [{ text: intro, font: { bold: true } }] }, intro, intro]);
  sheet.mergeCells("A1:C1");
  sheet.addRow(["Current code assignment", "Effective", "Previous Code(s) Assignment"]);
  for (const row of rows) sheet.addRow(row);
  if (extraSheet) workbook.addWorksheet("Notes").addRow(["Z99.99", 1999, "not part of the table"]);
  await workbook.xlsx.writeFile(path);
}

describe("ICD-10-CM conversion table: XLSX written here with exceljs", () => {
  const dir = mkdtempSync(join(tmpdir(), "codegraph-conversion-"));
  const good = join(dir, "icd10cm-conversion-table.xlsx");
  const badCode = join(dir, "conversion-bad-code.xlsx");
  const notZip = join(dir, "conversion-damaged.xlsx");
  const otherName = join(dir, "workbook.xlsx");

  beforeAll(async () => {
    await writeWorkbook(
      good,
      [
        ["A04.71", 2017, "A04.7"],
        ["U07.1", new Date(Date.UTC(2020, 3, 1)), "B97.29"],
        // FY2023 on write a few codes in runs of differing fonts.
        [
          { richText: [{ text: "S" }, { text: "06.1XA", font: { size: 11 } }, { text: "A" }] },
          2022,
          "S06.1X9A",
        ],
        ["QA0.0101", 2025, "F89"],
        ["W453XXA", 2025, "W45.8XXA"],
        ["E66.813 ", 2024, "E66.01, E66.8"],
        ["M04.8", 2016, "None"],
        [null, null, null],
      ],
      true,
    );
    await writeWorkbook(badCode, [
      ["A04.71", 2017, "A04.7"],
      ["E1.19", 2017, "E11.9"],
    ]);
    writeFileSync(
      notZip,
      Buffer.concat([Buffer.from("PK\u0003\u0004", "latin1"), Buffer.alloc(200, 7)]),
    );
    await writeWorkbook(otherName, [["A04.71", 2017, "A04.7"]]);
  });

  it("reads the first sheet's rows, a date cell as its day, rich text as its text", async () => {
    const { file, counts } = await readConversionTable(good);
    expect(counts).toMatchObject({ version: "FY2026", columnRow: 2, rows: 7, edges: 7 });
    expect(edgeLines(file)).toEqual([
      "ICD10CM:A04.71 → ICD10CM:A04.7 2017-10-01",
      "ICD10CM:U07.1 → ICD10CM:B97.29 2020-04-01",
      "ICD10CM:S06.1XAA → ICD10CM:S06.1X9A 2022-10-01",
      "ICD10CM:QA0.0101 → ICD10CM:F89 2025-10-01",
      "ICD10CM:W45.3XXA → ICD10CM:W45.8XXA 2025-10-01",
      "ICD10CM:E66.813 → ICD10CM:E66.01 2024-10-01",
      "ICD10CM:E66.813 → ICD10CM:E66.8 2024-10-01",
    ]);
    expect(file.edges.map((e: ReleaseEdge) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 8]);
    expect(file.edges[0]?.source).toBe("ICD-10-CM conversion table FY2026");
    expect(file.sha256).toBe(createHash("sha256").update(readFileSync(good)).digest("hex"));
    expect(file.unresolved.map((u) => u.reason)).toEqual([ConversionUnresolved.NO_PREVIOUS]);
  });

  it("reports progress in bytes of the file", async () => {
    const seen: { bytes: number; totalBytes: number; rows: number }[] = [];
    await readConversionTable(good, { onProgress: (p) => seen.push(p) });
    expect(seen[seen.length - 1]).toMatchObject({ bytes: readFileSync(good).length, rows: 7 });
  });

  it("stops at a malformed code with the sheet's row number", async () => {
    const error = await failure(badCode);
    expect(error).toMatchObject({
      file: "conversion-bad-code.xlsx",
      line: 4,
      text: "E1.19 | 2017 | E11.9",
    });
  });

  it("stops on a damaged workbook", async () => {
    const error = await failure(notZip);
    expect(error).toMatchObject({ file: "conversion-damaged.xlsx", line: 0 });
    expect(error.problem).toMatch(/^not a readable XLSX workbook/);
  });

  it("is sniffed by its zip and its name, the CSV by its column row; --format names either", async () => {
    expect((await parserFor(good)).format).toBe(FormatId.ICD10CM_CONVERSION);
    expect((await parserFor(fixture("valid.csv"))).format).toBe(FormatId.ICD10CM_CONVERSION);
    await expect(parserFor(otherName)).rejects.toThrow(UnknownFormatError);
    expect((await parserFor(otherName, FormatId.ICD10CM_CONVERSION)).format).toBe(
      FormatId.ICD10CM_CONVERSION,
    );
  });
});

const REAL = join(PROJECT_ROOT, "../shared/data/icd10cm/conversion");

/** Rows of a table counted straight from the file, independently of the parser. */
async function independentRows(path: string): Promise<{ current: string; previous: string }[]> {
  if (path.endsWith(".csv")) {
    return readFileSync(path, "latin1")
      .split(/\r?\n/)
      .filter((l) => /^[A-Z][0-9A-Z]{2}\.?[0-9A-Z]*\s*,/.test(l))
      .map((l) => {
        const m = /^([^,]*),([^,]*),(.*)$/.exec(l)!;
        return { current: m[1]!.trim(), previous: m[3]!.replace(/^"|"$/g, "").trim() };
      });
  }
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.worksheets[0]!;
  const plain = (v: CellValue) =>
    v && typeof v === "object" && "richText" in v
      ? v.richText.map((r) => r.text).join("")
      : String(v ?? "");
  const out: { current: string; previous: string }[] = [];
  let header = false;
  sheet.eachRow((row) => {
    const values = row.values as CellValue[];
    if (!header) {
      header = plain(values[1]) === "Current code assignment";
      return;
    }
    if (plain(values[1]).trim() !== "")
      out.push({ current: plain(values[1]).trim(), previous: plain(values[3]).trim() });
  });
  return out;
}

describe.skipIf(!existsSync(REAL))(
  existsSync(REAL)
    ? `ICD-10-CM conversion tables FY2017-FY2026, ${REAL}`
    : `ICD-10-CM conversion tables: skipped, ${REAL} is absent (a fresh clone has no ../shared)`,
  () => {
    const files = existsSync(REAL)
      ? readdirSync(REAL).filter((f) => /^conversion-FY\d{4}\.(xlsx|csv)$/.test(f))
      : [];

    it("holds the ten tables", () => {
      expect(files.sort()).toHaveLength(10);
    });

    it.each(files)("%s: every row read, each with its edges or its reason", async (name) => {
      const path = join(REAL, name);
      const { file, counts } = await readConversionTable(path);
      const rows = await independentRows(path);
      expect(counts.version).toBe(/FY\d{4}/.exec(name)![0]);
      expect(file.rows).toBe(rows.length);
      expect(file.sha256).toBe(createHash("sha256").update(readFileSync(path)).digest("hex"));
      const none = rows.filter((r) => r.previous === "None");
      const reasons = Object.fromEntries(file.unresolved.map((u) => [u.reason, u.count]));
      expect(reasons[ConversionUnresolved.NO_PREVIOUS] ?? 0).toBe(none.length);
      // Every other row's new code starts an edge, unless its only previous codes are an unlisted range.
      const from = new Set(file.edges.map((e) => e.from.replace(/^ICD10CM:/, "").replace(".", "")));
      const without = rows.filter(
        (r) => r.previous !== "None" && !from.has(r.current.replace(".", "")),
      );
      expect(without.length).toBeLessThanOrEqual(
        reasons[ConversionUnresolved.RANGE_NOT_LISTED] ?? 0,
      );
      for (const r of without) expect(r.previous, r.current).toMatch(/^[A-Z0-9.]+-[A-Z0-9.]+$/);
      for (const edge of file.edges)
        expect(edge.source).toBe(`ICD-10-CM conversion table ${counts.version}`);
    });

    it("dates the first table's rows on its own first day, and later tables' rows as listed", async () => {
      const fy2017 = await readConversionTable(join(REAL, "conversion-FY2017.xlsx"));
      expect(Object.keys(fy2017.counts.rowsByEffective)).toEqual(["2016-10-01"]);
      const fy2020 = await readConversionTable(join(REAL, "conversion-FY2020.csv"));
      expect(edgeLines(fy2020.file)).toContain("ICD10CM:A04.71 → ICD10CM:A04.7 2017-10-01");
      expect(fy2020.counts.columnRow).toBe(3);
    });

    it("holds known rows of the FY2026 table", async () => {
      const { file, counts } = await readConversionTable(join(REAL, "conversion-FY2026.xlsx"));
      const lines = edgeLines(file);
      expect(lines).toContain("ICD10CM:S30.11XA → ICD10CM:S30.1XXA 2025-10-01");
      expect(lines).toContain("ICD10CM:A92.5 → ICD10CM:A92.8 2016-10-01");
      expect(lines).toContain("ICD10CM:U07.1 → ICD10CM:B97.29 2020-04-01");
      expect(lines).toContain("ICD10CM:QA0.0101 → ICD10CM:F89 2025-10-01");
      expect(lines).toContain("ICD10CM:W44.A1XS → ICD10CM:T15-T19 2023-10-01");
      expect(lines.filter((l) => l.startsWith("ICD10CM:U07.0 →"))).toHaveLength(8);
      // O44.20 → O44.00 is listed twice, as are seven more pairs of O44.
      expect(counts.repeatedRows).toBe(8);
      expect(counts.rows).toBe(5_892);
    });
  },
);
