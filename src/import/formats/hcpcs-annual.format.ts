import { basename } from "node:path";
import { CodeShape, codeId, grammarOf } from "../../domain/code-grammar.js";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { addDays, type IsoDate, isIsoDate } from "../../domain/dates.js";
import { type CodeNode } from "../../domain/graph.js";
import {
  hcpcsSectionCode,
  hcpcsSectionId,
  hcpcsSectionOf,
  type HcpcsSection,
} from "../../domain/hcpcs-sections.js";
import { Relation } from "../../domain/relationship.js";
import {
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseCode,
  type ReleaseEdge,
} from "../records.js";
import {
  headLines,
  lineProgress,
  readLegacyTextFile,
  SingleByteEncoding,
} from "../single-byte-text.js";
import { CALENDAR_YEAR_NAMING, type ReleaseLabel, releaseLabel } from "../release-label.js";
import { SourceFileError } from "../source-file-error.js";
import { UnresolvedTally } from "../unresolved-tally.js";

/**
 * The HCPCS Level II annual file (CMS `HCPCyyyy_CONTR_ANWEB.txt`): 320-character
 * fixed-width records, one or more per code or modifier. Field positions are those of
 * the record layout published with it (HCPCS2019_recordlayout.txt, "HCPCS Contractor
 * Record"), 1-based and inclusive as the layout prints them. Fields that occur several
 * times sit side by side (pricing indicator 2 × 4 = 120-127).
 *
 * Record identification (column 11): 3 = first line of a procedure (code) record, 4 = a
 * further line of its long description, 7 = first line of a modifier record, 8 = a further
 * line of a modifier's long description. Only first lines carry columns 92-320; a
 * continuation line carries the code, sequence, record id and 80 more characters of the
 * long description. Modifiers sit in columns 4-5 with columns 1-3 blank.
 *
 * Encoding: the 2019 file's records are plain ASCII; its only other bytes are 0xA0
 * (no-break space) in the disclaimer lines above the first record. CMS produces the file
 * on Windows, so it is read as Windows-1252, which agrees with ISO-8859-1 on every printable
 * character and also turns a stray 0x92 into ’ rather than a control code. Both are one
 * byte per character, so columns are byte positions.
 */
const LAYOUT = {
  code: [1, 5],
  modifierFiller: [1, 3],
  modifier: [4, 5],
  sequence: [6, 10],
  recordId: [11, 11],
  longDescription: [12, 91],
  shortDescription: [92, 119],
  pricingIndicator: [120, 127],
  multiplePricingIndicator: [128, 128],
  cimReference: [129, 146],
  mcmReference: [147, 170],
  statute: [171, 180],
  labCertification: [181, 204],
  crossReference: [205, 229],
  coverage: [230, 230],
  ascPaymentGroup: [231, 232],
  ascEffectiveDate: [233, 240],
  mogPaymentGroup: [241, 243],
  mogPaymentPolicyIndicator: [244, 244],
  mogEffectiveDate: [245, 252],
  processingNote: [253, 256],
  betos: [257, 259],
  typeOfService: [261, 265],
  anesthesiaBaseUnits: [266, 268],
  addDate: [269, 276],
  actionEffectiveDate: [277, 284],
  terminationDate: [285, 292],
  actionCode: [293, 293],
} as const satisfies Record<string, readonly [number, number]>;

type Field = keyof typeof LAYOUT;

const HCPCS_RECORD_LENGTH = 320;
/** Where continuation records must be blank: everything after the long description. */
const DETAIL_START = LAYOUT.shortDescription[0];

/** Record identification codes of column 11. */
enum RecordId {
  PROCEDURE = "3",
  PROCEDURE_CONTINUATION = "4",
  MODIFIER = "7",
  MODIFIER_CONTINUATION = "8",
}

/** What a record starts with: a code or blank-padded modifier, a 5-digit sequence, a record id. */
const RECORD_START = /^[A-Z0-9 ]{5}[0-9]{5}[3478]/;

