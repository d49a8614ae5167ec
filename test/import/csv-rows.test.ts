import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCsv } from "../../src/import/csv-rows.js";
import { SourceFileError } from "../../src/import/source-file-error.js";

const dir = mkdtempSync(join(tmpdir(), "codegraph-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Blank lines, a quoted field over two lines, and a short row last, on line 10. */
const LINES = ["a,b", "", "1,2", "", "", "3,4", '"q', 'uoted",5', "", "x"];

async function read(eol: string): Promise<{ lines: number[]; error: SourceFileError }> {
  const path = join(dir, `rows-${eol === "\n" ? "lf" : "crlf"}.csv`);
  writeFileSync(path, LINES.join(eol) + eol);
  const lines: number[] = [];
  const error = await readCsv(
    path,
    {},
    () => {},
    (row) => lines.push(row.line),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceFileError);
  return { lines, error: error as SourceFileError };
}

describe("CSV line numbers", () => {
  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ])("count blank lines and line ends inside quotes with %s line ends", async (_name, eol) => {
    const { lines, error } = await read(eol);
    // Each row is numbered by the line it ends on, as an editor shows it.
    expect(lines).toEqual([3, 6, 8]);
    expect({ line: error.line, text: error.text }).toEqual({ line: 10, text: "x" });
  });
});
