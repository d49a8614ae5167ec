import { basename } from "node:path";
import { CodeShape, codeId, grammarOf } from "../../domain/code-grammar.js";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { fiscalYearStart } from "../../domain/dates.js";
import { type CodeNode } from "../../domain/graph.js";
import {
  type Icd9Chapter,
  icd9ChapterCode,
  icd9ChapterId,
  icd9ChapterOf,
} from "../../domain/icd9-chapters.js";
import {
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseCode,
} from "../records.js";
import {
  headLines,
  lineProgress,
  readLegacyTextFile,
  SingleByteEncoding,
} from "../single-byte-text.js";
import { type ReleaseNaming, releaseLabel } from "../release-label.js";
import { SourceFileError } from "../source-file-error.js";

/**
 * The ICD-9-CM title files of CMS (`CMS32_DESC_LONG_DX.txt`, `CMS32_DESC_LONG_SG.txt`,
 * version 32 = FY2015, the last): one reportable code per line, without its dot, padded
 * with spaces to 5 (diagnoses) or 4 (procedures) characters, a space, then the long title.
 * ISO-8859-1 ("Ménière's disease" is 0xE9), LF line ends.
 *
 * The files list only reportable codes: no chapters, categories or subcategories. The
 * parser adds the chapters from src/domain/icd9-chapters.ts and states each code's parent
 * as its chapter, the nearest header the file lets us derive honestly; category titles
 * (250 "Diabetes mellitus") are not in these files and are not invented here.
 */

interface Scope {
  readonly format: FormatId;
  readonly kind: CodeKind.DIAGNOSIS | CodeKind.PROCEDURE;
  /** Width the file pads codes to; the title starts one column after. */
  readonly codeWidth: number;
  readonly label: string;
}

const DIAGNOSES: Scope = {
  format: FormatId.ICD9CM_DIAGNOSIS_TITLES,
  kind: CodeKind.DIAGNOSIS,
  codeWidth: 5,
  label: "diagnosis",
};
const PROCEDURES: Scope = {
  format: FormatId.ICD9CM_PROCEDURE_TITLES,
  kind: CodeKind.PROCEDURE,
  codeWidth: 4,
  label: "procedure",
};

/**
 * "v32" and 2014-10-01 from `CMS32_DESC_LONG_DX.txt`: CMS numbers ICD-9-CM releases from
 * v1 = FY1984, so version n takes effect at the start of fiscal year 1983 + n.
 */
const ICD9_NAMING: ReleaseNaming = {
  what: "ICD-9-CM release",
  fromName: (name) => {
    const number = /CMS([0-9]{2})_/i.exec(name)?.[1];
    return number === undefined ? undefined : `v${Number(number)}`;
  },
  effectiveOf: (version) => {
    const number = /^v([0-9]{1,2})$/i.exec(version)?.[1];
    return number === undefined ? undefined : fiscalYearStart(1983 + Number(number));
  },
  example: "--version v32",
};

/** The canonical code for an undotted code of the file's kind, or undefined. */
function readCode(raw: string, kind: CodeKind): string | undefined {
  return grammarOf(CodeSystemId.ICD9CM)
    .read(raw.toUpperCase())
    .find((r) => r.shape === CodeShape.CODE && r.kind === kind)?.code;
}

