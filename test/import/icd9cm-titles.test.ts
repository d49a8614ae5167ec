import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type CodeNode } from "../../src/domain/graph.js";
import {
  ICD9_DIAGNOSIS_CHAPTERS,
  ICD9_PROCEDURE_CHAPTERS,
  icd9ChapterId,
  icd9ChapterOf,
} from "../../src/domain/icd9-chapters.js";
import { gemI9ToI10Parser } from "../../src/import/formats/gem.format.js";
import {
  icd9cmDiagnosisTitlesParser as dxParser,
  icd9cmProcedureTitlesParser as sgParser,
} from "../../src/import/formats/icd9cm-titles.format.js";
import { FormatId, type FormatParser, type ParsedFile } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { parserFor } from "../../src/import/formats/index.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/icd9cm-titles");
const fixture = (name: string) => join(FIXTURES, name);
const head = (path: string) => readFileSync(path).subarray(0, 65_536).toString("latin1");

function node(id: string, kind: CodeKind, level: CodeLevel): CodeNode {
  const code = id.slice(id.indexOf(":") + 1);
  return {
    id,
    system: id.slice(0, id.indexOf(":")) as CodeSystemId,
    code,
    kind,
    level,
    versions: [
      {
        validFrom: "1979-01-01",
        validTo: "2015-09-30",
        title: "t",
        shortTitle: null,
        billable: true,
      },
    ],
    synonyms: [],
    noMapTo: [],
    attributes: {},
  };
}

