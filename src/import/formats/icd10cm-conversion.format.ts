import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { Transform } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import ExcelJS, { type CellValue } from "exceljs";
import { codeId } from "../../domain/code-grammar.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { fiscalYearStart, type IsoDate, isIsoDate } from "../../domain/dates.js";
import { Relation } from "../../domain/relationship.js";
import {
  type CodeAnnotation,
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseEdge,
} from "../records.js";
import { SourceFileError } from "../source-file-error.js";
import { UnresolvedTally } from "../unresolved-tally.js";
import { canonicalCmCode, cmCodeProblem } from "./icd10cm-tabular.format.js";

/**
 * The ICD-10-CM conversion tables of NCHS (FY2017 … FY2026; XLSX, FY2020 as CSV): for
 * each code new since ICD-10-CM began, when it took effect and the code(s) the same
 * condition was coded to before. Each table is cumulative: FY2026 repeats the rows of all
 * earlier tables. They become REPLACES edges, new code → previous code, in a supplement.
 *
 * Layout, as the files have it: a few lines of introduction ("… This FY 2026 (October 1,
 * 2025 Update) Conversion Table …"), then the column row — "Current code assignment",
 * "Effective October 1" (FY2017-FY2020) or "Effective" (FY2021 on), "Previous Code(s)
 * Assignment" — found by its headers, then one row per new code. The table's own year
 * (the edge `source`) comes from the introduction, else the file name, else `--version`.
 *
 * The effective column holds a year: "Unless otherwise specified the code effective date
 * is October 1 of the year listed" (the tables' own words), so 2016 is 2016-10-01, the
 * start of FY2017 — A92.5 (Zika) is listed 2016 and is new in FY2017; the FY2017 table
 * lists only 2016. Codes of mid-year updates carry a date cell instead (2020-04-01 for
 * U07.1, 2021-01-01, 2022-04-01, 2023-04-01), which is taken as it is. "FY 2017" would be
 * a fiscal year and start on 2016-10-01; no table writes one.
 *
 * The previous-code cell holds one code, or several ("G56.01 and G56.02", "E75.240,
 * E75.241", "J44.0-J44.1; J44.9", "M96.89 & Y84.8"), "None" for a new concept (reported,
 * no edge), or a range. A range of categories ("Codes in Categories T15-T19") becomes one
 * edge to that range's node (a tabular block, when loaded). A range whose ends differ
 * only in their last character, both digits ("H35.20-H35.23"), is listed (H35.20 …
 * H35.23), leaving out the new code itself should the range reach it. Other ranges
 * ("Y93.01-Y93.9", "S06.890A-S06.899A") cannot be listed from the table alone and are
 * reported as unresolved, never guessed. Any other wording in the cell
 * stops the parse, as does a malformed code: the row number is the sheet's row (XLSX) or
 * the file's line (CSV). A row that repeats an earlier row's pair makes no second edge
 * (FY2026 lists O44.20 → O44.00 twice) and is counted.
 *
 * Each row also dates its new code: a `CodeAnnotation` with `addedOn`, which the merge
 * uses where the first release imported left the code's start unknown. Whether a
 * REPLACES edge is a succession at all (the previous code may stay valid) is for the
 * merge to decide: only it knows which codes are valid when.
 */

/** Rows searched for the column row before giving up. */
const MAX_HEADER_ROWS = 25;
const ZIP_MAGIC = "PK\u0003\u0004";

/** Reasons under which rows that make no edge are reported. */
export const ConversionUnresolved = {
  NO_PREVIOUS: "row names no previous code (None)",
  RANGE_NOT_LISTED: "previous codes given as a range the table does not list",
  SELF: "a listed range holds the new code itself",
} as const;