/** Action codes of column 293, from the layout. */
const HCPCS_ACTION_CODES: Readonly<Record<string, string>> = {
  A: "Add procedure or modifier code",
  B: "Change in both administrative data field and long description",
  C: "Change in long description",
  D: "Discontinue procedure or modifier code",
  F: "Change in administrative data field",
  N: "No maintenance for this code",
  P: "Payment change",
  R: "Re-activate discontinued/deleted procedure or modifier code",
  S: "Change in short description",
  T: "Miscellaneous change (BETOS, type of service)",
};

/** Repeated fields and the width of one occurrence: their values are joined with commas. */
const REPEATED: Partial<Record<Field, number>> = {
  pricingIndicator: 2,
  cimReference: 6,
  mcmReference: 8,
  labCertification: 3,
  crossReference: 5,
  typeOfService: 1,
};

/** Date fields (YYYYMMDD in the file, ISO in attributes). */
const DATE_FIELDS = [
  "addDate",
  "actionEffectiveDate",
  "terminationDate",
  "ascEffectiveDate",
  "mogEffectiveDate",
] as const satisfies readonly Field[];

/**
 * Fields kept as node attributes, by attribute name. The merge may use `terminationDate`
 * (the last day the code may be reported) and `addDate` as the code's validity.
 */
const ATTRIBUTE_FIELDS = [
  "addDate",
  "actionEffectiveDate",
  "terminationDate",
  "actionCode",
  "betos",
  "coverage",
  "typeOfService",
  "pricingIndicator",
  "multiplePricingIndicator",
  "crossReference",
  "cimReference",
  "mcmReference",
  "statute",
  "labCertification",
  "ascPaymentGroup",
  "ascEffectiveDate",
  "mogPaymentGroup",
  "mogPaymentPolicyIndicator",
  "mogEffectiveDate",
  "processingNote",
  "anesthesiaBaseUnits",
] as const satisfies readonly Field[];

/** One 320-character record, padded when the file trimmed its trailing blanks. */
class HcpcsRecord {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    /** The record padded to its full length, which the column positions index. */
    readonly padded: string,
  ) {}

  raw(field: Field): string {
    const [from, to] = LAYOUT[field];
    return this.padded.slice(from - 1, to);
  }

  value(field: Field): string {
    return this.raw(field).trim();
  }

  /** The occurrences of a repeated field, blanks left out. */
  values(field: Field): string[] {
    const width = REPEATED[field] ?? this.raw(field).length;
    const raw = this.raw(field);
    const out: string[] = [];
    for (let at = 0; at < raw.length; at += width) {
      const one = raw.slice(at, at + width).trim();
      if (one !== "") out.push(one);
    }
    return out;
  }

  fail(problem: string): never {
    throw new SourceFileError(this.file, this.line, problem, this.text);
  }

  /** A YYYYMMDD field as an ISO date, null when blank. */
  date(field: Field): IsoDate | null {
    const raw = this.raw(field);
    if (raw.trim() === "") return null;
    const iso = /^[0-9]{8}$/.test(raw)
      ? `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`
      : "";
    if (!isIsoDate(iso)) {
      const [from, to] = LAYOUT[field];
      this.fail(
        `${field} (columns ${from}-${to}) must be a date YYYYMMDD or blank, found ${JSON.stringify(raw)}`,
      );
    }
    return iso;
  }
}

/** A code or modifier with its first record and the long-description lines read so far. */
interface Entry {
  readonly record: HcpcsRecord;
  readonly code: string;
  readonly modifier: boolean;
  readonly descriptionLines: string[];
  lastSequence: number;
}

