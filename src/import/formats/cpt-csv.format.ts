import { basename } from "node:path";
import { CodeShape, codeId, grammarOf } from "../../domain/code-grammar.js";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { isIsoDate } from "../../domain/dates.js";
import { type CodeNode } from "../../domain/graph.js";
import { type CsvHeader, type CsvRow, headerColumnsInHead, readCsv } from "../csv-rows.js";
import {
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseCode,
} from "../records.js";
import { CALENDAR_YEAR_NAMING, type ReleaseNaming, releaseLabel } from "../release-label.js";
import { SourceFileError } from "../source-file-error.js";

/**
 * CPT (HCPCS Level I) from a file the licensed user supplies. CPT descriptors are the
 * AMA's copyrighted content: no CPT file ships with this project and none may be added;
 * the AMA's data files come in several layouts, so the user converts theirs to this one.
 *
 * Layout: UTF-8 CSV (RFC 4180 quoting, optional byte-order mark), a header row naming the
 * columns in any order, case-insensitive:
 *
 *   code         required  a CPT code (99213, Category II 3044F, Category III 0042T,
 *                          PLA 0001U, MAAA 0002M) or a CPT modifier (25, 59, 1P)
 *   title        required  the long descriptor
 *   short_title  optional  the short descriptor ("" for none)
 *   valid_from   optional  YYYY-MM-DD the code was added   → attribute `addDate`
 *   valid_to     optional  YYYY-MM-DD last day of use       → attribute `terminationDate`
 *   version      optional  release label, the same on every row ("2024")
 *   effective    optional  YYYY-MM-DD the release takes effect, the same on every row
 *
 * The release is `--version` / `--effective`, else the columns, else a year in the file
 * name (cpt-2024.csv); a version that is a year takes effect on January 1 of that year,
 * when the AMA's annual release does. Unknown columns are refused (a misspelt
 * `short-title` would otherwise vanish), as are section ranges: CPT's sections are AMA
 * content too, so a code's parent is left to the merge, which finds the range the graph
 * already holds (the seed's CPT:99202-99215 ...).
 */

const COLUMNS = [
  "code",
  "title",
  "short_title",
  "valid_from",
  "valid_to",
  "version",
  "effective",
] as const;
const REQUIRED = ["code", "title"] as const;

/** A value every row must repeat: the release's version or effective date. */
class ConstantColumn {
  private value: { text: string; line: number } | undefined;

  constructor(readonly column: string) {}

  see(file: string, row: CsvRow): void {
    const text = row.get(this.column);
    if (text === "") return;
    if (this.value === undefined) this.value = { text, line: row.line };
    else if (this.value.text !== text) {
      throw new SourceFileError(
        file,
        row.line,
        `${this.column} ${JSON.stringify(text)} differs from ${JSON.stringify(this.value.text)} on line ${this.value.line}: a file holds one release`,
        row.text,
      );
    }
  }

  get(): string | undefined {
    return this.value?.text;
  }
}

const CPT_NAMING: ReleaseNaming = { ...CALENDAR_YEAR_NAMING, what: "CPT release" };

