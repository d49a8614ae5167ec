import { basename } from "node:path";
import { codeId, grammarOf } from "../../domain/code-grammar.js";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { type CodeNode } from "../../domain/graph.js";
import { readLines } from "../line-reader.js";
import { FISCAL_YEAR_NAMING, releaseLabel } from "../release-label.js";
import { headLines } from "../single-byte-text.js";
import {
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseCode,
} from "../records.js";
import { SourceFileError } from "../source-file-error.js";

/**
 * The CMS order files of ICD-10-CM and ICD-10-PCS share one fixed-width layout:
 *
 *   col 0-4   order number (5 digits)
 *   col 6-12  code without its dot, left-aligned, space-padded to 7
 *   col 14    valid flag: 1 billable / valid code, 0 header
 *   col 16-75 short title, space-padded to 60
 *   col 77-   long title to the end of the line
 *
 * with single spaces between the fields and CRLF line ends.
 */
const ORDER_LINE = /^\d{5} [0-9A-Z]{1,7} *[01] /;
const MIN_LINE_LENGTH = 78;

/**
 * Official ICD-10-PCS section titles. The order file has no section rows; its table
 * titles outside section 0 begin with these words ("Imaging, Heart, Fluoroscopy"), which
 * the full-release test checks for every table.
 */
export const PCS_SECTION_TITLES: Readonly<Record<string, string>> = {
  "0": "Medical and Surgical",
  "1": "Obstetrics",
  "2": "Placement",
  "3": "Administration",
  "4": "Measurement and Monitoring",
  "5": "Extracorporeal or Systemic Assistance and Performance",
  "6": "Extracorporeal or Systemic Therapies",
  "7": "Osteopathic",
  "8": "Other Procedures",
  "9": "Chiropractic",
  B: "Imaging",
  C: "Nuclear Medicine",
  D: "Radiation Therapy",
  F: "Physical Rehabilitation and Diagnostic Audiology",
  G: "Mental Health",
  H: "Substance Abuse Treatment",
  X: "New Technology",
};

/** PCS's own value for the body-system character of sections that have none (GZ, HZ). */
const PCS_NO_BODY_SYSTEM = "None";

interface OrderRow {
  readonly line: number;
  /** Columns 1-5: 1, 2, 3 … in file order. */
  readonly order: number;
  readonly undotted: string;
  readonly billable: boolean;
  readonly shortTitle: string;
  readonly title: string;
}

/** One line of an order file, checked field by field so a broken line names its fault. */
function parseOrderLine(file: string, text: string, line: number): OrderRow {
  const fail = (problem: string): never => {
    throw new SourceFileError(file, line, problem, text);
  };
  if (text.length < MIN_LINE_LENGTH) {
    fail(
      `an order-file line has at least ${MIN_LINE_LENGTH} characters (5-digit order number, code, flag, 60-character short title, long title); this one has ${text.length}`,
    );
  }
  if (!/^\d{5}$/.test(text.slice(0, 5))) fail("columns 1-5 must hold the 5-digit order number");
  if (text[5] !== " " || text[13] !== " " || text[15] !== " " || text[76] !== " ") {
    fail("fields must be separated by single spaces at columns 6, 14, 16 and 77");
  }
  const undotted = text.slice(6, 13).trimEnd();
  if (!/^[0-9A-Z]+$/.test(undotted))
    fail(
      `columns 7-13 must hold a code without its dot, found ${JSON.stringify(text.slice(6, 13))}`,
    );
  const flag = text[14];
  if (flag !== "0" && flag !== "1")
    fail(`column 15 must hold the valid flag 0 or 1, found ${JSON.stringify(flag)}`);
  const shortTitle = text.slice(16, 76).trimEnd();
  const title = text.slice(77).trim();
  if (shortTitle === "") fail("the short title (columns 17-76) is empty");
  if (title === "") fail("the long title (from column 78) is empty");
  return {
    line,
    order: Number(text.slice(0, 5)),
    undotted,
    billable: flag === "1",
    shortTitle,
    title,
  };
}