/** Checks the parts every record shares and returns it padded to 320 characters. */
function readRecord(file: string, line: number, text: string): HcpcsRecord {
  if (text.length > HCPCS_RECORD_LENGTH) {
    throw new SourceFileError(
      file,
      line,
      `an HCPCS record has ${HCPCS_RECORD_LENGTH} characters; this line has ${text.length}`,
      text,
    );
  }
  // The 2019 file has one continuation record (G8891, line 4461) cut to 316 characters:
  // only trailing blanks can be missing, and the field checks below catch anything more.
  const record = new HcpcsRecord(file, line, text, text.padEnd(HCPCS_RECORD_LENGTH, " "));
  if (!RECORD_START.test(record.padded)) {
    record.fail(
      "not an HCPCS record: expected a code (columns 1-5), a 5-digit sequence number (6-10) and a record id 3, 4, 7 or 8 (11)",
    );
  }
  if ([...text].some((c) => c.charCodeAt(0) < 0x20)) {
    record.fail("an HCPCS record holds no tabs or other control characters");
  }
  return record;
}

/** The canonical code of a record: a Level II code for record ids 3/4, a modifier for 7/8. */
function recordCode(record: HcpcsRecord, modifier: boolean): string {
  const grammar = grammarOf(CodeSystemId.HCPCS);
  if (modifier) {
    if (record.raw("modifierFiller").trim() !== "") {
      record.fail(
        `a modifier record has columns 1-3 blank and the modifier in 4-5, found ${JSON.stringify(record.raw("code"))}`,
      );
    }
    const raw = record.raw("modifier");
    if (!grammar.read(raw).some((r) => r.shape === CodeShape.MODIFIER)) {
      record.fail(
        `${JSON.stringify(raw)} (columns 4-5) is not an HCPCS Level II modifier: two letters or digits with at least one letter`,
      );
    }
    return raw;
  }
  const raw = record.raw("code");
  if (!grammar.read(raw).some((r) => r.shape === CodeShape.CODE)) {
    record.fail(
      `${JSON.stringify(raw)} (columns 1-5) is not an HCPCS Level II code: a letter A-V and four digits`,
    );
  }
  return raw;
}

/** Checks a first record's details: dates, action code. */
function checkDetails(record: HcpcsRecord): void {
  for (const field of DATE_FIELDS) record.date(field);
  const action = record.raw("actionCode");
  if (!(action in HCPCS_ACTION_CODES)) {
    record.fail(
      `the action code (column 293) must be one of ${Object.keys(HCPCS_ACTION_CODES).join(", ")}, found ${JSON.stringify(action)}`,
    );
  }
  if (record.value("longDescription") === "")
    record.fail("the long description (columns 12-91) is empty");
}

/** Attributes of a code from its first record: only fields the record fills. */
function attributesOf(record: HcpcsRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of ATTRIBUTE_FIELDS) {
    if ((DATE_FIELDS as readonly Field[]).includes(field)) {
      const date = record.date(field);
      if (date) out[field] = date;
    } else if (field in REPEATED) {
      const values = record.values(field);
      if (values.length > 0) out[field] = values.join(",");
    } else {
      const value = record.value(field);
      if (value !== "") out[field] = value;
    }
  }
  return out;
}

/**
 * What a cross-reference names, when it is a code: a Level II code or modifier of HCPCS,
 * or a CPT code (HCPCS Level I). CMS cross-references a deleted Level II code to whichever
 * code replaced it, and since 2019 that is often a CPT code (C8904 → 77046).
 */
function xrefTarget(xref: string, modifier: boolean): string | undefined {
  const hcpcs = grammarOf(CodeSystemId.HCPCS).read(xref);
  const wanted = modifier ? CodeShape.MODIFIER : CodeShape.CODE;
  const level2 = hcpcs.find((r) => r.shape === wanted);
  if (level2) return level2.id;
  if (modifier) return undefined;
  return grammarOf(CodeSystemId.CPT)
    .read(xref)
    .find((r) => r.shape === CodeShape.CODE)?.id;
}

