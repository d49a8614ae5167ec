import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type CodeNode } from "../../src/domain/graph.js";
import {
  claimsEncountersParser,
  claimsPairsParser,
} from "../../src/import/formats/claims.format.js";
import { cptCsvParser } from "../../src/import/formats/cpt-csv.format.js";
import { FormatId, type ParsedFile } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { parserFor } from "../../src/import/formats/index.js";

// Every fixture title is made up: no CPT descriptor (AMA content) is in this project.
const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/cpt-csv");
const fixture = (name: string) => join(FIXTURES, name);
const head = (name: string) => readFileSync(fixture(name)).toString("latin1");

function node(code: string, kind: CodeKind, level = CodeLevel.CODE): CodeNode {
  return {
    id: `CPT:${code}`,
    system: CodeSystemId.CPT,
    code,
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

async function failure(name: string): Promise<SourceFileError> {
  try {
    await cptCsvParser.parse(fixture(name), { version: "2024" });
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe("CPT CSV: synthetic fixture", () => {
  let parsed: ParsedFile;
  beforeAll(async () => {
    parsed = await cptCsvParser.parse(fixture("cpt-2024-synthetic.csv"), {});
  });

  it("is a CPT snapshot whose year in the file name gives version and January 1", () => {
    expect(parsed.snapshot).toMatchObject({
      system: CodeSystemId.CPT,
      version: "2024",
      effective: "2024-01-01",
    });
    expect(parsed.rows).toBe(7);
    expect(parsed.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads every CPT code shape and modifiers, past a byte-order mark, quotes and blanks", () => {
    expect(parsed.codes.map((c) => [c.id, c.kind, c.billable, c.line])).toEqual([
      ["CPT:99213", CodeKind.PROCEDURE, true, 2],
      ["CPT:3044F", CodeKind.PROCEDURE, true, 3],
      ["CPT:0042T", CodeKind.PROCEDURE, true, 4],
      ["CPT:0001U", CodeKind.PROCEDURE, true, 5],
      ["CPT:0002M", CodeKind.PROCEDURE, true, 6],
      ["CPT:25", CodeKind.MODIFIER, false, 8],
      ["CPT:59", CodeKind.MODIFIER, false, 9],
    ]);
    expect(parsed.codes.every((c) => c.level === CodeLevel.CODE && c.parent === undefined)).toBe(
      true,
    );
  });

  it("keeps titles, short titles and the validity columns as attributes", () => {
    expect(parsed.codes[0]).toMatchObject({
      title: "Synthetic visit title, level three (test fixture)",
      shortTitle: "Synthetic visit 3",
      attributes: { addDate: "1992-01-01" },
    });
    expect(parsed.codes[2]).toMatchObject({
      shortTitle: null,
      attributes: { addDate: "2004-07-01", terminationDate: "2024-12-31" },
    });
    expect(parsed.codes[4]!.attributes).toBeUndefined();
  });

  it("covers CPT codes, and modifiers because the file lists some; never ranges", () => {
    const covers = parsed.snapshot!.covers;
    expect(covers(node("99214", CodeKind.PROCEDURE))).toBe(true);
    expect(covers(node("GA", CodeKind.MODIFIER))).toBe(true);
    expect(covers(node("99202-99215", CodeKind.PROCEDURE, CodeLevel.BLOCK))).toBe(false);
  });

  it("a file of codes alone leaves the modifiers held", async () => {
    const codesOnly = await cptCsvParser.parse(fixture("codes-only.csv"), { version: "2024" });
    expect(codesOnly.snapshot!.covers(node("25", CodeKind.MODIFIER))).toBe(false);
    expect(codesOnly.snapshot!.covers(node("99214", CodeKind.PROCEDURE))).toBe(true);
  });
});

describe("CPT CSV: the release", () => {
  it("comes from the version and effective columns when the name has no year", async () => {
    const parsed = await cptCsvParser.parse(fixture("with-release-columns.csv"), {});
    expect(parsed.snapshot).toMatchObject({ version: "2025", effective: "2025-01-01" });
    expect(parsed.codes.map((c) => c.id)).toEqual(["CPT:99214", "CPT:99215"]);
  });

  it("comes from the options first", async () => {
    const parsed = await cptCsvParser.parse(fixture("with-release-columns.csv"), {
      version: "2025-Q3",
      effective: "2025-07-01",
    });
    expect(parsed.snapshot).toMatchObject({ version: "2025-Q3", effective: "2025-07-01" });
  });

  it("is asked for when nothing tells it", async () => {
    await expect(cptCsvParser.parse(fixture("codes-only.csv"), {})).rejects.toThrow(
      /cannot tell the CPT release/,
    );
  });
});

describe("CPT CSV: broken files stop with file, line and text", () => {
  const cases: [string, number, RegExp][] = [
    [
      "bad-code.csv",
      3,
      /"A4253" is not a CPT code \(a letter and four digits is an HCPCS Level II code\)/,
    ],
    ["range.csv", 2, /"99202-99215" is a range: CPT sections are not imported/],
    ["bad-date.csv", 2, /valid_from "2024-02-30" is not a date YYYY-MM-DD/],
    ["unknown-column.csv", 1, /unknown column\(s\) short-title/],
    ["missing-title-column.csv", 1, /the header lacks column\(s\) title/],
    ["empty-title.csv", 2, /title is empty/],
    ["duplicate.csv", 3, /code 99213 repeats line 2/],
    ["two-releases.csv", 3, /version "2025" differs from "2024" on line 2/],
    ["wrong-width.csv", 2, /expected 3 comma-separated fields \(code,title,short_title\), found 2/],
    ["bad-quote.csv", 3, /not valid CSV: Quote Not Closed/],
    ["dates-reversed.csv", 2, /valid_to is before valid_from/],
  ];
  it.each(cases)("%s", async (name, line, problem) => {
    const error = await failure(name);
    expect(error.file).toBe(name);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
  });
});

describe("CPT CSV: sniffing", () => {
  it("recognises its header, with or without a byte-order mark, and not the claims layouts", () => {
    expect(cptCsvParser.sniff(head("cpt-2024-synthetic.csv"), "x.csv")).toBe(true);
    expect(cptCsvParser.sniff(head("with-release-columns.csv"), "x.csv")).toBe(true);
    expect(cptCsvParser.sniff(head("unknown-column.csv"), "x.csv")).toBe(false);
    const claims = "encounter_id,system,code\n1,CPT,99213\n";
    expect(cptCsvParser.sniff(claims, "x.csv")).toBe(false);
    expect(claimsEncountersParser.sniff(head("cpt-2024-synthetic.csv"), "x.csv")).toBe(false);
    expect(claimsPairsParser.sniff(head("cpt-2024-synthetic.csv"), "x.csv")).toBe(false);
  });
});

describe("CPT CSV: the registry", () => {
  it("detects the format from content among every registered parser", async () => {
    expect((await parserFor(fixture("cpt-2024-synthetic.csv"))).format).toBe(FormatId.CPT_CSV);
    expect((await parserFor(fixture("with-release-columns.csv"))).format).toBe(FormatId.CPT_CSV);
  });
});
