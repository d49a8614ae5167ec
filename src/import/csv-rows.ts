import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { CsvError, parse } from "csv-parse";
import { type ParseOptions } from "./records.js";
import { headLines } from "./single-byte-text.js";
import { SourceFileError } from "./source-file-error.js";

/**
 * Streams a UTF-8 CSV file with a header row through csv-parse, so files of any size
 * (claims extracts) are read once and never held whole. RFC 4180 quoting; a byte-order
 * mark, blank lines and blanks around fields are ignored; every row must be as wide as
 * the header. Errors name the file, line and offending text.
 */

export interface CsvRow {
  /** Line of the file the row ends on. */
  readonly line: number;
  /** The row as the file has it, for error reports. */
  readonly text: string;
  /** Cell by header name (as normalised by the reader); "" for an empty cell. */
  get(column: string): string;
}

/** A row over its cells: one small object per row, no closure, for files of millions of rows. */
class Row implements CsvRow {
  constructor(
    readonly line: number,
    readonly text: string,
    private readonly cells: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    private readonly file: string,
  ) {}

  get(column: string): string {
    const at = this.index.get(column);
    if (at === undefined) throw new Error(`no column ${column} in ${this.file}`);
    return this.cells[at]!;
  }
}

/**
 * Line ends in a record's raw text, not counting the one that ends it. A line end is
 * CRLF, LF or CR: in a CRLF file csv-parse gives each skipped blank line and each
 * record's end as a lone "\r" in `raw`, so counting "\n" alone numbered every line
 * after a blank one too low.
 */
function innerLineEnds(raw: string): number {
  let count = 0;
  for (let at = 0; at < raw.length; at++) {
    const c = raw.charCodeAt(at);
    if (c === 0x0d) {
      if (raw.charCodeAt(at + 1) === 0x0a) at++;
      count++;
    } else if (c === 0x0a) count++;
  }
  return /[\r\n]$/.test(raw) ? count - 1 : count;
}

export interface CsvHeader {
  readonly line: number;
  readonly text: string;
  /** Header names, trimmed and lower-cased. */
  readonly columns: readonly string[];
}

export interface CsvReadResult {
  readonly sha256: string;
  /** Data rows read (not counting the header). */
  readonly rows: number;
}

/** Rows between two progress reports. */
const PROGRESS_EVERY = 10_000;

/**
 * Reads `path` row by row: `onHeader` checks the header (throw to refuse it), `onRow`
 * receives each data row in file order.
 */
export async function readCsv(
  path: string,
  options: ParseOptions,
  onHeader: (header: CsvHeader) => void,
  onRow: (row: CsvRow) => void,
): Promise<CsvReadResult> {
  const file = basename(path);
  const totalBytes = (await stat(path)).size;
  const hash = createHash("sha256");
  const input = createReadStream(path);
  input.on("data", (chunk) => hash.update(chunk as Buffer));
  const parser = input.pipe(
    parse({
      bom: true,
      // Only the raw text, not `info`: a per-record info object triples the parse time of a
      // large file, and the raw text gives the line numbers anyway.
      raw: true,
      skip_empty_lines: true,
      trim: true,
      // Widths are checked below, for an error that names the header's width.
      relax_column_count: true,
    }),
  );
  input.on("error", (error) => parser.destroy(error));

  let header: CsvHeader | undefined;
  let index = new Map<string, number>();
  let rows = 0;
  // Lines before the current record: a record's raw text holds the blank lines skipped
  // before it and the line ends inside its quoted fields.
  let linesBefore = 0;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{
      record: string[];
      raw: string;
    }>) {
      const line = linesBefore + innerLineEnds(raw) + 1;
      linesBefore = line;
      const text = raw.replace(/^[\r\n]+|[\r\n]+$/g, "");
      if (!header) {
        header = { line, text, columns: record.map((c) => c.trim().toLowerCase()) };
        index = new Map(header.columns.map((name, i) => [name, i]));
        onHeader(header);
        continue;
      }
      if (record.length !== header.columns.length) {
        throw new SourceFileError(
          file,
          line,
          `expected ${header.columns.length} comma-separated fields (${header.columns.join(",")}), found ${record.length}`,
          text,
        );
      }
      rows++;
      onRow(new Row(line, text, record, index, file));
      if (options.onProgress && rows % PROGRESS_EVERY === 0) {
        options.onProgress({ bytes: parser.info.bytes, totalBytes, rows });
      }
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === "number" ? error.lines : 0;
      const raw = typeof error.raw === "string" ? error.raw.replace(/[\r\n]+$/, "") : undefined;
      throw new SourceFileError(file, line, `not valid CSV: ${error.message}`, raw);
    }
    throw error;
  } finally {
    input.destroy();
  }
  if (!header) throw new SourceFileError(file, 1, "the file is empty: expected a header row");
  options.onProgress?.({ bytes: totalBytes, totalBytes, rows });
  return { sha256: hash.digest("hex"), rows };
}

/**
 * The column names of a CSV head's first non-blank line, trimmed, unquoted and
 * lower-cased (a byte-order mark, read as UTF-8 or as Latin-1, left out): what sniffing
 * a CSV layout compares. Undefined for a head without a complete line.
 */
export function headerColumnsInHead(head: string): string[] | undefined {
  const first = headLines(head)
    .map((l) => l.replace(/^\uFEFF|^\u00ef\u00bb\u00bf/, ""))
    .find((l) => l.trim() !== "");
  if (first === undefined) return undefined;
  return first.split(",").map((c) => c.trim().replace(/^"|"$/g, "").toLowerCase());
}