export const OUTSIDE_SECTIONS_REASON =
  "code outside every HCPCS Level II section (no parent stated)";
export const SKIPPED_BEFORE_RECORDS_REASON =
  "lines before the first record, skipped as the disclaimer";
export const XREF_NOT_A_CODE_REASON = "cross-reference of a terminated code is not a code";

async function parseHcpcsAnnual(path: string, options: ParseOptions): Promise<ParsedFile> {
  const label = releaseLabel(path, options, CALENDAR_YEAR_NAMING);
  const file = basename(path);
  const { sha256, totalBytes, lines } = await readLegacyTextFile(
    path,
    SingleByteEncoding.WINDOWS_1252,
  );
  const progress = lineProgress(options, totalBytes, lines.length);

  const entries: Entry[] = [];
  const seen = new Map<string, number>();
  const skipped = new UnresolvedTally();
  let current: Entry | undefined;
  let rows = 0;
  lines.forEach((text, index) => {
    const line = index + 1;
    progress(index, rows);
    if (text.trim() === "") return;
    // Lines before the first record are the disclaimer: free text, never 320 characters.
    // Anything 320 characters long, or starting as a record does, is read as a record, so
    // a broken first record fails. What is skipped is counted and reported with its text:
    // a first record damaged beyond both tests shows there rather than vanish.
    if (rows === 0 && !RECORD_START.test(text) && text.length !== HCPCS_RECORD_LENGTH) {
      skipped.add(
        SKIPPED_BEFORE_RECORDS_REASON,
        JSON.stringify(text.trim().slice(0, 60).trimEnd()),
        line,
      );
      return;
    }
    // Typed so that `record.fail(...)`, which never returns, narrows what follows.
    const record: HcpcsRecord = readRecord(file, line, text);
    rows++;
    const id = record.raw("recordId") as RecordId;
    const modifier = id === RecordId.MODIFIER || id === RecordId.MODIFIER_CONTINUATION;
    const code = recordCode(record, modifier);
    const sequence = Number(record.raw("sequence"));

    if (id === RecordId.PROCEDURE || id === RecordId.MODIFIER) {
      const key = `${modifier ? "modifier" : "code"} ${code}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) record.fail(`${key} repeats the record on line ${earlier}`);
      seen.set(key, line);
      checkDetails(record);
      current = {
        record,
        code,
        modifier,
        descriptionLines: [record.value("longDescription")],
        lastSequence: sequence,
      };
      entries.push(current);
      return;
    }
    if (!current || current.code !== code || current.modifier !== modifier) {
      record.fail(
        `a continuation record (id ${id}) must follow the first record of ${modifier ? "modifier" : "code"} ${code}`,
      );
    }
    if (sequence <= current.lastSequence) {
      record.fail(
        `sequence number ${record.raw("sequence")} does not follow ${current.lastSequence} of ${code}`,
      );
    }
    if (record.padded.slice(DETAIL_START - 1).trim() !== "") {
      record.fail(`a continuation record has nothing after column ${DETAIL_START - 1}`);
    }
    current.lastSequence = sequence;
    const more = record.value("longDescription");
    if (more !== "") current.descriptionLines.push(more);
  });
  progress(lines.length, rows, true);
  if (entries.length === 0) {
    throw new SourceFileError(
      file,
      lines.length,
      "no HCPCS records: expected 320-character records after the disclaimer",
    );
  }
  return assemble(path, sha256, rows, label, entries, skipped);
}

/** Turns the records into codes, sections and REPLACES edges. */
function assemble(
  path: string,
  sha256: string,
  rows: number,
  label: ReleaseLabel,
  entries: readonly Entry[],
  unresolved: UnresolvedTally,
): ParsedFile {
  const sections = new Map<HcpcsSection, number>();
  const codes: ReleaseCode[] = [];
  const edges: ReleaseEdge[] = [];
  const source = `HCPCS ${label.version} cross-reference`;

  for (const entry of entries) {
    const { record, code, modifier } = entry;
    let parent: string | undefined;
    if (!modifier) {
      const section = hcpcsSectionOf(code);
      if (section) {
        parent = hcpcsSectionId(section);
        if (!sections.has(section)) sections.set(section, record.line);
      } else {
        unresolved.add(OUTSIDE_SECTIONS_REASON, `${record.line}: ${code}`);
      }
    }
    const shortTitle = record.value("shortDescription");
    codes.push({
      id: codeId(CodeSystemId.HCPCS, code),
      system: CodeSystemId.HCPCS,
      code,
      kind: modifier ? CodeKind.MODIFIER : CodeKind.SUPPLY_OR_SERVICE,
      level: CodeLevel.CODE,
      // Descriptions are split between records at word boundaries, trailing blanks padded.
      title: entry.descriptionLines.join(" "),
      shortTitle: shortTitle === "" ? null : shortTitle,
      // A Level II code is reported on its own, a modifier only with a code (as in the seed).
      billable: !modifier,
      attributes: attributesOf(record),
      ...(parent !== undefined ? { parent } : {}),
      // The record's own dates: when the code was added and the last day it may be reported.
      validFrom: record.date("addDate"),
      validTo: record.date("terminationDate"),
      line: record.line,
    });

    const terminated = record.date("terminationDate");
    if (!terminated) continue;
    // The first day the cross-referenced code is to be used instead: the day after the
    // termination date (in the 2019 file it equals the action effective date for every
    // one of the 515 terminated records).
    const effective = addDays(terminated, 1);
    for (const xref of record.values("crossReference")) {
      const target = xrefTarget(xref, modifier);
      if (!target) {
        unresolved.add(XREF_NOT_A_CODE_REASON, `${record.line}: ${code} → ${JSON.stringify(xref)}`);
        continue;
      }
      const old = codeId(CodeSystemId.HCPCS, code);
      if (target === old) continue;
      edges.push({
        relation: Relation.REPLACES,
        from: target,
        to: old,
        effective,
        source,
        validFrom: null,
        validTo: null,
        line: record.line,
      });
    }
  }

  const sectionCodes: ReleaseCode[] = [...sections].map(([section, line]) => ({
    id: hcpcsSectionId(section),
    system: CodeSystemId.HCPCS,
    code: hcpcsSectionCode(section),
    kind: CodeKind.SUPPLY_OR_SERVICE,
    level: CodeLevel.CHAPTER,
    derived: true,
    title: section.title,
    shortTitle: null,
    billable: false,
    parent: null,
    line,
  }));

  return {
    file: path,
    format: FormatId.HCPCS_ANNUAL,
    sha256,
    rows,
    snapshot: {
      system: CodeSystemId.HCPCS,
      ...label,
      // The file lists every Level II code and modifier, not the sections (which come
      // from src/domain): a section the file does not use is not retired.
      covers: (node: CodeNode) =>
        node.system === CodeSystemId.HCPCS && node.level === CodeLevel.CODE,
    },
    codes: [...sectionCodes, ...codes],
    annotations: [],
    edges,
    unresolved: unresolved.list(),
  };
}

/** Whether a head holds HCPCS annual records: at least one full-length record. */
function sniffHcpcsAnnual(head: string): boolean {
  return headLines(head).some((l) => l.length === HCPCS_RECORD_LENGTH && RECORD_START.test(l));
}

export const hcpcsAnnualParser: FormatParser = {
  format: FormatId.HCPCS_ANNUAL,
  releaseOf: CodeSystemId.HCPCS,
  description:
    "HCPCS Level II annual file (CMS HCPCyyyy_CONTR_ANWEB.txt, 320-character records): codes, modifiers, sections, cross-references of terminated codes",
  sniff: (head) => sniffHcpcsAnnual(head),
  parse: parseHcpcsAnnual,
};