async function failure(parser: FormatParser, name: string): Promise<SourceFileError> {
  try {
    await parser.parse(fixture(name), { version: "v32" });
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe("the ICD-9-CM chapter table", () => {
  it("places categories of every shape, and nothing outside the classification", () => {
    expect(icd9ChapterOf("250.00", CodeKind.DIAGNOSIS)?.first).toBe("240");
    expect(icd9ChapterOf("V58.67", CodeKind.DIAGNOSIS)?.first).toBe("V01");
    expect(icd9ChapterOf("E849.7", CodeKind.DIAGNOSIS)?.first).toBe("E000");
    expect(icd9ChapterOf("999", CodeKind.DIAGNOSIS)?.first).toBe("800");
    expect(icd9ChapterOf("000.1", CodeKind.DIAGNOSIS)).toBeUndefined();
    expect(icd9ChapterOf("V92", CodeKind.DIAGNOSIS)).toBeUndefined();
    expect(icd9ChapterOf("00.01", CodeKind.PROCEDURE)?.last).toBe("00");
    expect(icd9ChapterOf("17.61", CodeKind.PROCEDURE)?.first).toBe("17");
    expect(icd9ChapterOf("36.10", CodeKind.PROCEDURE)?.first).toBe("35");
  });

  it("covers 001-999 and 00-99 without gaps or overlaps", () => {
    const numeric = ICD9_DIAGNOSIS_CHAPTERS.filter((c) => /^[0-9]/.test(c.first));
    const three = (n: number) => String(n).padStart(3, "0");
    const two = (n: number) => String(n).padStart(2, "0");
    for (let n = 1; n <= 999; n++) {
      expect(numeric.filter((c) => c.first <= three(n) && three(n) <= c.last)).toHaveLength(1);
    }
    for (let n = 0; n <= 99; n++) {
      expect(
        ICD9_PROCEDURE_CHAPTERS.filter((c) => c.first <= two(n) && two(n) <= c.last),
      ).toHaveLength(1);
    }
    expect(numeric).toHaveLength(17);
  });
});

describe("ICD-9-CM diagnosis titles fixture", () => {
  let parsed: ParsedFile;
  beforeAll(async () => {
    parsed = await dxParser.parse(fixture("CMS32_sample_DX.txt"), {});
  });

  it("is a v32 snapshot effective 2014-10-01 (FY2015), from the file name", () => {
    expect(parsed.snapshot).toMatchObject({
      system: CodeSystemId.ICD9CM,
      version: "v32",
      effective: "2014-10-01",
    });
    expect(parsed.rows).toBe(8);
  });

  it("reads undotted codes as diagnoses (0010 is 001.0, 024 the category 024)", () => {
    const codes = parsed.codes.filter((c) => c.level === CodeLevel.CODE);
    expect(codes.map((c) => c.id)).toEqual([
      "ICD9CM:001.0",
      "ICD9CM:024",
      "ICD9CM:046.71",
      "ICD9CM:250.00",
      "ICD9CM:386.00",
      "ICD9CM:799.4",
      "ICD9CM:E849.7",
      "ICD9CM:V58.67",
    ]);
    expect(
      codes.every((c) => c.kind === CodeKind.DIAGNOSIS && c.billable && c.shortTitle === null),
    ).toBe(true);
  });

  it("decodes ISO-8859-1 titles", () => {
    const title = (id: string) => parsed.codes.find((c) => c.id === id)?.title;
    expect(title("ICD9CM:386.00")).toBe("Ménière's disease, unspecified");
    expect(title("ICD9CM:046.71")).toBe("Gerstmann-Sträussler-Scheinker syndrome");
  });

  it("reads a copy re-saved as UTF-8 the same", async () => {
    const utf8 = await dxParser.parse(fixture("CMS32_utf8_DX.txt"), {});
    expect(utf8.codes.map((c) => c.title)).toEqual(parsed.codes.map((c) => c.title));
  });

  it("adds the chapters it uses and makes each code's parent its chapter", () => {
    const chapters = parsed.codes.filter((c) => c.level === CodeLevel.CHAPTER);
    expect(chapters.map((c) => `${c.id} ${c.title}`)).toEqual([
      "ICD9CM:001-139 Infectious and parasitic diseases",
      "ICD9CM:240-279 Endocrine, nutritional and metabolic diseases, and immunity disorders",
      "ICD9CM:320-389 Diseases of the nervous system and sense organs",
      "ICD9CM:780-799 Symptoms, signs, and ill-defined conditions",
      "ICD9CM:E000-E999 Supplementary classification of external causes of injury and poisoning",
      "ICD9CM:V01-V91 Supplementary classification of factors influencing health status and contact with health services",
    ]);
    expect(
      chapters.every((c) => !c.billable && c.parent === null && c.kind === CodeKind.DIAGNOSIS),
    ).toBe(true);
    const parent = (id: string) => parsed.codes.find((c) => c.id === id)?.parent;
    expect(parent("ICD9CM:250.00")).toBe("ICD9CM:240-279");
    expect(parent("ICD9CM:V58.67")).toBe("ICD9CM:V01-V91");
    expect(parent("ICD9CM:E849.7")).toBe("ICD9CM:E000-E999");
  });

  it("covers reportable diagnosis codes only: procedures and held headers stay", () => {
    const covers = parsed.snapshot!.covers;
    expect(covers(node("ICD9CM:250.01", CodeKind.DIAGNOSIS, CodeLevel.CODE))).toBe(true);
    expect(covers(node("ICD9CM:36.10", CodeKind.PROCEDURE, CodeLevel.CODE))).toBe(false);
    expect(covers(node("ICD9CM:250.0", CodeKind.DIAGNOSIS, CodeLevel.SUBCATEGORY))).toBe(false);
    expect(covers(node("ICD9CM:250", CodeKind.DIAGNOSIS, CodeLevel.CATEGORY))).toBe(false);
    expect(covers(node("ICD10CM:E11.9", CodeKind.DIAGNOSIS, CodeLevel.CODE))).toBe(false);
  });
});

describe("ICD-9-CM procedure titles fixture", () => {
  it("reads undotted codes as procedures (016 is 01.6, 3610 is 36.10)", async () => {
    const parsed = await sgParser.parse(fixture("CMS32_sample_SG.txt"), {});
    expect(parsed.codes.map((c) => `${c.id} ${c.parent ?? "-"}`)).toEqual([
      "ICD9CM:00-00 -",
      "ICD9CM:01-05 -",
      "ICD9CM:17-17 -",
      "ICD9CM:35-39 -",
      "ICD9CM:87-99 -",
      "ICD9CM:00.01 ICD9CM:00-00",
      "ICD9CM:01.6 ICD9CM:01-05",
      "ICD9CM:17.61 ICD9CM:17-17",
      "ICD9CM:36.10 ICD9CM:35-39",
      "ICD9CM:87.01 ICD9CM:87-99",
    ]);
    expect(parsed.codes.every((c) => c.kind === CodeKind.PROCEDURE)).toBe(true);
    const covers = parsed.snapshot!.covers;
    expect(covers(node("ICD9CM:36.11", CodeKind.PROCEDURE, CodeLevel.CODE))).toBe(true);
    expect(covers(node("ICD9CM:250.00", CodeKind.DIAGNOSIS, CodeLevel.CODE))).toBe(false);
  });
});

describe("ICD-9-CM titles: broken files stop with file, line and text", () => {
  const cases: [string, FormatParser, string, number, RegExp][] = [
    [
      "bad code",
      dxParser,
      "dx-bad-code.txt",
      3,
      /"25A00" is not an undotted ICD-9-CM diagnosis code/,
    ],
    [
      "outside every chapter",
      dxParser,
      "dx-outside-chapter.txt",
      2,
      /000\.0 is outside every ICD-9-CM diagnosis chapter/,
    ],
    ["repeated code", dxParser, "dx-duplicate.txt", 5, /code 250\.00 repeats line 4/],
    [
      "layout",
      dxParser,
      "dx-layout.txt",
      4,
      /padded with spaces to 5 characters, one space, then the title/,
    ],
    [
      "procedure file read as diagnoses",
      dxParser,
      "CMS32_sample_SG.txt",
      1,
      /padded with spaces to 5 characters/,
    ],
    [
      "diagnosis file read as procedures",
      sgParser,
      "CMS32_sample_DX.txt",
      1,
      /padded with spaces to 4 characters/,
    ],
    ["empty file", dxParser, "dx-empty.txt", 1, /no ICD-9-CM diagnosis titles/],
  ];
  it.each(cases)("%s", async (_, parser, name, line, problem) => {
    const error = await failure(parser, name);
    expect(error.file).toBe(name);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
  });

  it("asks for the release when the file name does not tell", async () => {
    await expect(dxParser.parse(fixture("dx-bad-code.txt"), {})).rejects.toThrow(
      /give --version v32/,
    );
  });
});

describe("ICD-9-CM titles: sniffing by layout", () => {
  it("still recognises a head with one damaged line in ten", () => {
    const good = readFileSync(fixture("CMS32_sample_DX.txt"), "latin1")
      .split("\n")
      .filter((l) => l);
    const damaged = [...good, "25A00 Not a code", ...good, ""].join("\n");
    expect(dxParser.sniff(damaged, "x.txt")).toBe(true);
    expect(dxParser.sniff(["25A00 Not a code", good[0], ""].join("\n"), "x.txt")).toBe(false);
  });

  it("tells the two files apart, and from a GEM", () => {
    const dx = head(fixture("CMS32_sample_DX.txt"));
    const sg = head(fixture("CMS32_sample_SG.txt"));
    expect([dxParser.sniff(dx, "a.txt"), sgParser.sniff(dx, "a.txt")]).toEqual([true, false]);
    expect([dxParser.sniff(sg, "a.txt"), sgParser.sniff(sg, "a.txt")]).toEqual([false, true]);
    const gem = head(join(PROJECT_ROOT, "test/fixtures/import/gem/i9-i10.txt"));
    expect(dxParser.sniff(gem, "a.txt") || sgParser.sniff(gem, "a.txt")).toBe(false);
    expect(gemI9ToI10Parser.sniff(dx, "a.txt")).toBe(false);
    const order =
      "00001 A00     0 Cholera                          Cholera\r\n00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae\r\n";
    expect(dxParser.sniff(order, "a.txt")).toBe(false);
  });
});

const DATA = join(PROJECT_ROOT, "../shared/data/icd9cm");
const present = existsSync(DATA);

describe.skipIf(!present)(
  present
    ? `ICD-9-CM v32 title files, ${DATA}`
    : `ICD-9-CM v32 title files: skipped, ${DATA} is absent (a fresh clone has no ../shared)`,
  () => {
    /** Lines, distinct codes and V / E / 5-digit codes, from the file's text alone. */
    const countsOf = (name: string) => {
      const lines = readFileSync(join(DATA, name), "latin1")
        .split("\n")
        .filter((l) => l !== "");
      const codes = lines.map((l) => l.split(" ")[0]!);
      return {
        lines: lines.length,
        distinct: new Set(codes).size,
        v: codes.filter((c) => c.startsWith("V")).length,
        e: codes.filter((c) => c.startsWith("E")).length,
        categories: new Set(codes.map((c) => (c.startsWith("E") ? c.slice(0, 4) : c.slice(0, 3))))
          .size,
      };
    };
    const files = new Map<string, ParsedFile>();
    beforeAll(async () => {
      files.set("dx", await dxParser.parse(join(DATA, "CMS32_DESC_LONG_DX.txt"), {}));
      files.set("sg", await sgParser.parse(join(DATA, "CMS32_DESC_LONG_SG.txt"), {}));
    });

    it("diagnoses: one code per line, every chapter used", () => {
      const counts = countsOf("CMS32_DESC_LONG_DX.txt");
      const parsed = files.get("dx")!;
      expect(counts.lines).toBe(14_567);
      expect(parsed.rows).toBe(counts.lines);
      const codes = parsed.codes.filter((c) => c.level === CodeLevel.CODE);
      expect(codes).toHaveLength(counts.distinct);
      expect(codes.filter((c) => c.code.startsWith("V"))).toHaveLength(counts.v);
      expect(codes.filter((c) => c.code.startsWith("E"))).toHaveLength(counts.e);
      expect(new Set(codes.map((c) => c.code.split(".")[0]))).toHaveProperty(
        "size",
        counts.categories,
      );
      expect(parsed.codes.filter((c) => c.level === CodeLevel.CHAPTER)).toHaveLength(
        ICD9_DIAGNOSIS_CHAPTERS.length,
      );
      expect(parsed.snapshot).toMatchObject({ version: "v32", effective: "2014-10-01" });
    });

    it("procedures: one code per line, every chapter used", () => {
      const counts = countsOf("CMS32_DESC_LONG_SG.txt");
      const parsed = files.get("sg")!;
      expect(counts.lines).toBe(3_882);
      expect(parsed.rows).toBe(counts.lines);
      expect(parsed.codes.filter((c) => c.level === CodeLevel.CODE)).toHaveLength(counts.distinct);
      expect(parsed.codes.filter((c) => c.level === CodeLevel.CHAPTER)).toHaveLength(
        ICD9_PROCEDURE_CHAPTERS.length,
      );
    });

    it("spot checks: ISO-8859-1 titles, 250.00 in its chapter, 01.6 a procedure", () => {
      const dx = files.get("dx")!;
      const sg = files.get("sg")!;
      const find = (file: ParsedFile, id: string) => file.codes.find((c) => c.id === id);
      expect(find(dx, "ICD9CM:386.00")?.title).toBe("Ménière's disease, unspecified");
      expect(find(dx, "ICD9CM:041.3")?.title).toMatch(/^Friedländer's bacillus infection/);
      expect(dx.codes.filter((c) => /[^\x20-\x7e]/.test(c.title)).map((c) => c.code)).toEqual([
        "041.3",
        "046.71",
        "386.00",
        "386.01",
        "386.02",
        "386.03",
        "386.04",
      ]);
      expect(find(dx, "ICD9CM:250.00")).toMatchObject({
        title:
          "Diabetes mellitus without mention of complication, type II or unspecified type, not stated as uncontrolled",
        parent: icd9ChapterId(ICD9_DIAGNOSIS_CHAPTERS[2]!),
      });
      expect(find(sg, "ICD9CM:01.6")).toMatchObject({
        title: "Excision of lesion of skull",
        parent: "ICD9CM:01-05",
      });
    });

    it("sniffs each file as its kind", () => {
      const dx = head(join(DATA, "CMS32_DESC_LONG_DX.txt"));
      const sg = head(join(DATA, "CMS32_DESC_LONG_SG.txt"));
      expect([
        dxParser.sniff(dx, "x"),
        sgParser.sniff(dx, "x"),
        dxParser.sniff(sg, "x"),
        sgParser.sniff(sg, "x"),
      ]).toEqual([true, false, false, true]);
    });
  },
);

describe("ICD-9-CM titles: the registry", () => {
  it("detects each file from content among every registered parser", async () => {
    expect((await parserFor(fixture("CMS32_sample_DX.txt"))).format).toBe(
      FormatId.ICD9CM_DIAGNOSIS_TITLES,
    );
    expect((await parserFor(fixture("CMS32_sample_SG.txt"))).format).toBe(
      FormatId.ICD9CM_PROCEDURE_TITLES,
    );
    if (present) {
      expect((await parserFor(join(DATA, "CMS32_DESC_LONG_DX.txt"))).format).toBe(
        FormatId.ICD9CM_DIAGNOSIS_TITLES,
      );
      expect((await parserFor(join(DATA, "CMS32_DESC_LONG_SG.txt"))).format).toBe(
        FormatId.ICD9CM_PROCEDURE_TITLES,
      );
    }
  });
});