function checkHeader(file: string, header: CsvHeader): void {
  const fail = (problem: string): never => {
    throw new SourceFileError(file, header.line, problem, header.text);
  };
  const unknown = header.columns.filter((c) => !(COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) {
    fail(`unknown column(s) ${unknown.join(", ")}; a CPT file has columns ${COLUMNS.join(", ")}`);
  }
  const missing = REQUIRED.filter((c) => !header.columns.includes(c));
  if (missing.length > 0) fail(`the header lacks column(s) ${missing.join(", ")}`);
  const repeated = header.columns.filter((c, i) => header.columns.indexOf(c) !== i);
  if (repeated.length > 0) fail(`column(s) ${repeated.join(", ")} appear twice`);
}

async function parseCptCsv(path: string, options: ParseOptions): Promise<ParsedFile> {
  const file = basename(path);
  const grammar = grammarOf(CodeSystemId.CPT);
  const codes: ReleaseCode[] = [];
  const seen = new Map<string, number>();
  const version = new ConstantColumn("version");
  const effective = new ConstantColumn("effective");
  let columns: readonly string[] = [];
  let modifiers = false;

  const { sha256, rows } = await readCsv(
    path,
    options,
    (header) => {
      checkHeader(file, header);
      columns = header.columns;
    },
    (row) => {
      const fail = (problem: string): never => {
        throw new SourceFileError(file, row.line, problem, row.text);
      };
      const cell = (column: string) => (columns.includes(column) ? row.get(column) : "");
      const raw = row.get("code").replace(/\s+/g, "").toUpperCase();
      const reading = grammar.read(raw).find((r) => r.shape !== CodeShape.RANGE);
      if (!reading) {
        const why = grammar.explain(raw);
        fail(
          grammar.read(raw).length > 0
            ? `${JSON.stringify(raw)} is a range: CPT sections are not imported from this file`
            : `${JSON.stringify(row.get("code"))} is not a CPT code${why ? ` (${why})` : ""}; expected ${grammar.expected}`,
        );
      }
      const earlier = seen.get(reading!.id);
      if (earlier !== undefined) fail(`code ${reading!.code} repeats line ${earlier}`);
      seen.set(reading!.id, row.line);
      const title = row.get("title");
      if (title === "") fail("title is empty");
      const attributes: Record<string, string> = {};
      for (const [column, attribute] of [
        ["valid_from", "addDate"],
        ["valid_to", "terminationDate"],
      ] as const) {
        const value = cell(column);
        if (value === "") continue;
        if (!isIsoDate(value)) fail(`${column} ${JSON.stringify(value)} is not a date YYYY-MM-DD`);
        attributes[attribute] = value;
      }
      if (
        attributes.addDate &&
        attributes.terminationDate &&
        attributes.terminationDate < attributes.addDate
      ) {
        fail("valid_to is before valid_from");
      }
      if (columns.includes("version")) version.see(file, row);
      if (columns.includes("effective")) effective.see(file, row);
      const modifier = reading!.shape === CodeShape.MODIFIER;
      modifiers ||= modifier;
      const shortTitle = cell("short_title");
      codes.push({
        id: codeId(CodeSystemId.CPT, reading!.code),
        system: CodeSystemId.CPT,
        code: reading!.code,
        kind: modifier ? CodeKind.MODIFIER : CodeKind.PROCEDURE,
        level: CodeLevel.CODE,
        title,
        shortTitle: shortTitle === "" ? null : shortTitle,
        // Codes are reported on their own (Category II codes too, as tracking codes);
        // modifiers only with a code.
        billable: !modifier,
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
        validFrom: attributes.addDate ?? null,
        validTo: attributes.terminationDate ?? null,
        line: row.line,
      });
    },
  );
  if (codes.length === 0) throw new SourceFileError(file, 1, "the file has a header but no codes");
  const label = releaseLabel(path, options, CPT_NAMING, {
    ...(version.get() !== undefined ? { version: version.get()! } : {}),
    ...(effective.get() !== undefined ? { effective: effective.get()! } : {}),
  });
  return {
    file: path,
    format: FormatId.CPT_CSV,
    sha256,
    rows,
    snapshot: {
      system: CodeSystemId.CPT,
      ...label,
      // Codes always; modifiers only when the file lists some, so a file of codes alone
      // does not retire the modifiers the graph holds. Section ranges are never covered.
      covers: (node: CodeNode) =>
        node.system === CodeSystemId.CPT &&
        node.level === CodeLevel.CODE &&
        (modifiers || node.kind !== CodeKind.MODIFIER),
    },
    codes,
    annotations: [],
    edges: [],
    unresolved: [],
  };
}

/** A CSV header naming a code and a title column, and none a CPT file does not have. */
function sniffCptCsv(head: string): boolean {
  const columns = headerColumnsInHead(head);
  return (
    columns !== undefined &&
    REQUIRED.every((c) => columns.includes(c)) &&
    columns.every((c) => (COLUMNS as readonly string[]).includes(c))
  );
}

export const cptCsvParser: FormatParser = {
  format: FormatId.CPT_CSV,
  releaseOf: CodeSystemId.CPT,
  description:
    "CPT from a licensed user's CSV (code,title[,short_title,valid_from,valid_to,version,effective]); no CPT text ships with codegraph",
  sniff: (head) => sniffCptCsv(head),
  parse: parseCptCsv,
};