async function parseTitles(path: string, options: ParseOptions, scope: Scope): Promise<ParsedFile> {
  const label = releaseLabel(path, options, ICD9_NAMING);
  const file = basename(path);
  const { sha256, totalBytes, lines } = await readLegacyTextFile(path, SingleByteEncoding.LATIN1);
  const progress = lineProgress(options, totalBytes, lines.length);

  const codes: ReleaseCode[] = [];
  const chapters = new Map<Icd9Chapter, number>();
  const seen = new Map<string, number>();
  lines.forEach((text, index) => {
    const line = index + 1;
    progress(index, codes.length);
    if (text.trim() === "") return;
    const fail = (problem: string): never => {
      throw new SourceFileError(file, line, problem, text);
    };
    const split = splitLine(text, scope);
    if (!split) {
      fail(
        `expected the code padded with spaces to ${scope.codeWidth} characters, one space, then the title (title from column ${scope.codeWidth + 2})`,
      );
    }
    const { raw, title } = split!;
    const code = readCode(raw, scope.kind);
    if (!code) {
      fail(
        `${JSON.stringify(raw)} is not an undotted ICD-9-CM ${scope.label} code (${scope.kind === CodeKind.DIAGNOSIS ? "3-5 digits, V and 2-4 digits, or E and 3-4 digits" : "3-4 digits"})`,
      );
    }
    const chapter = icd9ChapterOf(code!, scope.kind);
    if (!chapter) fail(`${code} is outside every ICD-9-CM ${scope.label} chapter`);
    const earlier = seen.get(code!);
    if (earlier !== undefined) fail(`code ${code} repeats line ${earlier}`);
    seen.set(code!, line);
    if (!chapters.has(chapter!)) chapters.set(chapter!, line);
    codes.push({
      id: codeId(CodeSystemId.ICD9CM, code!),
      system: CodeSystemId.ICD9CM,
      code: code!,
      kind: scope.kind,
      level: CodeLevel.CODE,
      title,
      shortTitle: null,
      // These files list reportable codes only.
      billable: true,
      parent: icd9ChapterId(chapter!),
      line,
    });
  });
  progress(lines.length, codes.length, true);
  if (codes.length === 0)
    throw new SourceFileError(file, 1, `the file holds no ICD-9-CM ${scope.label} titles`);

  const chapterCodes: ReleaseCode[] = [...chapters].map(([chapter, line]) => ({
    id: icd9ChapterId(chapter),
    system: CodeSystemId.ICD9CM,
    code: icd9ChapterCode(chapter),
    kind: chapter.kind,
    level: CodeLevel.CHAPTER,
    derived: true,
    title: chapter.title,
    shortTitle: null,
    billable: false,
    parent: null,
    line,
  }));

  return {
    file: path,
    format: scope.format,
    sha256,
    rows: codes.length,
    snapshot: {
      system: CodeSystemId.ICD9CM,
      ...label,
      // Reportable codes of this file's kind only: importing the diagnosis file retires no
      // procedure, and headers held from elsewhere (the seed's 250, 250.0) are not retired.
      covers: (node: CodeNode) =>
        node.system === CodeSystemId.ICD9CM &&
        node.kind === scope.kind &&
        node.level === CodeLevel.CODE,
    },
    codes: [...chapterCodes, ...codes],
    annotations: [],
    edges: [],
    unresolved: [],
  };
}

/**
 * The code and title of a line in the file's layout: the code padded to the scope's
 * width, one space, the title. Diagnoses pad to 5 and procedures to 4, so the layout alone
 * tells the two files apart ("0010  Cholera ..." is a diagnosis line, "0010 Implantation
 * ..." a procedure line).
 */
function splitLine(text: string, scope: Scope): { raw: string; title: string } | undefined {
  const raw = text.slice(0, scope.codeWidth);
  if (
    !/^[0-9A-Za-z]+ *$/.test(raw) ||
    text[scope.codeWidth] !== " " ||
    !/^\S/.test(text.slice(scope.codeWidth + 1))
  ) {
    return undefined;
  }
  return { raw: raw.trimEnd(), title: text.slice(scope.codeWidth + 1).trimEnd() };
}

/**
 * Whether a head is an ICD-9-CM title file of the scope: lines in the scope's layout, with
 * a code of the scope's kind inside one of its chapters and a title with a lower-case
 * letter (GEM rows have none). ICD-10 order files, whose order number could pass for a
 * diagnosis code, are recognised by the code column and 0/1 flag after it. Nine lines in
 * ten must fit.
 */
function sniffTitles(head: string, scope: Scope): boolean {
  const lines = headLines(head).filter((l) => l.trim() !== "");
  const fits = lines.filter((text) => {
    const split = splitLine(text, scope);
    if (!split || !/[a-z]/.test(split.title) || /^[0-9A-Z]{3,7}\s+[01]\s/.test(split.title))
      return false;
    const code = readCode(split.raw, scope.kind);
    return code !== undefined && icd9ChapterOf(code, scope.kind) !== undefined;
  });
  // A damaged line or two still leave the file recognised, so that parsing can name them.
  return lines.length > 0 && fits.length >= lines.length * 0.9;
}

export const icd9cmDiagnosisTitlesParser: FormatParser = {
  format: FormatId.ICD9CM_DIAGNOSIS_TITLES,
  releaseOf: CodeSystemId.ICD9CM,
  description:
    "ICD-9-CM diagnosis titles (CMS CMSnn_DESC_LONG_DX.txt, ISO-8859-1): reportable diagnosis codes with their chapters",
  sniff: (head) => sniffTitles(head, DIAGNOSES),
  parse: (path, options) => parseTitles(path, options, DIAGNOSES),
};

export const icd9cmProcedureTitlesParser: FormatParser = {
  format: FormatId.ICD9CM_PROCEDURE_TITLES,
  releaseOf: CodeSystemId.ICD9CM,
  description:
    "ICD-9-CM procedure titles (CMS CMSnn_DESC_LONG_SG.txt, ISO-8859-1): reportable procedure codes with their chapters",
  sniff: (head) => sniffTitles(head, PROCEDURES),
  parse: (path, options) => parseTitles(path, options, PROCEDURES),
};