/** Reads an order file's rows, rejecting malformed lines, codes of another system and repeats. */
async function readOrderFile(
  path: string,
  system: CodeSystemId,
  options: ParseOptions,
): Promise<{ rows: OrderRow[]; sha256: string }> {
  const file = basename(path);
  const grammar = grammarOf(system);
  const rows: OrderRow[] = [];
  const seen = new Map<string, number>();
  const { sha256 } = await readLines(
    path,
    (text, line) => {
      if (text.trim() === "") return false;
      // The order files are plain ASCII. Bytes that are not (a copy re-saved in another
      // encoding, a damaged download) would otherwise be read as U+FFFD or as some
      // other letter and land in a title unnoticed.
      const foreign = NON_ASCII.exec(text);
      if (foreign) {
        throw new SourceFileError(
          file,
          line,
          `column ${foreign.index + 1} holds ${describeCharacter(foreign[0])}: an order file is plain ASCII text`,
          text,
        );
      }
      const row = parseOrderLine(file, text, line);
      if (canonicalCode(system, row.undotted) === null) {
        throw new SourceFileError(
          file,
          line,
          `${JSON.stringify(row.undotted)} is not an ${grammar.label} code (${grammar.expected})`,
          text,
        );
      }
      const flagProblem = flagMismatch(system, row);
      if (flagProblem) throw new SourceFileError(file, line, flagProblem, text);
      const earlier = seen.get(row.undotted);
      if (earlier !== undefined)
        throw new SourceFileError(file, line, `code ${row.undotted} repeats line ${earlier}`, text);
      seen.set(row.undotted, line);
      // The order numbers run 1, 2, 3 … (equal to the line numbers in every official
      // file): a line lost from the middle would otherwise retire its code unnoticed.
      const expected = rows.length + 1;
      if (row.order !== expected) {
        const previous = String(expected - 1).padStart(5, "0");
        const found = text.slice(0, 5);
        throw new SourceFileError(
          file,
          line,
          `${rows.length === 0 ? `the first order number is ${found}, not 00001` : `order number ${found} follows ${previous}`}: order numbers run 1, 2, 3 … with no gap, so a line is missing before this one`,
          text,
        );
      }
      rows.push(row);
      return true;
    },
    { encoding: "utf8", ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
  );
  return { rows, sha256 };
}

const NON_ASCII = /[^\t\x20-\x7e]/;

/** A character as an error message names it: U+FFFD is what a byte that is not UTF-8 reads as. */
function describeCharacter(c: string): string {
  const hex = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return c === "\ufffd" ? `a byte that is not text (${hex})` : `${JSON.stringify(c)} (${hex})`;
}

/**
 * Why a row's valid flag cannot go with its code's length, or undefined. A seven-character
 * code is always a leaf, so it is billable (CM) or a valid procedure (PCS); a PCS
 * three-character table is never one. A wrong flag would make a header billable, or a
 * billable code a header, with no other sign.
 */
function flagMismatch(system: CodeSystemId, row: OrderRow): string | undefined {
  const length = row.undotted.length;
  if (length === 7 && !row.billable) {
    return `a seven-character ${system === CodeSystemId.ICD10PCS ? "ICD-10-PCS" : "ICD-10-CM"} code is always valid: its flag (column 15) must be 1, not 0`;
  }
  if (system === CodeSystemId.ICD10PCS && length === 3 && row.billable) {
    return "an ICD-10-PCS table (three characters) is a header: its flag (column 15) must be 0, not 1";
  }
  return undefined;
}

/** The shape of an ICD-10-CM order-file code (QA0 since FY2026: a letter may come second). */
const CM_ORDER_CODE = /^[A-Z][0-9A-Z]{2,6}$/;

/**
 * The canonical code for an order-file code (E119 → E11.9), or null when it cannot be
 * one. Order files hold CM codes of 3 to 7 characters, PCS tables (3) and codes (7) only.
 */
function canonicalCode(system: CodeSystemId, undotted: string): string | null {
  const lengthFits =
    system === CodeSystemId.ICD10PCS
      ? undotted.length === 3 || undotted.length === 7
      : undotted.length >= 3;
  if (!lengthFits) return null;
  return grammarOf(system).read(undotted)[0]?.code ?? null;
}

/** Order-file lines read as codes: what sniffing looks at. */
function orderCodesInHead(head: string): string[] | null {
  const complete = headLines(head).filter((l) => l.trim() !== "");
  if (
    complete.length === 0 ||
    !complete.every((l) => ORDER_LINE.test(l) && l.length >= MIN_LINE_LENGTH)
  )
    return null;
  return complete.map((l) => l.slice(6, 13).trimEnd());
}

/**
 * Which system an order file's head belongs to. ICD-10-CM codes begin with a letter and
 * come in every length from 3 to 7; PCS files hold only 3-character tables and
 * 7-character codes, mostly beginning with a digit. The file name settles a head that
 * could be either (a few lines of 3- and 7-character letter codes).
 */
function orderSystem(head: string, fileName: string): CodeSystemId | null {
  const codes = orderCodesInHead(head);
  if (!codes) return null;
  const pcsLike = codes.every(
    (c) =>
      (c.length === 3 || c.length === 7) && grammarOf(CodeSystemId.ICD10PCS).read(c).length > 0,
  );
  const cmLike = codes.every((c) => CM_ORDER_CODE.test(c));
  if (pcsLike && !cmLike) return CodeSystemId.ICD10PCS;
  if (cmLike && !pcsLike) return CodeSystemId.ICD10CM;
  if (!pcsLike && !cmLike) return null;
  if (/pcs/i.test(fileName)) return CodeSystemId.ICD10PCS;
  if (/cm/i.test(fileName)) return CodeSystemId.ICD10CM;
  return null;
}

// ── ICD-10-CM ──────────────────────────────────────────────────────────────────────

/** Levels the order file speaks for: chapters and blocks come from the tabular list. */
const CM_ORDER_LEVELS: ReadonlySet<CodeLevel> = new Set([
  CodeLevel.CATEGORY,
  CodeLevel.SUBCATEGORY,
  CodeLevel.CODE,
]);

function cmLevel(undotted: string, billable: boolean): CodeLevel {
  // A 3-character code stays a category even when billable (I10, R99).
  if (undotted.length === 3) return CodeLevel.CATEGORY;
  return billable ? CodeLevel.CODE : CodeLevel.SUBCATEGORY;
}

async function parseCmOrder(path: string, options: ParseOptions): Promise<ParsedFile> {
  const label = releaseLabel(path, options, FISCAL_YEAR_NAMING);
  const { rows, sha256 } = await readOrderFile(path, CodeSystemId.ICD10CM, options);
  const codes: ReleaseCode[] = rows.map((row) => {
    const code = canonicalCode(CodeSystemId.ICD10CM, row.undotted)!;
    return {
      id: codeId(CodeSystemId.ICD10CM, code),
      system: CodeSystemId.ICD10CM,
      code,
      kind: CodeKind.DIAGNOSIS,
      level: cmLevel(row.undotted, row.billable),
      title: row.title,
      shortTitle: row.shortTitle,
      billable: row.billable,
      line: row.line,
    };
  });
  return {
    file: path,
    format: FormatId.ICD10CM_ORDER,
    sha256,
    rows: rows.length,
    snapshot: {
      system: CodeSystemId.ICD10CM,
      ...label,
      covers: (node: CodeNode) =>
        node.system === CodeSystemId.ICD10CM && CM_ORDER_LEVELS.has(node.level),
    },
    codes,
    annotations: [],
    edges: [],
    unresolved: [],
  };
}

export const icd10cmOrderParser: FormatParser = {
  format: FormatId.ICD10CM_ORDER,
  releaseOf: CodeSystemId.ICD10CM,
  description: "ICD-10-CM order file (CMS icd10cm_order_YYYY.txt): codes and headers with titles",
  sniff: (head, fileName) => orderSystem(head, fileName) === CodeSystemId.ICD10CM,
  parse: parseCmOrder,
};

// ── ICD-10-PCS ─────────────────────────────────────────────────────────────────────

/**
 * The body system a table belongs to, from its title "[Section, ]Body System, Operation":
 * the part before the last comma ("Central Nervous System and Cranial Nerves, Bypass"),
 * without the section's name that tables outside section 0 begin with ("Imaging, Heart,
 * Fluoroscopy" → "Heart"). Body-system character Z is PCS's "None" (Mental Health,
 * Substance Abuse Treatment); a title without its operation ("New Technology, Nervous
 * System") is all body system.
 */
function bodySystemOfTable(table: string, tableTitle: string): string {
  const section = table[0]!;
  if (table[1] === "Z") return PCS_NO_BODY_SYSTEM;
  const sectionTitle = PCS_SECTION_TITLES[section];
  const rest =
    section !== "0" && sectionTitle && tableTitle.startsWith(`${sectionTitle}, `)
      ? tableTitle.slice(sectionTitle.length + 2)
      : tableTitle;
  const comma = rest.lastIndexOf(", ");
  return comma < 0 ? rest : rest.slice(0, comma);
}

/** The title most of a body system's tables give it, should one table word it otherwise. */
function majority(votes: ReadonlyMap<string, number>): string {
  let best = "";
  let bestCount = -1;
  for (const [title, count] of votes) {
    if (count > bestCount || (count === bestCount && title < best)) {
      best = title;
      bestCount = count;
    }
  }
  return best;
}

async function parsePcsOrder(path: string, options: ParseOptions): Promise<ParsedFile> {
  const label = releaseLabel(path, options, FISCAL_YEAR_NAMING);
  const { rows, sha256 } = await readOrderFile(path, CodeSystemId.ICD10PCS, options);
  const file = basename(path);
  const node = (
    code: string,
    level: CodeLevel,
    title: string,
    shortTitle: string | null,
    billable: boolean,
    line: number,
  ): ReleaseCode => ({
    id: codeId(CodeSystemId.ICD10PCS, code),
    system: CodeSystemId.ICD10PCS,
    code,
    kind: CodeKind.PROCEDURE,
    level,
    title,
    shortTitle,
    billable,
    line,
  });

  const sections = new Map<string, number>();
  const bodySystems = new Map<string, { line: number; votes: Map<string, number> }>();
  const codes: ReleaseCode[] = [];
  for (const row of rows) {
    const section = row.undotted[0]!;
    if (!sections.has(section)) sections.set(section, row.line);
    if (row.undotted.length === 3) {
      if (!PCS_SECTION_TITLES[section]) {
        throw new SourceFileError(
          file,
          row.line,
          `unknown ICD-10-PCS section ${section}`,
          row.title,
        );
      }
      const key = row.undotted.slice(0, 2);
      let entry = bodySystems.get(key);
      if (!entry) bodySystems.set(key, (entry = { line: row.line, votes: new Map() }));
      const title = bodySystemOfTable(row.undotted, row.title);
      entry.votes.set(title, (entry.votes.get(title) ?? 0) + 1);
    }
    codes.push(
      node(
        row.undotted,
        row.undotted.length === 3 ? CodeLevel.CATEGORY : CodeLevel.CODE,
        row.title,
        row.shortTitle,
        row.billable,
        row.line,
      ),
    );
  }
  const derived: ReleaseCode[] = [];
  for (const [section, line] of sections) {
    derived.push({
      ...node(section, CodeLevel.CHAPTER, PCS_SECTION_TITLES[section]!, null, false, line),
      derived: true,
    });
  }
  for (const [key, { line, votes }] of bodySystems) {
    derived.push({
      ...node(key, CodeLevel.BLOCK, majority(votes), null, false, line),
      derived: true,
    });
  }
  return {
    file: path,
    format: FormatId.ICD10PCS_ORDER,
    sha256,
    rows: rows.length,
    snapshot: {
      system: CodeSystemId.ICD10PCS,
      ...label,
      // Sections and body systems are derived from the tables, so the file speaks for every PCS node.
      covers: (n: CodeNode) => n.system === CodeSystemId.ICD10PCS,
    },
    codes: [...derived, ...codes],
    annotations: [],
    edges: [],
    unresolved: [],
  };
}

export const icd10pcsOrderParser: FormatParser = {
  format: FormatId.ICD10PCS_ORDER,
  releaseOf: CodeSystemId.ICD10PCS,
  description:
    "ICD-10-PCS order file (CMS icd10pcs_order_YYYY.txt): tables and codes, with derived sections and body systems",
  sniff: (head, fileName) => orderSystem(head, fileName) === CodeSystemId.ICD10PCS,
  parse: parsePcsOrder,
};
