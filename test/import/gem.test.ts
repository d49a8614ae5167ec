import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type MapsToEdge } from "../../src/domain/graph.js";
import { encodeGemFlags, Relation } from "../../src/domain/relationship.js";
import { gemI10ToI9Parser, gemI9ToI10Parser } from "../../src/import/formats/gem.format.js";
import { hcpcsAnnualParser } from "../../src/import/formats/hcpcs-annual.format.js";
import { FormatId, type FormatParser, type ParsedFile } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { parserFor } from "../../src/import/formats/index.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/gem");
const fixture = (name: string) => join(FIXTURES, name);
const head = (path: string) => readFileSync(path).subarray(0, 65_536).toString("latin1");

/** Edges as `from to flags` lines, in file order. */
const rows = (parsed: ParsedFile) =>
  parsed.edges.map((e) => `${e.from} ${e.to} ${encodeGemFlags((e as MapsToEdge).flags)}`);

async function failure(parser: FormatParser, name: string): Promise<SourceFileError> {
  try {
    await parser.parse(fixture(name), {});
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe("GEM ICD-10-CM → ICD-9-CM fixture", () => {
  let parsed: ParsedFile;
  beforeAll(async () => {
    parsed = await gemI10ToI9Parser.parse(fixture("i10-i9.txt"), { version: "2018" });
  });

  it("is a supplement of MAPS_TO edges, ICD-9-CM read as diagnoses (0010 is 001.0, 2501 is 250.1)", () => {
    expect(parsed).toMatchObject({
      format: FormatId.GEM_I10_TO_I9,
      rows: 9,
      snapshot: null,
      codes: [],
    });
    expect(rows(parsed)).toEqual([
      "ICD10CM:A00.0 ICD9CM:001.0 00000",
      "ICD10CM:E11.9 ICD9CM:250.00 10000",
      "ICD10CM:E10.10 ICD9CM:250.11 10000",
      "ICD10CM:T88.53XD ICD9CM:V58.89 10000",
      "ICD10CM:S72.001A ICD9CM:820.00 10000",
      "ICD10CM:E08.00 ICD9CM:249.01 10111",
      "ICD10CM:E08.00 ICD9CM:250.1 10122",
      "ICD10CM:V00.01XA ICD9CM:E814.0 10000",
    ]);
  });

  it("decodes the five flags and names its source", () => {
    const combination = parsed.edges[6]!;
    expect(combination).toMatchObject({
      relation: Relation.MAPS_TO,
      flags: { approximate: true, noMap: false, combination: true, scenario: 2, choiceList: 2 },
      source: "GEM 2018 ICD-10-CM→ICD-9-CM",
      validFrom: null,
      validTo: null,
      line: 8,
    });
  });

  it("turns a no-map row into an annotation on the source, not an edge", () => {
    expect(parsed.annotations).toEqual([
      { id: "ICD10CM:R29.700", noMapTo: CodeSystemId.ICD9CM, line: 4 },
    ]);
    expect(parsed.edges.some((e) => e.from === "ICD10CM:R29.700")).toBe(false);
  });
});

describe("GEM ICD-9-CM → ICD-10-CM fixture", () => {
  it("maps from ICD-9-CM diagnoses, V and E codes included, skipping blank lines", async () => {
    const parsed = await gemI9ToI10Parser.parse(fixture("i9-i10.txt"), {});
    expect(parsed.rows).toBe(7);
    expect(rows(parsed)).toEqual([
      "ICD9CM:001.0 ICD10CM:A00.0 00000",
      "ICD9CM:250.00 ICD10CM:E11.9 10000",
      "ICD9CM:249.01 ICD10CM:E08.00 10111",
      "ICD9CM:249.01 ICD10CM:E08.65 10112",
      "ICD9CM:E814.0 ICD10CM:V00.01XA 10000",
      "ICD9CM:V58.67 ICD10CM:Z79.4 00000",
    ]);
    expect(parsed.annotations).toEqual([
      { id: "ICD9CM:365.70", noMapTo: CodeSystemId.ICD10CM, line: 3 },
    ]);
    // No year in the file name and none given: the source says so without one.
    expect(parsed.edges[0]!.source).toBe("GEM ICD-9-CM→ICD-10-CM");
  });
});

describe("procedure GEMs (same layout, ICD-10-PCS ↔ ICD-9-CM volume 3)", () => {
  it("reads ICD-9-CM as procedures when the ICD-10 side is all seven-character PCS codes", async () => {
    const parsed = await gemI10ToI9Parser.parse(fixture("pcs-i9.txt"), { version: "2018" });
    expect(rows(parsed)).toEqual([
      "ICD10PCS:0016070 ICD9CM:02.31 10000",
      "ICD10PCS:0016071 ICD9CM:02.31 10000",
      "ICD10PCS:B020ZZZ ICD9CM:87.01 10000",
    ]);
    expect(parsed.annotations).toEqual([
      { id: "ICD10PCS:XW033E5", noMapTo: CodeSystemId.ICD9CM, line: 4 },
    ]);
    expect(parsed.edges[0]!.source).toBe("GEM 2018 ICD-10-PCS→ICD-9-CM");
  });

  it("and the other way round (016 is procedure 01.6)", async () => {
    const parsed = await gemI9ToI10Parser.parse(fixture("i9-pcs.txt"), {});
    expect(rows(parsed)).toEqual([
      "ICD9CM:02.31 ICD10PCS:0016070 10000",
      "ICD9CM:87.01 ICD10PCS:B020ZZZ 10000",
      "ICD9CM:01.6 ICD10PCS:0NB00ZZ 10000",
    ]);
    expect(parsed.annotations).toEqual([
      { id: "ICD9CM:00.01", noMapTo: CodeSystemId.ICD10PCS, line: 1 },
    ]);
  });
});

describe("GEM: broken files stop with file, line and text", () => {
  const cases: [string, FormatParser, string, number, RegExp][] = [
    ["bad flags", gemI10ToI9Parser, "bad-flags.txt", 2, /flags "1000X" must be five digits/],
    [
      "no map without its flag",
      gemI10ToI9Parser,
      "nomap-without-flag.txt",
      2,
      /needs the no-map flag/,
    ],
    ["two fields", gemI10ToI9Parser, "two-fields.txt", 2, /a GEM row has three fields/],
    ["bad code", gemI10ToI9Parser, "bad-code.txt", 2, /"E1\$9" is not a ICD-10-CM diagnosis code/],
    [
      "scenario without combination",
      gemI10ToI9Parser,
      "scenario-without-combination.txt",
      2,
      /scenario and choice list are set exactly when the combination flag is/,
    ],
    [
      "the other direction's file",
      gemI10ToI9Parser,
      "i9-i10.txt",
      1,
      /"0010" is not a ICD-10-CM diagnosis code/,
    ],
  ];
  it.each(cases)("%s", async (_, parser, name, line, problem) => {
    const error = await failure(parser, name);
    expect(error.file).toBe(name);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.text).toBe(readFileSync(fixture(name), "latin1").split("\r\n")[line - 1]);
  });
});

describe("GEM: sniffing tells the directions apart from content", () => {
  it.each([
    ["i10-i9.txt", gemI10ToI9Parser],
    ["i9-i10.txt", gemI9ToI10Parser],
    ["pcs-i9.txt", gemI10ToI9Parser],
    ["i9-pcs.txt", gemI9ToI10Parser],
  ] as const)("%s", (name, parser) => {
    const other = parser === gemI10ToI9Parser ? gemI9ToI10Parser : gemI10ToI9Parser;
    // A misleading name changes nothing.
    expect(parser.sniff(head(fixture(name)), "2018_I9gem.txt")).toBe(true);
    expect(other.sniff(head(fixture(name)), "2018_I10gem.txt")).toBe(false);
  });

  it("still recognises a head with one damaged row in ten, so that parsing can name it", () => {
    const good = readFileSync(fixture("i10-i9.txt"), "latin1")
      .split("\r\n")
      .filter((l) => l);
    const damaged = [...good, "E119    25000 1000X", ...good, ""].join("\r\n");
    expect(gemI10ToI9Parser.sniff(damaged, "x.txt")).toBe(true);
    expect(gemI10ToI9Parser.sniff(["E119    25000 1000X", good[0], ""].join("\r\n"), "x.txt")).toBe(
      false,
    );
  });

  it("accepts neither direction for other files", () => {
    const hcpcs = head(join(PROJECT_ROOT, "test/fixtures/import/hcpcs-annual/valid-2019.txt"));
    expect(gemI10ToI9Parser.sniff(hcpcs, "x.txt") || gemI9ToI10Parser.sniff(hcpcs, "x.txt")).toBe(
      false,
    );
    const titles =
      "0010  Cholera due to vibrio cholerae\n0011  Cholera due to vibrio cholerae el tor\n";
    expect(gemI10ToI9Parser.sniff(titles, "x.txt") || gemI9ToI10Parser.sniff(titles, "x.txt")).toBe(
      false,
    );
    expect(hcpcsAnnualParser.sniff(head(fixture("i10-i9.txt")), "x.txt")).toBe(false);
  });
});

const DATA = join(PROJECT_ROOT, "../shared/data/gems");
const present = existsSync(DATA);

describe.skipIf(!present)(
  present
    ? `GEM FY2018 files, ${DATA}`
    : `GEM FY2018 files: skipped, ${DATA} is absent (a fresh clone has no ../shared)`,
  () => {
    /** Rows, no-map rows and approximate rows counted from the file's text alone. */
    const countsOf = (name: string) => {
      const lines = readFileSync(join(DATA, name), "latin1")
        .split("\r\n")
        .filter((l) => l.trim() !== "");
      const fields = lines.map((l) => l.trim().split(/\s+/));
      return {
        rows: lines.length,
        noMap: fields.filter((f) => f[1] === "NoDx").length,
        approximate: fields.filter((f) => f[1] !== "NoDx" && f[2]![0] === "1").length,
        combination: fields.filter((f) => f[2]![2] === "1").length,
        sources: new Set(fields.map((f) => f[0]!.toUpperCase())).size,
      };
    };
    const parsed = new Map<string, ParsedFile>();
    beforeAll(async () => {
      parsed.set(
        "2018_I10gem.txt",
        await gemI10ToI9Parser.parse(join(DATA, "2018_I10gem.txt"), {}),
      );
      parsed.set("2018_I9gem.txt", await gemI9ToI10Parser.parse(join(DATA, "2018_I9gem.txt"), {}));
    });

    it.each([
      ["2018_I10gem.txt", 81_593, 731, "GEM 2018 ICD-10-CM→ICD-9-CM"],
      ["2018_I9gem.txt", 24_860, 422, "GEM 2018 ICD-9-CM→ICD-10-CM"],
    ] as const)("%s: every row an edge or a no-map annotation", (name, total, noMap, source) => {
      const counts = countsOf(name);
      const file = parsed.get(name)!;
      expect(counts.rows).toBe(total);
      expect(counts.noMap).toBe(noMap);
      expect(file.rows).toBe(counts.rows);
      expect(file.annotations).toHaveLength(counts.noMap);
      expect(file.edges).toHaveLength(counts.rows - counts.noMap);
      expect(file.edges.filter((e) => (e as MapsToEdge).flags.approximate)).toHaveLength(
        counts.approximate,
      );
      expect(file.edges.filter((e) => (e as MapsToEdge).flags.combination)).toHaveLength(
        counts.combination,
      );
      const sources = new Set([
        ...file.edges.map((e) => e.from),
        ...file.annotations.map((a) => a.id),
      ]);
      expect(sources.size).toBe(counts.sources);
      expect(new Set(file.edges.map((e) => e.source))).toEqual(new Set([source]));
    });

    it("spot checks: 250.00 ↔ E11.9 (approximate, flags 10000 in both files), the lower-case v5889", () => {
      const i10 = parsed.get("2018_I10gem.txt")!;
      const i9 = parsed.get("2018_I9gem.txt")!;
      const flags = (file: ParsedFile, from: string, to: string) =>
        file.edges
          .filter((e) => e.from === from && e.to === to)
          .map((e) => encodeGemFlags((e as MapsToEdge).flags));
      expect(flags(i9, "ICD9CM:250.00", "ICD10CM:E11.9")).toEqual(["10000"]);
      expect(flags(i10, "ICD10CM:E11.9", "ICD9CM:250.00")).toEqual(["10000"]);
      expect(flags(i9, "ICD9CM:001.0", "ICD10CM:A00.0")).toEqual(["00000"]);
      expect(flags(i10, "ICD10CM:T88.53XD", "ICD9CM:V58.89")).toEqual(["10000"]);
      expect(i10.annotations[0]).toEqual({
        id: "ICD10CM:R29.700",
        noMapTo: CodeSystemId.ICD9CM,
        line: 28_107,
      });
    });

    it("sniffs each file as its direction", () => {
      expect(gemI10ToI9Parser.sniff(head(join(DATA, "2018_I10gem.txt")), "2018_I10gem.txt")).toBe(
        true,
      );
      expect(gemI9ToI10Parser.sniff(head(join(DATA, "2018_I10gem.txt")), "2018_I10gem.txt")).toBe(
        false,
      );
      expect(gemI9ToI10Parser.sniff(head(join(DATA, "2018_I9gem.txt")), "2018_I9gem.txt")).toBe(
        true,
      );
      expect(gemI10ToI9Parser.sniff(head(join(DATA, "2018_I9gem.txt")), "2018_I9gem.txt")).toBe(
        false,
      );
    });
  },
);

describe("GEM: the registry", () => {
  it("detects each direction from content among every registered parser", async () => {
    expect((await parserFor(fixture("i10-i9.txt"))).format).toBe(FormatId.GEM_I10_TO_I9);
    expect((await parserFor(fixture("i9-i10.txt"))).format).toBe(FormatId.GEM_I9_TO_I10);
    expect((await parserFor(fixture("pcs-i9.txt"))).format).toBe(FormatId.GEM_I10_TO_I9);
    if (present) {
      expect((await parserFor(join(DATA, "2018_I10gem.txt"))).format).toBe(FormatId.GEM_I10_TO_I9);
      expect((await parserFor(join(DATA, "2018_I9gem.txt"))).format).toBe(FormatId.GEM_I9_TO_I10);
    }
  });

  it("lets --format override detection", async () => {
    expect((await parserFor(fixture("i9-i10.txt"), FormatId.GEM_I10_TO_I9)).format).toBe(
      FormatId.GEM_I10_TO_I9,
    );
  });
});