/** What the parse saw, for the import report and the full-release tests. */
export interface ConversionCounts {
  /** The table's own release: FY2026. */
  readonly version: string;
  /** Row (XLSX) or line (CSV) of the column row. */
  readonly columnRow: number;
  /** Data rows: rows after the column row with any content. */
  readonly rows: number;
  readonly edges: number;
  /** Data rows by the effective date they give. */
  readonly rowsByEffective: Readonly<Record<IsoDate, number>>;
  /** Rows whose pair(s) an earlier row already gave. */
  readonly repeatedRows: number;
  /** Rows naming more than one previous code. */
  readonly rowsWithSeveralPrevious: number;
  readonly unresolved: Readonly<Record<string, number>>;
}

export interface ConversionParse {
  readonly file: ParsedFile;
  readonly counts: ConversionCounts;
}

// ── Reading rows from either container ─────────────────────────────────────────────

type Cell = string | number | Date | null;

interface SheetRow {
  /** Sheet row number (XLSX) or the file line the record ends on (CSV). */
  readonly line: number;
  readonly cells: readonly Cell[];
}

/** Counts and hashes the bytes flowing through, for progress and `sha256`. */
function meter(hash: Hash, onBytes: (bytes: number) => void): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes(bytes);
      done(null, chunk);
    },
  });
}

function cellOf(value: CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || value instanceof Date) return value;
  if (typeof value === "boolean") return String(value);
  // Rich text: FY2023 on write a few codes in runs of differing fonts ("S" + "06.1XAA").
  if ("richText" in value) return value.richText.map((r) => r.text).join("");
  if ("result" in value) return value.result === undefined ? null : cellOf(value.result);
  if ("hyperlink" in value) return value.text;
  if ("error" in value) return value.error;
  return null;
}

async function* xlsxRows(
  path: string,
  hash: Hash,
  onBytes: (bytes: number) => void,
): AsyncGenerator<SheetRow> {
  const input = createReadStream(path);
  const metered = input.pipe(meter(hash, onBytes));
  input.on("error", (error) => metered.destroy(error));
  // Styles are cached so that date cells (mid-year updates) come back as dates.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(metered, {
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
    worksheets: "emit",
    entries: "ignore",
  });
  try {
    // The table is the first sheet (no release has more than one). Any other sheet is
    // still read through, so that the whole file passes the hash.
    let first = true;
    for await (const sheet of workbook) {
      for await (const row of sheet) {
        if (!first) continue;
        const values = Array.isArray(row.values) ? row.values : [];
        // exceljs row values are 1-based: index 0 is always empty.
        yield { line: row.number, cells: values.slice(1).map((v) => cellOf(v)) };
      }
      first = false;
    }
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    // A damaged zip or sheet has no row to point at: line 0 stands for the whole file.
    throw new SourceFileError(
      basename(path),
      0,
      `not a readable XLSX workbook: ${(error as Error).message}`,
    );
  } finally {
    input.destroy();
  }
}

async function* csvRows(
  path: string,
  hash: Hash,
  onBytes: (bytes: number) => void,
): AsyncGenerator<SheetRow> {
  const input = createReadStream(path);
  const metered = input.pipe(meter(hash, onBytes));
  input.on("error", (error) => metered.destroy(error));
  // The introduction is one quoted field spanning two lines, and rows may be narrower
  // than the column row: record widths are not checked here but per row below.
  const records = metered.pipe(
    parseCsv({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  try {
    for await (const { record, info } of records as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { line: info.lines, cells: record };
    }
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    throw new SourceFileError(
      basename(path),
      line,
      `not a readable CSV file: ${(error as Error).message}`,
    );
  } finally {
    input.destroy();
  }
}

async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead).toString("latin1") === ZIP_MAGIC;
  } finally {
    await handle.close();
  }
}

// ── The table ──────────────────────────────────────────────────────────────────────

function text(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return "";
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell).replace(/\s+/g, " ").trim();
}

interface Columns {
  readonly current: number;
  readonly effective: number;
  readonly previous: number;
}

