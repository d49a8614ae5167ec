import { existsSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { ExclusionKind, PairingKind, Relation } from "../../src/domain/relationship.js";
import {
  icd10cmTabularParser,
  parseNoteTargets,
  readTabular,
  TabularUnresolved,
  type TabularParse,
} from "../../src/import/formats/icd10cm-tabular.format.js";
import { parserFor } from "../../src/import/formats/index.js";
import { FormatId, type ReleaseEdge } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/tabular");
const fixture = (name: string) => join(FIXTURES, name);

/** `relation kind from → to` of every edge, for compact comparisons. */
function edgeLines(edges: readonly ReleaseEdge[], from?: string): string[] {
  return edges
    .filter((e) => from === undefined || e.from === from)
    .map((e) => `${"kind" in e ? e.kind : e.relation} ${e.from} → ${e.to}`);
}

async function failure(path: string): Promise<SourceFileError> {
  try {
    await icd10cmTabularParser.parse(path, {});
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe("note targets", () => {
  it("reads codes in parentheses, a dash naming the code itself", () => {
    expect(parseNoteTargets("insulin (Z79.4)")).toEqual([{ type: "code", code: "Z79.4" }]);
    expect(parseNoteTargets("type 1 diabetes mellitus (E10.-)")).toEqual([
      { type: "code", code: "E10" },
    ]);
    expect(parseNoteTargets("deep veins (I82.4Z-)")).toEqual([{ type: "code", code: "I82.4Z" }]);
    // The release's own typo "D29.2.-" still names D29.2.
    expect(parseNoteTargets("benign neoplasm of testis (D29.2.-)")).toEqual([
      { type: "code", code: "D29.2" },
    ]);
  });

  it("reads ranges and lists, every group of the note", () => {
    expect(parseNoteTargets("(E08-E13) with (Z79.4, Z79.84)")).toEqual([
      { type: "range", start: "E08", end: "E13" },
      { type: "code", code: "Z79.4" },
      { type: "code", code: "Z79.84" },
    ]);
    expect(parseNoteTargets("specified adverse effects (A00-R94 and T80-T88.6, T88.8)")).toEqual([
      { type: "range", start: "A00", end: "R94" },
      { type: "range", start: "T80", end: "T88.6" },
      { type: "code", code: "T88.8" },
    ]);
  });

  it("reads the bare text only when no group names a code, so context codes are not targets", () => {
    expect(parseNoteTargets("pneumoconiosis with tuberculosis, any type in A15 (J65)")).toEqual([
      { type: "code", code: "J65" },
    ]);
    expect(parseNoteTargets("influenza A/H1N1 (J10.-)")).toEqual([{ type: "code", code: "J10" }]);
    expect(parseNoteTargets("conditions classifiable to S06.0- to S06.8-code to injury")).toEqual([
      { type: "range", start: "S06.0", end: "S06.8" },
    ]);
    expect(
      parseNoteTargets("diabetic acidosis - see categories E08-E10, E13 with ketoacidosis"),
    ).toEqual([
      { type: "range", start: "E08", end: "E10" },
      { type: "code", code: "E13" },
    ]);
  });

  it("reads chapters by number and appended characters", () => {
    expect(parseNoteTargets("code (Chapter 20) to identify external cause")).toEqual([
      { type: "chapter", number: "20" },
    ]);
    expect(parseNoteTargets("hallucinations (F10-F19 with .151, .251, .951)")).toEqual([
      { type: "suffixed", start: "F10", end: "F19", suffixes: ["151", "251", "951"] },
    ]);
    expect(parseNoteTargets("dementia (F10, F13 with .27)")).toEqual([
      { type: "suffixed", start: "F10", end: "F10", suffixes: ["27"] },
      { type: "suffixed", start: "F13", end: "F13", suffixes: ["27"] },
    ]);
    expect(parseNoteTargets("diabetes mellitus (E08-E13 with .61-)")).toEqual([
      { type: "suffixed", start: "E08", end: "E13", suffixes: ["61"] },
    ]);
    expect(parseNoteTargets("diabetic angiopathy (E08-E13 with .51-.52)")).toEqual([
      { type: "suffixed", start: "E08", end: "E13", suffixes: ["51", "52"] },
    ]);
    // A bare character after subcategories is appended to each; after categories it is prose.
    expect(parseNoteTargets("infectious mononucleosis (B27.0-B27.9 with 1)")).toEqual([
      { type: "suffixed", start: "B27.0", end: "B27.9", suffixes: ["1"] },
    ]);
    expect(parseNoteTargets("note (B27-B28 with 1)")).toEqual([
      { type: "qualified", text: "B27-B28 with 1" },
    ]);
  });

  it("reads rules on a code's characters, and keeps 7th-character and prose rules as they stand", () => {
    const rule = (note: string) => parseNoteTargets(note);
    expect(rule("drug (T36-T50 with fifth or sixth character 5)")).toEqual([
      { type: "characterRule", start: "T36", end: "T50", rule: { place: "final", values: ["5"] } },
    ]);
    expect(rule("drug (T36-T50 with fifth or six character 5)")[0]).toMatchObject({
      rule: { place: "final", values: ["5"] },
    });
    expect(rule("poisoning (T36-T65 with fifth or sixth character 1-4 or 6)")[0]).toMatchObject({
      rule: { place: "final", values: ["1", "2", "3", "4", "6"] },
    });
    expect(rule("fluency disorder (I69. with final characters -23)")).toEqual([
      { type: "characterRule", start: "I69", end: "I69", rule: { place: "final", values: ["23"] } },
    ]);
    expect(rule("salicylates (T39.0-, with sixth character 5)")).toEqual([
      { type: "characterRule", start: "T39.0", end: "T39.0", rule: { place: 6, values: ["5"] } },
    ]);
    expect(rule("whooping cough (A37 with fifth-character 1)")[0]).toMatchObject({
      rule: { place: 5, values: ["1"] },
    });
    expect(rule("amnestic syndrome (F10-F19 with 5th character .6)")[0]).toMatchObject({
      start: "F10",
      end: "F19",
      rule: { place: 5, values: ["6"] },
    });
    expect(rule("mononucleosis (B27.- with fourth character 2)")[0]).toMatchObject({
      rule: { place: 4, values: ["2"] },
    });
    expect(rule("hallucinations (F11-F19 with fifth to sixth characters 51)")[0]).toMatchObject({
      rule: { place: 5, values: ["51"] },
    });
    // No 7th character is a code of the tabular, and prose names no character.
    for (const text of [
      "S42.- with 7th character B or C",
      "S52.- with open fracture 7th character",
      "T51-T65 with fifth or sixth character to indicate intent",
      "F11-F19 with fifth to sixth characters 512",
      "M51.- with fifth character 4-1",
      "M51.- with fifth character 1 or 4-2",
    ]) {
      expect(rule(`note (${text})`)).toEqual([{ type: "qualified", text }]);
    }
  });

  it("finds nothing in words that merely contain letters and digits", () => {
    expect(parseNoteTargets("code for associated wound")).toEqual([]);
    expect(parseNoteTargets("lupus anticoagulant (LAC) finding")).toEqual([]);
    expect(
      parseNoteTargets("stealing due to underlying mental condition-code to mental condition"),
    ).toEqual([]);
  });
});

describe("ICD-10-CM tabular: hand-written fixture", async () => {
  const { file: parsed, counts } = await readTabular(fixture("valid.xml"));
  const ids = parsed.codes.map((c) => c.id);

  it("is a supplement of the file's release with its hash", () => {
    expect(parsed.format).toBe(FormatId.ICD10CM_TABULAR);
    expect(parsed.snapshot).toBeNull();
    expect(parsed.rows).toBe(46);
    expect(parsed.sha256).toBe(
      createHash("sha256")
        .update(readFileSync(fixture("valid.xml")))
        .digest("hex"),
    );
    expect(counts).toMatchObject({
      version: "FY2021",
      chapters: 4,
      sections: 8,
      diags: 46,
      placeholderDiags: 2,
    });
  });

  it("makes chapters and blocks nodes, a one-category section a range of its own", () => {
    expect(ids).toEqual([
      "ICD10CM:E00-E89",
      "ICD10CM:E08-E89",
      "ICD10CM:E08-E13",
      "ICD10CM:E89-E89",
      "ICD10CM:N00-N99",
      "ICD10CM:N17-N19",
      "ICD10CM:S00-T88",
      "ICD10CM:T36-T50",
      "ICD10CM:T51-T65",
      "ICD10CM:T66-T78",
      "ICD10CM:Z00-Z99",
      "ICD10CM:Z77-Z99",
    ]);
    expect(parsed.codes[0]).toMatchObject({
      system: CodeSystemId.ICD10CM,
      code: "E00-E89",
      kind: CodeKind.DIAGNOSIS,
      level: CodeLevel.CHAPTER,
      title: "Endocrine, nutritional and metabolic diseases",
      billable: false,
      parent: null,
      attributes: { chapter: "4" },
      synonyms: ["metabolic conditions"],
      line: 12,
    });
    const e89 = parsed.codes.find((c) => c.id === "ICD10CM:E89-E89")!;
    expect(e89.level).toBe(CodeLevel.BLOCK);
    expect(e89.title).toBe(
      "Postprocedural endocrine and metabolic complications and disorders, not elsewhere classified",
    );
  });

  it("parents a block to the smallest section holding it, else to its chapter", () => {
    const parentOf = Object.fromEntries(parsed.codes.map((c) => [c.id, c.parent]));
    expect(parentOf["ICD10CM:E08-E89"]).toBe("ICD10CM:E00-E89");
    expect(parentOf["ICD10CM:E08-E13"]).toBe("ICD10CM:E08-E89");
    expect(parentOf["ICD10CM:E89-E89"]).toBe("ICD10CM:E08-E89");
    expect(parentOf["ICD10CM:N17-N19"]).toBe("ICD10CM:N00-N99");
  });

  it("links each category to its block with a SUBSET_OF edge for the merge", () => {
    const subsets = parsed.edges.filter((e) => e.relation === Relation.SUBSET_OF);
    expect(subsets.map((e) => `${e.from} → ${e.to}`)).toEqual([
      "ICD10CM:E08 → ICD10CM:E08-E13",
      "ICD10CM:E10 → ICD10CM:E08-E13",
      "ICD10CM:E11 → ICD10CM:E08-E13",
      "ICD10CM:E13 → ICD10CM:E08-E13",
      "ICD10CM:E89 → ICD10CM:E89-E89",
      "ICD10CM:N17 → ICD10CM:N17-N19",
      "ICD10CM:N18 → ICD10CM:N17-N19",
      "ICD10CM:N19 → ICD10CM:N17-N19",
      "ICD10CM:T36 → ICD10CM:T36-T50",
      "ICD10CM:T43 → ICD10CM:T36-T50",
      "ICD10CM:T50 → ICD10CM:T36-T50",
      "ICD10CM:T51 → ICD10CM:T51-T65",
      "ICD10CM:T65 → ICD10CM:T51-T65",
      "ICD10CM:T78 → ICD10CM:T66-T78",
      "ICD10CM:Z79 → ICD10CM:Z77-Z99",
    ]);
    expect(subsets[2]).toMatchObject({
      source: "ICD-10-CM tabular FY2021",
      validFrom: null,
      validTo: null,
      line: 50,
    });
  });

  it("takes inclusion terms and includes as synonyms, not headings, prose or the title itself", () => {
    expect(parsed.annotations).toEqual([
      {
        id: "ICD10CM:E11",
        synonyms: ["diabetes (mellitus) due to insulin secretory defect", "diabetes NOS & type II"],
        line: 54,
      },
    ]);
    expect(parsed.codes.find((c) => c.id === "ICD10CM:N17-N19")!.synonyms).toEqual([
      "kidney failure",
    ]);
    expect(counts.synonymNotesSkipped).toBe(2);
  });

  it("turns instructional notes into PAIRED_WITH and EXCLUDES edges from the node bearing them", () => {
    expect(
      edgeLines(parsed.edges, "ICD10CM:E11").filter((l) => !l.startsWith("SUBSET_OF")),
    ).toEqual([
      "USE_ADDITIONAL_CODE ICD10CM:E11 → ICD10CM:Z79.4",
      "USE_ADDITIONAL_CODE ICD10CM:E11 → ICD10CM:Z79.84",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:E10",
      // A range that is a block's id is that block.
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:N17-N19",
      // Any other range: the topmost codes from start to end (N18.30 and N18.31 are in N18.3).
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:N18.1",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:N18.2",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:N18.3",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:N18",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:N19",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:Z79.4",
      "EXCLUDES1 ICD10CM:E11 → ICD10CM:Z79.84",
      // A character rule: the codes of the span it picks.
      "EXCLUDES2 ICD10CM:E11 → ICD10CM:T36.0X5",
      "EXCLUDES2 ICD10CM:E11 → ICD10CM:T43.655",
      "EXCLUDES2 ICD10CM:E11 → ICD10CM:T50.905",
      "CODE_ALSO ICD10CM:E11 → ICD10CM:Z00-Z99",
    ]);
    expect(edgeLines(parsed.edges, "ICD10CM:E11.9")).toEqual([
      "CODE_FIRST ICD10CM:E11.9 → ICD10CM:E08.44",
      "CODE_FIRST ICD10CM:E11.9 → ICD10CM:E10.44",
      "CODE_FIRST ICD10CM:E11.9 → ICD10CM:E11.44",
    ]);
    // A chapter's note applies to all below it: the edge starts at the chapter.
    expect(edgeLines(parsed.edges, "ICD10CM:E00-E89")).toEqual([
      "EXCLUDES2 ICD10CM:E00-E89 → ICD10CM:N17-N19",
    ]);
  });

  it("quotes the note with its list heading, one edge per target with repeated notes joined", () => {
    const insulin = parsed.edges.find(
      (e) => e.to === "ICD10CM:Z79.4" && e.relation === Relation.PAIRED_WITH,
    )!;
    expect(insulin).toEqual({
      relation: Relation.PAIRED_WITH,
      kind: PairingKind.USE_ADDITIONAL_CODE,
      from: "ICD10CM:E11",
      to: "ICD10CM:Z79.4",
      source: "ICD-10-CM tabular FY2021",
      score: null,
      support: null,
      confidence: null,
      reverseConfidence: null,
      lift: null,
      note: "code to identify control using: insulin (Z79.4)",
      validFrom: null,
      validTo: null,
      line: 64,
    });
    const oral = parsed.edges.find(
      (e) => e.to === "ICD10CM:Z79.84" && e.relation === Relation.PAIRED_WITH,
    )!;
    expect(oral).toMatchObject({
      note:
        "code to identify control using: oral antidiabetic drugs (Z79.84); " +
        "code to identify control using: oral hypoglycemic drugs (Z79.84)",
      line: 65,
    });
    expect(counts.repeatedTargets).toBe(1);
    const e10 = parsed.edges.find((e) => e.to === "ICD10CM:E10")!;
    expect(e10).toMatchObject({
      relation: Relation.EXCLUDES,
      kind: ExclusionKind.EXCLUDES1,
      note: "type 1 diabetes mellitus (E10.-)",
    });
  });

  it("makes no edge of introduction, plain, 7th-character notes or 7th-character definitions", () => {
    const instructions = parsed.edges.filter((e) => e.relation !== Relation.SUBSET_OF);
    expect(
      instructions.filter((e) => e.from === "ICD10CM:E13" || e.from === "ICD10CM:E11.44"),
    ).toEqual([]);
    expect(instructions.filter((e) => e.to === "ICD10CM:E11.9")).toEqual([]);
    expect(instructions).toHaveLength(24);
    expect(counts.notes).toMatchObject({ notes: 1, sevenChrNote: 1 });
  });

  it("expands a character rule to the codes it picks, the intent being a code's last character", () => {
    const targets = (from: string, line: number) =>
      parsed.edges.filter((e) => e.from === from && e.line === line).map((e) => e.to);
    // "fifth or sixth character 5": the adverse effects, not T43.651, whose fifth is a 5
    // naming the drug, nor the header T43.65 above it.
    expect(targets("ICD10CM:E11", 76)).toEqual([
      "ICD10CM:T36.0X5",
      "ICD10CM:T43.655",
      "ICD10CM:T50.905",
    ]);
    // "1-4 or 6": poisonings and underdosings, the intent sixth (T36.0X1) or fifth (T51.91).
    expect(targets("ICD10CM:T78", 269)).toEqual([
      "ICD10CM:T36.0X1",
      "ICD10CM:T36.0X6",
      "ICD10CM:T43.651",
      "ICD10CM:T50.901",
      "ICD10CM:T51.91",
    ]);
    expect(parsed.edges.find((e) => e.to === "ICD10CM:T51.91")).toMatchObject({
      relation: Relation.EXCLUDES,
      kind: ExclusionKind.EXCLUDES1,
      note: "poisoning by drugs and toxic effects (T36-T65 with fifth or sixth character 1-4 or 6)",
    });
  });

  it("counts and reports what makes no edge, with its line and text", () => {
    expect(parsed.unresolved).toEqual([
      {
        reason: TabularUnresolved.NO_CODE,
        count: 2,
        examples: [
          "75: conditions described elsewhere - see Alphabetical Index",
          "134: underlying condition",
        ],
      },
      {
        reason: TabularUnresolved.NOT_IN_TABULAR,
        count: 1,
        examples: ['77: E11.8 in "a code the list lacks (E11.8)"'],
      },
      {
        reason: TabularUnresolved.CHARACTER_RULE,
        count: 1,
        examples: ["272: open fracture (S42.- with 7th character B or C)"],
      },
    ]);
  });

  it("ends every edge at a node of the file", () => {
    const known = new Set(ids);
    const diagNames = [
      ...readFileSync(fixture("valid.xml"), "utf8").matchAll(/<name>([A-Z][^<]*)<\/name>/g),
    ].map((m) => `ICD10CM:${m[1]}`);
    for (const id of diagNames) known.add(id);
    for (const edge of parsed.edges) {
      expect(known.has(edge.from), edge.from).toBe(true);
      expect(known.has(edge.to), edge.to).toBe(true);
    }
  });

  it("reports progress in bytes of the file", async () => {
    const seen: number[] = [];
    await readTabular(fixture("valid.xml"), {
      onProgress: (p) => seen.push(p.bytes / p.totalBytes),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBe(1);
  });
});

describe("ICD-10-CM tabular: blocks nest by their place in the file, not by comparing ids", async () => {
  const { file: parsed } = await readTabular(fixture("nesting.xml"));
  const parentOf = Object.fromEntries(parsed.codes.map((c) => [c.id, c.parent]));

  it("puts C7A and C7B, which follow C75 in the file, beside C00-C75 under C00-C96, not in C76-C80", () => {
    // As strings "C76" < "C7A" < "C80": the id rule put both under C76-C80.
    expect(parentOf["ICD10CM:C7A-C7A"]).toBe("ICD10CM:C00-C96");
    expect(parentOf["ICD10CM:C7B-C7B"]).toBe("ICD10CM:C00-C96");
    expect(parentOf["ICD10CM:C73-C75"]).toBe("ICD10CM:C00-C75");
    expect(parentOf["ICD10CM:C76-C80"]).toBe("ICD10CM:C00-C96");
    expect(parentOf["ICD10CM:C00-C75"]).toBe("ICD10CM:C00-C96");
  });

  it("puts D3A, which follows D36, under its chapter, not in D37-D48", () => {
    expect(parentOf["ICD10CM:D3A-D3A"]).toBe("ICD10CM:C00-D49");
    expect(parentOf["ICD10CM:D37-D48"]).toBe("ICD10CM:C00-D49");
  });

  it("counts an element the layout does not have as unresolved, with its line", () => {
    expect(parsed.unresolved).toContainEqual({
      reason: TabularUnresolved.UNKNOWN_ELEMENT,
      count: 1,
      examples: ["29: <excludes3>"],
    });
    // Its note names C75, yet no edge comes of a container that is not read.
    expect(parsed.edges.filter((e) => e.relation !== Relation.SUBSET_OF)).toEqual([]);
  });

  it("takes --version and --effective over the file's own <version>", async () => {
    const { file, counts } = await readTabular(fixture("nesting.xml"), { version: "FY2022" });
    expect(counts.version).toBe("FY2022");
    expect(file.edges[0]!.source).toBe("ICD-10-CM tabular FY2022");
  });
});

describe("ICD-10-CM tabular: broken files stop the parse with file, line and text", () => {
  it("malformed XML", async () => {
    const error = await failure(fixture("broken-unclosed.xml"));
    expect(error).toMatchObject({
      file: "broken-unclosed.xml",
      line: 11,
      text: "<desc>Type 2 diabetes mellitus</diag>",
    });
    expect(error.problem).toMatch(/^malformed XML: unexpected close tag/);
  });

  it("a diag name that is no ICD-10-CM code", async () => {
    const error = await failure(fixture("broken-code.xml"));
    expect(error).toMatchObject({ file: "broken-code.xml", line: 13, text: "E1.19" });
    expect(error.problem).toMatch(/not an ICD-10-CM code.*the dot follows the third character/);
  });

  it("a section id that is no range of categories", async () => {
    const error = await failure(fixture("broken-section.xml"));
    expect(error).toMatchObject({ line: 7, text: "E08-E1.3" });
    expect(error.problem).toBe("a <section> id must be a category or a range of categories");
  });

  it("a code nested under another category", async () => {
    const error = await failure(fixture("broken-nesting.xml"));
    expect(error).toMatchObject({ line: 13, text: "E12.9" });
    expect(error.problem).toBe("<diag> E12.9 is nested in E11, another category");
  });

  it("another root element", async () => {
    const error = await failure(fixture("broken-root.xml"));
    expect(error).toMatchObject({ line: 2 });
    expect(error.problem).toMatch(/root element is <ICD10PCS.tabular>/);
  });

  it("a block whose id would collide with its chapter's", async () => {
    const error = await failure(fixture("broken-collision.xml"));
    expect(error).toMatchObject({ line: 7 });
    expect(error.problem).toMatch(/ICD10CM:U00-U49 names both a chapter and a block/);
  });
});

describe("ICD-10-CM tabular: recognised by content", () => {
  it("is sniffed from its root element, or named with --format", async () => {
    expect((await parserFor(fixture("valid.xml"))).format).toBe(FormatId.ICD10CM_TABULAR);
    expect((await parserFor(fixture("broken-root.xml"), FormatId.ICD10CM_TABULAR)).format).toBe(
      FormatId.ICD10CM_TABULAR,
    );
    expect(icd10cmTabularParser.sniff('<?xml version="1.0"?>\n<ICD10PCS.tabular>', "x.xml")).toBe(
      false,
    );
  });
});

const REAL = join(PROJECT_ROOT, "../shared/data/icd10cm/tabular-2021/icd10cm_tabular_2021.xml");

describe.skipIf(!existsSync(REAL))(
  existsSync(REAL)
    ? `ICD-10-CM tabular FY2021, ${REAL}`
    : `ICD-10-CM tabular FY2021: skipped, ${REAL} is absent (a fresh clone has no ../shared)`,
  () => {
    let parse: TabularParse;
    let xml: string;
    const count = (pattern: RegExp) => [...xml.matchAll(pattern)].length;

    it("parses the whole file", async () => {
      xml = readFileSync(REAL, "utf8");
      parse = await readTabular(REAL);
      expect(parse.file.sha256).toBe(createHash("sha256").update(readFileSync(REAL)).digest("hex"));
    });

    it("counts chapters, sections and diags as the file's own tags do", () => {
      // Counted straight from the text, independently of the parser.
      expect(count(/<diag>/g)).toBe(44_772);
      expect(parse.counts.diags).toBe(count(/<diag[\s>]/g));
      expect(parse.counts.placeholderDiags).toBe(count(/<diag placeholder="true">/g));
      expect(parse.counts.diags - parse.counts.placeholderDiags).toBe(44_772);
      expect(parse.file.rows).toBe(parse.counts.diags);
      expect(parse.counts.chapters).toBe(count(/<chapter>/g));
      expect(parse.counts.sections).toBe(count(/<section id=/g));
      expect(parse.file.codes).toHaveLength(parse.counts.chapters + parse.counts.sections);
      expect(parse.counts).toMatchObject({
        version: "FY2021",
        chapters: 22,
        sections: 296,
        diags: 45_017,
      });
    });

    it("counts the notes of every kind as the file holds them", () => {
      for (const kind of Object.keys(
        parse.counts.notes,
      ) as (keyof TabularParse["counts"]["notes"])[]) {
        let notes = 0;
        for (const m of xml.matchAll(new RegExp(`<${kind}>([\\s\\S]*?)</${kind}>`, "g"))) {
          notes += [...m[1]!.matchAll(/<note>/g)].length;
        }
        expect(parse.counts.notes[kind], kind).toBe(notes);
      }
    });

    it("links every category, and only categories, to its section", () => {
      const categories = new Set(
        [...xml.matchAll(/<name>([A-Z][0-9A-Z]{2})<\/name>/g)].map((m) => m[1]),
      );
      const subsets = parse.file.edges.filter((e) => e.relation === Relation.SUBSET_OF);
      expect(subsets).toHaveLength(categories.size);
      expect(parse.counts.categories).toBe(categories.size);
      expect(subsets.find((e) => e.from === "ICD10CM:E11")?.to).toBe("ICD10CM:E08-E13");
      expect(subsets.find((e) => e.from === "ICD10CM:D49")?.to).toBe("ICD10CM:D49-D49");
    });

    it("gives chapters their ranges and blocks their heading sections, with no id shared", () => {
      const byId = new Map(parse.file.codes.map((c) => [c.id, c]));
      expect(byId.size).toBe(parse.file.codes.length);
      const chapterRanges = [
        ...xml.matchAll(
          /<chapter>\s*<name>\d+<\/name>\s*<desc>[^<]*\(([A-Z0-9]{3}-[A-Z0-9]{3})\)<\/desc>/g,
        ),
      ];
      expect(
        parse.file.codes.filter((c) => c.level === CodeLevel.CHAPTER).map((c) => c.code),
      ).toEqual(chapterRanges.map((m) => m[1]));
      expect(byId.get("ICD10CM:U00-U85")?.title).toBe("Codes for special purposes");
      const chain = (id: string): string[] => {
        const parent = byId.get(id)?.parent;
        return parent ? [id, ...chain(parent)] : [id];
      };
      expect(chain("ICD10CM:C00-C14")).toEqual([
        "ICD10CM:C00-C14",
        "ICD10CM:C00-C75",
        "ICD10CM:C00-C96",
        "ICD10CM:C00-D49",
      ]);
      expect(chain("ICD10CM:D49-D49")).toEqual(["ICD10CM:D49-D49", "ICD10CM:C00-D49"]);
    });

    it("annotates each code with inclusion terms once, never with an empty list", () => {
      const ids = parse.file.annotations.map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(parse.file.annotations.every((a) => (a.synonyms?.length ?? 0) > 0)).toBe(true);
      expect(parse.file.annotations.find((a) => a.id === "ICD10CM:A00.0")?.synonyms).toEqual([
        "Classical cholera",
      ]);
      // D25: includes notes name the conditions classified there.
      expect(parse.file.annotations.find((a) => a.id === "ICD10CM:D25")?.synonyms).toContain(
        "uterine fibroid",
      );
    });

    it("holds the instructions coders rely on", () => {
      const lines = edgeLines(parse.file.edges);
      expect(lines).toContain("USE_ADDITIONAL_CODE ICD10CM:E11 → ICD10CM:Z79.4");
      expect(lines).toContain("USE_ADDITIONAL_CODE ICD10CM:E11 → ICD10CM:Z79.84");
      expect(lines).toContain("EXCLUDES1 ICD10CM:E11 → ICD10CM:E10");
      for (const stage of ["N18.1", "N18.2", "N18.3", "N18.4", "N18.5", "N18.6"]) {
        expect(lines).toContain(`USE_ADDITIONAL_CODE ICD10CM:E11.22 → ICD10CM:${stage}`);
      }
      // "(A00-R94 and T80-T88.6, T88.8)": whole chapters, then blocks, then codes.
      const t887 = edgeLines(parse.file.edges, "ICD10CM:T88.7").filter((l) =>
        l.startsWith("EXCLUDES1"),
      );
      expect(t887).toContain("EXCLUDES1 ICD10CM:T88.7 → ICD10CM:A00-B99");
      expect(t887).toContain("EXCLUDES1 ICD10CM:T88.7 → ICD10CM:R90-R94");
      expect(t887).toContain("EXCLUDES1 ICD10CM:T88.7 → ICD10CM:T88.6");
      expect(t887).not.toContain("EXCLUDES1 ICD10CM:T88.7 → ICD10CM:T88");
      expect(t887).not.toContain("EXCLUDES1 ICD10CM:T88.7 → ICD10CM:T88.7");
    });

    it("ends every edge at a code, block or chapter of the file, and quotes the file's notes", () => {
      const known = new Set(parse.file.codes.map((c) => c.id));
      for (const m of xml.matchAll(/<name>([A-Z][^<]*)<\/name>/g)) known.add(`ICD10CM:${m[1]}`);
      const notes = new Set(
        [...xml.matchAll(/<note>([^<]*)<\/note>/g)].map((m) => m[1]!.replace(/\s+/g, " ").trim()),
      );
      for (const edge of parse.file.edges) {
        expect(known.has(edge.from), edge.from).toBe(true);
        expect(known.has(edge.to), edge.to).toBe(true);
        if ("note" in edge && edge.note !== null) {
          for (const part of edge.note.split("; ")) {
            // A list item is quoted after its heading: "heading: item".
            const headed = [...part.matchAll(/: /g)].some(
              (m) => notes.has(part.slice(0, m.index + 1)) && notes.has(part.slice(m.index + 2)),
            );
            expect(notes.has(part) || headed, part).toBe(true);
          }
        }
      }
    });

    it("expands the poisoning-table rules to exactly the codes their titles name", () => {
      // Independently of the parser: each code's title, and whether a code is below it.
      const titles = new Map(
        [...xml.matchAll(/<name>([^<]+)<\/name>\s*<desc>([^<]*)<\/desc>/g)].map((m) => [
          m[1]!,
          m[2]!,
        ]),
      );
      const codes = [...titles.keys()];
      const leaves = codes.filter((c) => !codes.some((o) => o !== c && o.startsWith(c)));
      const within = (from: string, to: string) =>
        leaves.filter((c) => c.slice(0, 3) >= from && c.slice(0, 3) <= to);
      const picked = (rule: string) => {
        const edges = parse.file.edges.filter((e) => "note" in e && e.note?.includes(rule));
        const holders = new Set(edges.map((e) => e.from));
        const lists = [...holders].map((h) =>
          edges.filter((e) => e.from === h).map((e) => e.to.slice("ICD10CM:".length)),
        );
        // Every note of the rule picks the same codes.
        for (const list of lists) expect(list).toEqual(lists[0]);
        return { holders: holders.size, codes: lists[0] ?? [] };
      };

      const adverse = picked("(T36-T50 with fifth or sixth character 5)");
      expect(adverse.holders).toBe(count(/\(T36-T50 with fifth or sixth character 5\)/g));
      expect(adverse.codes).toEqual(
        within("T36", "T50").filter((c) => titles.get(c)!.startsWith("Adverse effect of")),
      );
      expect(adverse.codes).toHaveLength(171);

      const poisoning = picked("(T36-T65 with fifth or sixth character 1-4 or 6)");
      expect(poisoning.holders).toBe(15);
      expect(poisoning.codes).toEqual(
        within("T36", "T65").filter((c) =>
          /^(Poisoning by|Toxic effect of|Underdosing of)|, (accidental|intentional self-harm|assault|undetermined)/.test(
            titles.get(c)!,
          ),
        ),
      );
      expect(poisoning.codes).toHaveLength(1_403);
    });

    it("expands the other character rules as a coder reads them", () => {
      const targets = (line: number) =>
        parse.file.edges
          .filter((e) => e.line === line && e.relation !== Relation.SUBSET_OF)
          .map((e) => e.to.slice("ICD10CM:".length));
      // "-20": the dash is a character, so I69.x20 and not I69.20.
      expect(targets(140536)).toEqual([
        "I69.020",
        "I69.120",
        "I69.220",
        "I69.320",
        "I69.820",
        "I69.920",
      ]);
      // V09's fifth character names the other vehicle, not the roller-skates.
      expect(targets(204524)).toEqual(
        ["V01", "V02", "V03", "V04", "V05", "V06"].flatMap((v) => [
          `${v}.01`,
          `${v}.11`,
          `${v}.91`,
        ]),
      );
      expect(targets(37832)).toEqual(["B27.01", "B27.11", "B27.81", "B27.91"]);
      const line = (text: string) => xml.slice(0, xml.indexOf(text)).split("\n").length;
      expect(targets(line("(M51.- with fifth character 4)"))).toEqual([
        "M51.04",
        "M51.14",
        "M51.24",
        "M51.34",
        "M51.44",
        "M51.84",
      ]);
      // A place names codes that end there, with what is below them: T22.05, not T22.051.
      expect(targets(line("(T22.- with fifth character 5)"))).toEqual(
        ["0", "1", "2", "3", "4", "5", "6", "7"].map((d) => `T22.${d}5`),
      );
      const f11 = targets(line("(F11-F19 with fifth to sixth characters 51)"));
      expect(f11).toHaveLength(24);
      expect(f11.every((c) => /^F1[1-9]\.[129]51$/.test(c))).toBe(true);
    });

    it("reports what makes no edge, each reason with examples", () => {
      const reasons = Object.fromEntries(parse.file.unresolved.map((u) => [u.reason, u]));
      expect(reasons[TabularUnresolved.NOT_IN_TABULAR]?.examples).toEqual([
        '211701: V94.X in "hit by boat while water-skiing NOS (V94.X)"',
      ]);
      // B27.02, B27.12 … are meant, their fifth character 2: read as written, never guessed.
      expect(reasons[TabularUnresolved.RULE_PICKS_NOTHING]?.examples).toEqual([
        '34135: no code of B27 answers the rule in "infectious mononucleosis complicated by meningitis (B27.- with fourth character 2)"',
      ]);
      expect(reasons[TabularUnresolved.RANGE_END_NOT_IN_TABULAR]?.examples).toEqual([
        '215975: T63.81-R63.83 in "contact with venomous amphibians (T63.81-R63.83)"',
      ]);
      // What no code of the tabular answers: 7th characters, and rules in prose.
      expect(reasons[TabularUnresolved.CHARACTER_RULE]?.count).toBe(8);
      expect(reasons[TabularUnresolved.CHARACTER_RULE]?.examples).toEqual([
        "70073: poisoning due to drug or toxin (T51-T65 with fifth or sixth character to indicate intent), for toxic pneumonopathy",
        "143881: open skull fracture (S02.- with 7th character B)",
        "146921: open fracture of vertebra (S12.- with 7th character B)",
        "151927: open fracture of pelvis (S32.1--S32.9 with 7th character B)",
        "156148: open fracture of shoulder and upper arm (S42.- with 7th character B or C)",
      ]);
      for (const u of parse.file.unresolved) {
        expect(u.count).toBeGreaterThan(0);
        expect(u.examples.length).toBe(Math.min(5, u.count));
      }
    });
  },
);
