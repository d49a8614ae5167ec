import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gemI10ToI9Parser, gemI9ToI10Parser } from "../../src/import/formats/gem.format.js";
import { hcpcsAnnualParser } from "../../src/import/formats/hcpcs-annual.format.js";
import {
  icd10cmOrderParser,
  icd10pcsOrderParser,
} from "../../src/import/formats/icd10-order.format.js";
import {
  icd9cmDiagnosisTitlesParser,
  icd9cmProcedureTitlesParser,
} from "../../src/import/formats/icd9cm-titles.format.js";
import { type FormatParser } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import");
const dir = mkdtempSync(join(tmpdir(), "codegraph-truncated-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of a fixture under a name of its own, its bytes changed by `edit`. */
function damaged(fixture: string, name: string, edit: (bytes: Buffer) => Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, edit(readFileSync(join(FIXTURES, fixture))));
  return path;
}

/** The error a parse ends in, or undefined. */
async function failure(parser: FormatParser, path: string): Promise<unknown> {
  return parser.parse(path, {}).then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** Lines of a file as the readers split them (CRLF or LF), without an empty last one. */
function linesOf(bytes: Buffer): string[] {
  const lines = bytes.toString("latin1").split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

describe("a file whose last line has no line break is cut short, and refused with file:line", () => {
  // Every official release file of these formats ends in a line break (CRLF; the ICD-9-CM
  // titles LF): one without it was cut off mid-line, by a download or a copy.
  const cases: [string, FormatParser, string][] = [
    ["ICD-10-CM order file", icd10cmOrderParser, "icd10-order/icd10cm_order_2025.txt"],
    ["ICD-10-PCS order file", icd10pcsOrderParser, "icd10-order/icd10pcs_order_2026.txt"],
    ["HCPCS annual file", hcpcsAnnualParser, "hcpcs-annual/valid-2019.txt"],
    ["GEM ICD-10-CM → ICD-9-CM", gemI10ToI9Parser, "gem/i10-i9.txt"],
    ["GEM ICD-9-CM → ICD-10-CM", gemI9ToI10Parser, "gem/i9-i10.txt"],
    ["ICD-9-CM diagnosis titles", icd9cmDiagnosisTitlesParser, "icd9cm-titles/CMS32_sample_DX.txt"],
    ["ICD-9-CM procedure titles", icd9cmProcedureTitlesParser, "icd9cm-titles/CMS32_sample_SG.txt"],
  ];

  it.each(cases)("%s", async (_, parser, fixture) => {
    const whole = readFileSync(join(FIXTURES, fixture));
    expect(await failure(parser, join(FIXTURES, fixture))).toBeUndefined();
    const lines = linesOf(whole);
    while (lines.at(-1)!.trim() === "") lines.pop();
    const last = lines.at(-1)!;
    const kept = last.slice(0, Math.ceil(last.length / 2));
    // Cut in the middle of the last line: what is left of it may even parse.
    const name = `cut-${fixture.replace(/\//g, "-")}`;
    const cutAt = whole.lastIndexOf(last) + kept.length;
    const path = damaged(fixture, name, (b) => b.subarray(0, cutAt));
    const error = await failure(parser, path);
    expect(error).toBeInstanceOf(SourceFileError);
    const e = error as SourceFileError;
    expect({ file: e.file, line: e.line }).toEqual({ file: name, line: lines.length });
    expect(e.problem).toMatch(/no line break.*cut short/);
    expect(e.text).toBe(kept);
  });

  it("reads a file whose last line ends in CR alone", async () => {
    const fixture = "icd10-order/icd10cm_order_2025.txt";
    const path = damaged(fixture, "icd10cm_order_2025_cr.txt", (b) => b.subarray(0, -1));
    expect(await failure(icd10cmOrderParser, path)).toBeUndefined();
  });
});

describe("an order file with a line missing is refused where the order numbers jump", () => {
  // The order number (columns 1-5) runs 1, 2, 3 … with the lines in every official file: a
  // line lost in the middle would otherwise retire its code without a word (E78.72).
  const dropLines = (bytes: Buffer, drop: (index: number) => boolean) =>
    Buffer.from(
      bytes
        .toString("latin1")
        .split("\r\n")
        .filter((_, i) => !drop(i))
        .join("\r\n"),
      "latin1",
    );

  it.each([
    ["ICD-10-CM", icd10cmOrderParser, "icd10-order/icd10cm_order_2025.txt"],
    ["ICD-10-PCS", icd10pcsOrderParser, "icd10-order/icd10pcs_order_2026.txt"],
  ] as const)("%s: a line gone from the middle", async (system, parser, fixture) => {
    const name = `gap_${system.toLowerCase().replace(/-/g, "")}_order_2026.txt`;
    const path = damaged(fixture, name, (b) => dropLines(b, (i) => i === 6));
    const error = await failure(parser, path);
    expect(error).toBeInstanceOf(SourceFileError);
    const e = error as SourceFileError;
    expect({ file: e.file, line: e.line }).toEqual({ file: name, line: 7 });
    expect(e.problem).toBe(
      "order number 00008 follows 00006: order numbers run 1, 2, 3 … with no gap, so a line is missing before this one",
    );
  });

  it("the first lines gone", async () => {
    const name = "gap_start_icd10cm_order_2025.txt";
    const fixture = "icd10-order/icd10cm_order_2025.txt";
    const path = damaged(fixture, name, (b) => dropLines(b, (i) => i < 2));
    const error = await failure(icd10cmOrderParser, path);
    expect(error).toBeInstanceOf(SourceFileError);
    expect((error as SourceFileError).line).toBe(1);
    expect((error as SourceFileError).problem).toBe(
      "the first order number is 00003, not 00001: order numbers run 1, 2, 3 … with no gap, so a line is missing before this one",
    );
  });
});