/** The column positions when `cells` is the column row. Header cells are short; the introduction is not. */
function columnsOf(cells: readonly Cell[]): Columns | undefined {
  const find = (pattern: RegExp) =>
    cells.findIndex((c) => typeof c === "string" && c.length <= 60 && pattern.test(c));
  const current = find(/\bcurrent\s+code/i);
  const effective = find(/\beffective\b/i);
  const previous = find(/\bprevious\s+code/i);
  if (current < 0 || effective < 0 || previous < 0) return undefined;
  if (new Set([current, effective, previous]).size < 3) return undefined;
  return { current, effective, previous };
}

/** The first day a row's code is in use, from the effective cell. */
function effectiveOf(cell: Cell): IsoDate | undefined {
  if (cell instanceof Date) {
    // exceljs reads date cells as UTC midnight; the calendar day is what counts.
    return Number.isNaN(cell.getTime()) ? undefined : cell.toISOString().slice(0, 10);
  }
  const value = text(cell);
  let m = /^(\d{4})$/.exec(value);
  // The year listed is the calendar year of its October 1: the start of the next fiscal year.
  if (m) return fiscalYearStart(Number(m[1]) + 1);
  m = /^FY\s*(\d{4})$/i.exec(value);
  if (m) return fiscalYearStart(Number(m[1]));
  if (isIsoDate(value)) return value;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (m) {
    const iso = `${m[3]}-${m[1]!.padStart(2, "0")}-${m[2]!.padStart(2, "0")}`;
    return isIsoDate(iso) ? iso : undefined;
  }
  return undefined;
}

// A code as the tables write it: dotted or not, category with a digit or (FY2026, QA0) a
// letter second; an optional trailing dash ("R11-": the category and its codes).
const CODE = "[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:\\.?[0-9A-Z]{1,4})?";
const PREVIOUS_ITEM = new RegExp(
  `(?<![A-Za-z0-9.])(${CODE})(?:\\s*-\\s*(${CODE}))?(?:\\.?-)?(?![A-Za-z0-9])`,
  "g",
);
// Words the cells put around codes: "and", "&", "Codes in Categories", "a code from".
const PREVIOUS_FILLER = /^(?:[\s,;&]|\b(?:and|or|a|codes?|in|from|categories|category)\b)*$/i;

type Previous =
  | { readonly type: "codes"; readonly codes: readonly string[] }
  | { readonly type: "unlisted"; readonly range: string };

/** Lists a range whose ends differ only in a last digit (H35.20-H35.23), else undefined. */
function listRange(start: string, end: string): string[] | undefined {
  const head = start.slice(0, -1);
  const [a, b] = [start.slice(-1), end.slice(-1)];
  if (
    start.length !== end.length ||
    end.slice(0, -1) !== head ||
    !/[0-9]/.test(a) ||
    !/[0-9]/.test(b) ||
    a >= b
  ) {
    return undefined;
  }
  const out: string[] = [];
  for (let d = Number(a); d <= Number(b); d++) out.push(`${head}${d}`);
  return out;
}

/**
 * Reads a previous-code cell. Returns undefined when its wording is not understood, so
 * that the caller stops with the row.
 */
export function parsePreviousCodes(cell: string): Previous[] | undefined {
  const value = cell.trim();
  if (value === "" || /^none$/i.test(value)) return [];
  const out: Previous[] = [];
  let rest = value;
  for (const m of value.matchAll(PREVIOUS_ITEM)) {
    rest = rest.replace(m[0], " ");
    const start = canonicalCmCode(m[1]!);
    const end = m[2] === undefined ? undefined : canonicalCmCode(m[2]);
    if (start === undefined || (m[2] !== undefined && end === undefined)) return undefined;
    if (end === undefined || end === start) {
      out.push({ type: "codes", codes: [start] });
    } else if (start.length === 3 && end.length === 3) {
      out.push({ type: "codes", codes: [`${start}-${end}`] });
    } else {
      const listed = listRange(start, end);
      out.push(
        listed ? { type: "codes", codes: listed } : { type: "unlisted", range: `${start}-${end}` },
      );
    }
  }
  if (out.length === 0 || !PREVIOUS_FILLER.test(rest)) return undefined;
  return out;
}

function tableYear(
  intro: readonly string[],
  path: string,
  options: ParseOptions,
): string | undefined {
  for (const line of intro) {
    const m = /\bFY\s?(\d{4})\b/.exec(line);
    if (m) return m[1];
  }
  return (
    /FY[\s_-]?(\d{4})/i.exec(basename(path))?.[1] ?? /(\d{4})/.exec(options.version ?? "")?.[1]
  );
}

/**
 * Reads an ICD-10-CM conversion table (XLSX or CSV, told apart by content) into REPLACES
 * edges, new code → previous code, with the parse's own counts. A file without its
 * column row, a malformed code or date, or a previous-code cell in other words throws a
 * {@link SourceFileError} naming the row, and nothing of the file is returned.
 */
export async function readConversionTable(
  path: string,
  options: ParseOptions = {},
): Promise<ConversionParse> {
  const file = basename(path);
  const totalBytes = (await stat(path)).size;
  const hash = createHash("sha256");
  let bytes = 0;
  let rowCount = 0;
  const onBytes = (n: number) => {
    bytes = n;
  };
  const rows = (await isZip(path)) ? xlsxRows(path, hash, onBytes) : csvRows(path, hash, onBytes);

  const intro: string[] = [];
  let columns: Columns | undefined;
  let columnRow = 0;
  let source = "";
  const edges = new Map<string, ReleaseEdge>();
  const rowsByEffective: Record<IsoDate, number> = {};
  const unresolved = new UnresolvedTally();
  let repeatedRows = 0;
  const firstDays = new Map<string, CodeAnnotation & { addedOn: IsoDate }>();
  let rowsWithSeveralPrevious = 0;
  let scanned = 0;

  const report = (reason: string, line: number, what: string) => unresolved.add(reason, what, line);

  for await (const row of rows) {
    const cells = row.cells.map(text);
    const shown = cells.filter((c) => c !== "").join(" | ");
    if (columns === undefined) {
      scanned++;
      columns = columnsOf(row.cells);
      if (columns) {
        columnRow = row.line;
        const year = tableYear(intro, path, options);
        if (year === undefined) {
          throw new SourceFileError(
            file,
            row.line,
            'cannot tell the table\'s fiscal year from its introduction ("FY 2026") or file name; give --version FY2026',
          );
        }
        source = `ICD-10-CM conversion table FY${year}`;
      } else if (scanned >= MAX_HEADER_ROWS) {
        break;
      } else if (shown !== "") {
        intro.push(shown);
      }
      continue;
    }
    if (shown === "") continue;
    rowCount++;
    options.onProgress?.({ bytes, totalBytes, rows: rowCount });

    const currentText = cells[columns.current] ?? "";
    const current = canonicalCmCode(currentText);
    if (current === undefined) {
      throw new SourceFileError(
        file,
        row.line,
        `current code: ${cmCodeProblem(currentText)}`,
        shown,
      );
    }
    const effective = effectiveOf(row.cells[columns.effective] ?? null);
    if (effective === undefined) {
      throw new SourceFileError(
        file,
        row.line,
        `effective ${JSON.stringify(cells[columns.effective] ?? "")} is neither a year (2016: October 1, 2016) nor a date`,
        shown,
      );
    }
    const previousText = cells[columns.previous] ?? "";
    if (previousText === "")
      throw new SourceFileError(file, row.line, "the previous code(s) cell is empty", shown);
    const previous = parsePreviousCodes(previousText);
    if (previous === undefined) {
      throw new SourceFileError(
        file,
        row.line,
        `previous code(s) ${JSON.stringify(previousText)} not understood`,
        shown,
      );
    }
    rowsByEffective[effective] = (rowsByEffective[effective] ?? 0) + 1;
    // The row dates the new code itself: "current code, effective October 1 of the year
    // listed". The merge uses it where the graph does not know a code's first day.
    const currentId = codeId(CodeSystemId.ICD10CM, current);
    const dated = firstDays.get(currentId);
    if (dated && dated.addedOn !== effective) {
      throw new SourceFileError(
        file,
        row.line,
        `${current} is dated ${effective} here but ${dated.addedOn} on row ${dated.line}`,
        shown,
      );
    }
    if (!dated) firstDays.set(currentId, { id: currentId, addedOn: effective, line: row.line });
    if (previous.length === 0) {
      report(ConversionUnresolved.NO_PREVIOUS, row.line, shown);
      continue;
    }
    const targets: string[] = [];
    for (const p of previous) {
      if (p.type === "unlisted") {
        report(ConversionUnresolved.RANGE_NOT_LISTED, row.line, `${p.range} in ${shown}`);
        continue;
      }
      for (const code of p.codes) {
        // A new code cannot replace itself: a listed range that reaches it says no more.
        if (code === current) report(ConversionUnresolved.SELF, row.line, `${code} in ${shown}`);
        else targets.push(code);
      }
    }
    if (targets.length + previous.filter((p) => p.type === "unlisted").length > 1)
      rowsWithSeveralPrevious++;
    let fresh = false;
    for (const to of targets) {
      const edge: ReleaseEdge = {
        relation: Relation.REPLACES,
        from: codeId(CodeSystemId.ICD10CM, current),
        to: codeId(CodeSystemId.ICD10CM, to),
        effective,
        source,
        validFrom: null,
        validTo: null,
        line: row.line,
      };
      const key = `${edge.from}|${edge.to}`;
      const prior = edges.get(key);
      if (prior && prior.relation === Relation.REPLACES && prior.effective !== effective) {
        throw new SourceFileError(
          file,
          row.line,
          `${current} → ${to} is dated ${effective} here but ${prior.effective} on row ${prior.line}`,
          shown,
        );
      }
      if (!prior) {
        edges.set(key, edge);
        fresh = true;
      }
    }
    if (!fresh && targets.length > 0) repeatedRows++;
  }
  if (columns === undefined) {
    throw new SourceFileError(
      file,
      scanned,
      `no column row with "Current code", "Effective" and "Previous code(s)" headers in the first ${scanned} rows`,
      intro[0],
    );
  }
  options.onProgress?.({ bytes: totalBytes, totalBytes, rows: rowCount });

  const unresolvedList = unresolved.list();
  const edgeList = [...edges.values()];
  return {
    file: {
      file: path,
      format: FormatId.ICD10CM_CONVERSION,
      sha256: hash.digest("hex"),
      rows: rowCount,
      snapshot: null,
      codes: [],
      annotations: [...firstDays.values()],
      edges: edgeList,
      unresolved: unresolvedList,
    },
    counts: {
      version: source.slice(source.lastIndexOf(" ") + 1),
      columnRow,
      rows: rowCount,
      edges: edgeList.length,
      rowsByEffective,
      repeatedRows,
      rowsWithSeveralPrevious,
      unresolved: unresolved.counts(),
    },
  };
}

export const icd10cmConversionParser: FormatParser = {
  format: FormatId.ICD10CM_CONVERSION,
  description:
    "ICD-10-CM conversion table (NCHS, XLSX or CSV): new codes with their effective date and previous code(s)",
  sniff(head, fileName) {
    // An XLSX is a zip whose sheet text is compressed: its head shows only entry names,
    // so the zip magic, an Excel workbook entry and the file's name must do. A CSV shows
    // its column row.
    if (head.startsWith(ZIP_MAGIC))
      return head.includes("xl/workbook.xml") && /conversion/i.test(fileName);
    return /current code assignment/i.test(head) && /previous code\(s\)/i.test(head);
  },
  async parse(path, options) {
    return (await readConversionTable(path, options)).file;
  },
};
