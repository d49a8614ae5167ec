import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { StringDecoder } from "node:string_decoder";
import { SaxesParser } from "saxes";
import { CodeShape, codeId } from "../../domain/code-grammar.js";
import { CodeInputError, readCodeInput } from "../../domain/code-input.js";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { edgeKey } from "../../domain/graph.js";
import { ExclusionKind, PairingKind, Relation } from "../../domain/relationship.js";
import {
  BLOCK_CATEGORIES_ATTRIBUTE,
  type CodeAnnotation,
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseCode,
  type ReleaseEdge,
} from "../records.js";
import { FISCAL_YEAR_NAMING, releaseLabel } from "../release-label.js";
import { SourceFileError } from "../source-file-error.js";
import { UnresolvedTally } from "../unresolved-tally.js";

/**
 * The ICD-10-CM tabular list (XML, CDC/NCHS), read as a stream with saxes: the file is
 * 9 MB and only its structure and notes are wanted, never a DOM.
 *
 * What becomes what (a supplement: `snapshot` is null, codes come from the order files;
 * `scope` makes it a snapshot of its own notes, hierarchy, chapters and blocks, so that a
 * newer tabular closes what it no longer states):
 *
 * - `<chapter>` → a CHAPTER node `ICD10CM:A00-B99`, its range taken from the chapter's
 *   title "(A00-B99)" (else from its section index); `<section>` → a BLOCK node
 *   `ICD10CM:A00-A09`. A section of one category (`<section id="D49">`) becomes
 *   `ICD10CM:D49-D49`: `ICD10CM:D49` is the category and the two must not share an id.
 *   A block's `parent` is the smallest other section of its chapter that holds it by
 *   place in the file (the tabular has heading-only sections such as C00-C96 ⊃ C00-C75 ⊃
 *   C00-C14), else the chapter; its attribute `categories` lists its categories in file
 *   order, for the merge to place them. A chapter id that equals a block id stops the
 *   parse.
 * - Each category (a `<diag>` directly in a section) → a SUBSET_OF edge category → block.
 *   FOR THE MERGE: categories are not nodes of this file (the order files own codes), so
 *   the link is an edge, not a `parent`; its `from` end may be missing from the graph
 *   (FY2021 categories since deleted) and is then counted as unresolved by the merge.
 * - `<inclusionTerm>` and `<includes>` notes → synonyms: on the diag as a CodeAnnotation,
 *   on a chapter or block in its ReleaseCode. Both name conditions classified to the code
 *   ("uterine fibroid" under D25), which is what search should find. Left out, and
 *   counted: list headings ending in ":" and guidance prose (a sentence break: "This
 *   category is to be used when …"). A name that cites codes ("…, not classifiable to
 *   C16.1-C16.4") stays a synonym: the codes qualify the name and relate nothing.
 * - `<useAdditionalCode>`, `<codeFirst>`, `<codeAlso>` → PAIRED_WITH of that kind;
 *   `<excludes1>`, `<excludes2>` → EXCLUDES. The edge runs from the node bearing the note
 *   (a diag, or a chapter or block whose note applies to all below it) to each code the
 *   note names; `note` is the note's text, prefixed by its list heading when it is an item
 *   of a list ("code to identify control using: insulin (Z79.4)"). Notes of one node that
 *   name the same target make one edge, their texts joined by "; ".
 * - `<notes>`, `<sevenChrNote>`, `<sevenChrDef>` are counted and skipped: they explain
 *   the classification or list 7th characters, and name no related code.
 *
 * Targets are read from the note's parenthesised groups — "(Z79.4)", "(E08.-)" (a dash
 * names the category or subcategory itself), "(E10-E13)", "(Z79.4, Z79.84)", "(Chapter 20)" — and, when
 * no group names a code, from the bare text ("classified to Q87.-"), so that context
 * codes outside the parentheses ("tuberculosis, any type in A15 (J65)") are not read as
 * targets. A range that is a chapter or block id becomes an edge to that node; any other
 * range becomes edges to the topmost codes between its ends in the file's own order (the
 * tabular order, where M1A sits among M05-M14): "(N18.1-N18.6)" → N18.1 … N18.6.
 * "(E08-E13 with .44)" → E08.44 … E13.44. A rule on the characters picks the codes of its
 * span that answer it (see `CharacterRule`): "(T36-T50 with fifth or sixth character 5)" →
 * every adverse-effect code; a 7th-character rule is reported, since the tabular lists no
 * 7th-character codes. Every target is checked against the codes of the
 * file itself (a FY2021 note cannot name a later code), so each edge's `to` is a code of
 * this release; whatever cannot be turned into an edge is counted by reason with
 * examples in `unresolved`.
 */

const ROOT = "ICD10CM.tabular";
const SOURCE = "ICD-10-CM tabular";

/** Note containers of the tabular, by element name. */
export type TabularNoteKind =
  | "includes"
  | "inclusionTerm"
  | "excludes1"
  | "excludes2"
  | "useAdditionalCode"
  | "codeFirst"
  | "codeAlso"
  | "notes"
  | "sevenChrNote";

const NOTE_KINDS: readonly TabularNoteKind[] = [
  "includes",
  "inclusionTerm",
  "excludes1",
  "excludes2",
  "useAdditionalCode",
  "codeFirst",
  "codeAlso",
  "notes",
  "sevenChrNote",
];

/**
 * Elements of the tabular's layout that carry no code relationship and are read past:
 * the introduction, section indexes, 7th-character definitions, the visual impairment
 * table. Any element neither here, nor a note container, nor handled by name is unknown.
 */
const READ_PAST: ReadonlySet<string> = new Set([
  "introduction",
  "introSection",
  "title",
  "instruction",
  "sectionIndex",
  "sevenChrDef",
  "extension",
  "visualImpairment",
  "visCategory",
  "visRange",
  "visMin",
  "visMax",
  "heading",
  "value",
]);

type EdgeNoteKind = "excludes1" | "excludes2" | "useAdditionalCode" | "codeFirst" | "codeAlso";

const EDGE_NOTES: Readonly<Record<EdgeNoteKind, PairingKind | ExclusionKind>> = {
  useAdditionalCode: PairingKind.USE_ADDITIONAL_CODE,
  codeFirst: PairingKind.CODE_FIRST,
  codeAlso: PairingKind.CODE_ALSO,
  excludes1: ExclusionKind.EXCLUDES1,
  excludes2: ExclusionKind.EXCLUDES2,
};

function isEdgeNote(kind: TabularNoteKind): kind is EdgeNoteKind {
  return Object.hasOwn(EDGE_NOTES, kind);
}

/** Reasons under which references that make no edge are reported. */
export const TabularUnresolved = {
  NO_CODE: "note names no code",
  NOT_IN_TABULAR: "target not in the tabular list",
  RANGE_END_NOT_IN_TABULAR: "range end not in the tabular list",
  CHARACTER_RULE:
    "character rule not read (7th characters, which the tabular lists no codes for, or prose)",
  RULE_PICKS_NOTHING: "character rule no code of its span answers",
  MALFORMED: "note names a malformed code",
  UNKNOWN_ELEMENT: "element the tabular layout does not have (not read)",
  SELF: "target is the code bearing the note",
} as const;

/** What the parse saw, for the import report and the full-release tests. */
export interface TabularCounts {
  readonly version: string;
  readonly chapters: number;
  readonly sections: number;
  /** All `<diag>` elements, placeholders included. */
  readonly diags: number;
  /** `<diag placeholder="true">` (H21.1X): headers whose 6th character is the placeholder X. */
  readonly placeholderDiags: number;
  readonly categories: number;
  /** `<note>`s by their container. */
  readonly notes: Readonly<Record<TabularNoteKind, number>>;
  /** Notes ending in ":" that head the notes after them. */
  readonly listHeadings: number;
  readonly synonyms: number;
  /** Includes and inclusion-term notes left out of synonyms: list headings and guidance prose. */
  readonly synonymNotesSkipped: number;
  /** Synonyms that cite codes in their wording ("…, not classifiable to C16.1-C16.4"). */
  readonly synonymsCitingCodes: number;
  /** Edges by kind (SUBSET_OF, USE_ADDITIONAL_CODE ... EXCLUDES2), after merging repeats. */
  readonly edges: Readonly<Record<string, number>>;
  /** Note targets that repeated an edge already made (same node, kind and target). */
  readonly repeatedTargets: number;
  readonly unresolved: Readonly<Record<string, number>>;
}

export interface TabularParse {
  readonly file: ParsedFile;
  readonly counts: TabularCounts;
}

// ── Reading the XML ────────────────────────────────────────────────────────────────

interface ChapterState {
  readonly type: "chapter";
  readonly line: number;
  number: string;
  desc: string;
  readonly refs: { first: string; last: string }[];
  readonly sections: SectionState[];
  id: string;
}

interface SectionState {
  readonly type: "section";
  readonly line: number;
  readonly rawId: string;
  readonly chapter: ChapterState;
  desc: string;
  /** Block node id, resolved after the read. */
  id: string;
  start: string;
  end: string;
}

interface DiagState {
  readonly type: "diag";
  readonly line: number;
  readonly index: number;
  readonly parent: DiagState | null;
  readonly section: SectionState;
  readonly placeholder: boolean;
  code: string;
  id: string;
  desc: string;
  /** Index of the last diag below this one (itself when it has none). */
  lastDescendant: number;
}

type Holder = ChapterState | SectionState | DiagState;

interface NoteRecord {
  readonly owner: Holder;
  readonly kind: TabularNoteKind;
  readonly text: string;
  /** The list heading this note is an item of. */
  readonly heading: string | null;
  readonly line: number;
  /** Ends in ":" and some note of the same container follows it. */
  headsList: boolean;
}

interface RawTabular {
  version: string | null;
  /** Elements the tabular's layout does not have, where they open. */
  readonly unknownElements: { readonly name: string; readonly line: number }[];
  readonly chapters: ChapterState[];
  readonly sections: SectionState[];
  readonly diags: DiagState[];
  readonly notes: NoteRecord[];
  sha256: string;
}

/** Collapses the XML's indentation and line breaks inside a text into single spaces. */
function clean(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

class XmlProblem extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** The text of one line of a file, for error reports (read again only when failing). */
async function lineText(path: string, wanted: number): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      if (++line === wanted) return text.trim();
    }
  } finally {
    lines.close();
  }
  return undefined;
}

async function readXml(path: string, options: ParseOptions): Promise<RawTabular> {
  const file = basename(path);
  const totalBytes = (await stat(path)).size;
  const raw: RawTabular = {
    version: null,
    unknownElements: [],
    chapters: [],
    sections: [],
    diags: [],
    notes: [],
    sha256: "",
  };
  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  const holders: Holder[] = [];
  const codes = new Map<string, DiagState>();
  // The note container being read, and the list heading its later notes are items of.
  let container: { kind: TabularNoteKind; owner: Holder; heading: NoteRecord | null } | null = null;
  let text: string | null = null;
  let noteLine = 0;

  const fail = (problem: string, offending?: string): never => {
    throw new SourceFileError(file, parser.line, problem, offending);
  };
  const holder = (): Holder | undefined => holders[holders.length - 1];

  parser.on("error", (error) => {
    // saxes prefixes "line:column: "; the SourceFileError carries the line itself.
    throw new XmlProblem(parser.line, `malformed XML: ${error.message.replace(/^\d+:\d+: /, "")}`);
  });
  parser.on("opentag", (tag) => {
    const parent = stack[stack.length - 1];
    stack.push(tag.name);
    if (parent === undefined) {
      if (tag.name !== ROOT)
        fail(`not an ICD-10-CM tabular list: the root element is <${tag.name}>, not <${ROOT}>`);
      return;
    }
    const top = holder();
    switch (tag.name) {
      case "chapter": {
        if (parent !== ROOT) fail(`<chapter> inside <${parent}>`);
        const chapter: ChapterState = {
          type: "chapter",
          line: parser.line,
          number: "",
          desc: "",
          refs: [],
          sections: [],
          id: "",
        };
        raw.chapters.push(chapter);
        holders.push(chapter);
        return;
      }
      case "sectionRef": {
        if (top?.type === "chapter" && parent === "sectionIndex") {
          top.refs.push({
            first: String(tag.attributes.first ?? ""),
            last: String(tag.attributes.last ?? ""),
          });
        }
        return;
      }
      case "section": {
        if (top?.type !== "chapter" || parent !== "chapter") fail(`<section> outside a <chapter>`);
        const rawId = clean(String(tag.attributes.id ?? ""));
        if (rawId === "") fail("<section> without an id");
        const section: SectionState = {
          type: "section",
          line: parser.line,
          rawId,
          chapter: top as ChapterState,
          desc: "",
          id: "",
          start: "",
          end: "",
        };
        (top as ChapterState).sections.push(section);
        raw.sections.push(section);
        holders.push(section);
        return;
      }
      case "diag": {
        if (top === undefined || top.type === "chapter") return fail("<diag> outside a <section>");
        const diag: DiagState = {
          type: "diag",
          line: parser.line,
          index: raw.diags.length,
          parent: top.type === "diag" ? top : null,
          section: top.type === "diag" ? top.section : top,
          placeholder: tag.attributes.placeholder === "true",
          code: "",
          id: "",
          desc: "",
          lastDescendant: raw.diags.length,
        };
        raw.diags.push(diag);
        holders.push(diag);
        return;
      }
      case "name":
      case "desc":
        if (top !== undefined && parent === top.type) text = "";
        return;
      case "version":
        if (parent === ROOT) text = "";
        return;
      case "note":
        if (container !== null && parent === container.kind) {
          text = "";
          noteLine = parser.line;
        }
        return;
      default:
        if (
          top !== undefined &&
          parent === top.type &&
          (NOTE_KINDS as readonly string[]).includes(tag.name)
        ) {
          container = { kind: tag.name as TabularNoteKind, owner: top, heading: null };
        }
        // Everything else (introduction, sectionIndex, sevenChrDef and its extensions,
        // visualImpairment tables) carries no code relationship: read past it. An element
        // the layout does not have (a misspelt <exludes1>) is counted, so that notes it
        // holds are reported as lost rather than skipped unseen.
        if (!READ_PAST.has(tag.name) && !(NOTE_KINDS as readonly string[]).includes(tag.name))
          raw.unknownElements.push({ name: tag.name, line: parser.line });
        return;
    }
  });
  parser.on("text", (chunk) => {
    if (text !== null) text += chunk;
  });
  parser.on("cdata", (chunk) => {
    if (text !== null) text += chunk;
  });
  parser.on("closetag", (tag) => {
    stack.pop();
    const parent = stack[stack.length - 1];
    const top = holder();
    const value = text === null ? null : clean(text);
    if (tag.name === "name" || tag.name === "desc" || tag.name === "note" || tag.name === "version")
      text = null;
    switch (tag.name) {
      case "version":
        if (value !== null) raw.version = value;
        return;
      case "name":
        if (value === null || top === undefined) return;
        if (top.type === "chapter") top.number = value;
        else if (top.type === "diag") nameDiag(top, value);
        return;
      case "desc":
        if (value !== null && top !== undefined) top.desc = value;
        return;
      case "note":
        if (value === null || container === null) return;
        if (value === "") return;
        {
          const note: NoteRecord = {
            owner: container.owner,
            kind: container.kind,
            text: value,
            heading: container.heading?.text ?? null,
            line: noteLine,
            headsList: false,
          };
          if (container.heading !== null) container.heading.headsList = true;
          if (value.endsWith(":")) container.heading = note;
          raw.notes.push(note);
        }
        return;
      case "diag": {
        const diag = holders.pop() as DiagState;
        if (diag.code === "") throw new XmlProblem(diag.line, "<diag> without a <name>");
        diag.lastDescendant = raw.diags.length - 1;
        return;
      }
      case "section":
      case "chapter":
        holders.pop();
        return;
      default:
        if (
          container !== null &&
          tag.name === container.kind &&
          top === container.owner &&
          parent === top.type
        ) {
          container = null;
        }
        return;
    }
  });

  function nameDiag(diag: DiagState, name: string): void {
    const code = canonicalCmCode(name);
    if (code === undefined)
      fail(`<diag> name is not an ICD-10-CM code: ${cmCodeProblem(name)}`, name);
    const undotted = code!.replace(".", "");
    if (diag.parent === null && undotted.length !== 3)
      fail("a <diag> directly in a <section> must be a three-character category", name);
    // Only the category is checked: the FY2021 file itself nests H54.512A under H54.511.
    if (diag.parent !== null && undotted.slice(0, 3) !== diag.parent.code.slice(0, 3)) {
      fail(`<diag> ${code} is nested in ${diag.parent.code}, another category`, name);
    }
    const prior = codes.get(code!);
    if (prior) fail(`<diag> ${code} repeats the one on line ${prior.line}`, name);
    diag.code = code!;
    diag.id = codeId(CodeSystemId.ICD10CM, code!);
    codes.set(code!, diag);
  }

  const hash = createHash("sha256");
  const decoder = new StringDecoder("utf8");
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      parser.write(decoder.write(chunk));
      options.onProgress?.({ bytes: stream.bytesRead, totalBytes, rows: raw.diags.length });
    }
    parser.write(decoder.end());
    parser.close();
  } catch (error) {
    if (error instanceof XmlProblem) {
      throw new SourceFileError(file, error.line, error.message, await lineText(path, error.line));
    }
    throw error;
  } finally {
    stream.destroy();
  }
  if (raw.chapters.length === 0) {
    throw new SourceFileError(file, parser.line, "the tabular list has no <chapter>");
  }
  raw.sha256 = hash.digest("hex");
  return raw;
}

// ── Note targets ───────────────────────────────────────────────────────────────────

/** What a note names, before it is checked against the file's codes. */
export type NoteTarget =
  /** One code; a trailing dash ("E08.-", "I82.4Z-") names the code itself. */
  | { readonly type: "code"; readonly code: string }
  /** A span of codes ("E10-E13", "N18.1-N18.6", "S06.1- to S06.6-"). */
  | { readonly type: "range"; readonly start: string; readonly end: string }
  /** The codes of a span, each followed by the same characters ("E08-E13 with .44", "F10-F19 with .17, .27"). */
  | {
      readonly type: "suffixed";
      readonly start: string;
      readonly end: string;
      readonly suffixes: readonly string[];
    }
  /** The codes of a span that a rule on their characters picks ("T36-T50 with fifth or sixth character 5"). */
  | {
      readonly type: "characterRule";
      readonly start: string;
      readonly end: string;
      readonly rule: CharacterRule;
    }
  /** A span narrowed by a rule no code of the tabular answers ("S42.- with 7th character B or C"), or by prose. */
  | { readonly type: "qualified"; readonly text: string }
  /** A chapter by its number ("code (Chapter 20) to identify external cause"). */
  | { readonly type: "chapter"; readonly number: string }
  /** A code-shaped token the ICD-10-CM grammar refuses. */
  | { readonly type: "malformed"; readonly text: string };

/**
 * A rule on a code's characters, counted without the dot (T36.0X5: T is the first, 5 the
 * sixth).
 * - `place` 4, 5 or 6: codes whose characters from that place on are one of `values`,
 *   and end there ("M51.- with fifth character 4" → M51.04, M51.14 …; "T22.- with fifth
 *   character 5" → the subcategories T22.05 … T22.75, with all below them; "F11-F19 with
 *   fifth to sixth characters 51" → F11.151, F11.251 …).
 * - `final`: codes with none below them whose last characters, after at least one of
 *   their own, are one of `values`. The poisoning tables put the intent last, fifth or
 *   sixth as the code is long: "T36-T50 with fifth or sixth character 5" is every adverse
 *   effect (T36.0X5, T36.95), never T43.651 (poisoning by methamphetamines, accidental),
 *   whose fifth is a 5 that names the drug. "I69. with final characters -23" → I69.023,
 *   I69.123 … (the dash is a character: not I69.20 for "-20").
 */
export type CharacterRule =
  | { readonly place: 4 | 5 | 6; readonly values: readonly string[] }
  | { readonly place: "final"; readonly values: readonly string[] };

/**
 * Categories a rule over a span of several categories passes over, by the place the rule
 * reads: there the character means something else. In V01-V09 the fifth character names
 * the pedestrian's conveyance (V01.01 on roller-skates), but in V09 the other vehicle
 * (V09.01 military vehicle): "(V01-V09 with 5th character 1)" means the roller-skaters.
 */
const PLACE_MEANS_OTHERWISE: ReadonlyMap<string, number> = new Map([["V09", 5]]);

const PLACES: Readonly<Record<string, 4 | 5 | 6>> = {
  fourth: 4,
  "4th": 4,
  fifth: 5,
  "5th": 5,
  sixth: 6,
  "6th": 6,
};
// "A37 with fifth-character 1", "F10-F19 with 5th character .6".
const ONE_PLACE = /^\s*(fourth|4th|fifth|5th|sixth|6th)[\s-]+character\s+(.+?)\s*$/i;
const PLACES_SPAN =
  /^\s*(fourth|4th|fifth|5th)\s+to\s+(fifth|5th|sixth|6th)\s+characters\s+([0-9A-Z]{2,3})\s*$/i;
// "six" for "sixth" stands once in the FY2021 file.
const INTENT_PLACE = /^\s*(?:fifth|5th)\s+or\s+(?:sixth|six|6th)\s+character\s+(.+?)\s*$/i;
const FINAL_CHARACTERS = /^\s*final\s+characters\s+-?([0-9A-Z]{2,3})\s*$/;

/** The characters "5", "1-4 or 6", "B or C" allow, or undefined when the list is prose. */
function characterValues(list: string): string[] | undefined {
  const values: string[] = [];
  for (const part of list.split(/\s*(?:,|\bor\b|\band\b)\s*/)) {
    const m = /^\.?([0-9])(?:-([0-9]))?$/.exec(part) ?? /^\.?([A-Z])$/.exec(part);
    if (!m) return undefined;
    const last = m[2] ?? m[1]!;
    // "4-1" is no span: the whole list is refused, not read in part.
    if (last < m[1]!) return undefined;
    for (let c = m[1]!.charCodeAt(0); c <= last.charCodeAt(0); c++)
      values.push(String.fromCharCode(c));
  }
  return values.length > 0 ? values : undefined;
}

/** The rule after "with" in "(T36-T50 with fifth or sixth character 5)", if it is one this reads. */
export function readCharacterRule(text: string): CharacterRule | undefined {
  const one = ONE_PLACE.exec(text);
  if (one) {
    const values = characterValues(one[2]!);
    return values && { place: PLACES[one[1]!.toLowerCase()]!, values };
  }
  const span = PLACES_SPAN.exec(text);
  if (span) {
    const [from, to] = [PLACES[span[1]!.toLowerCase()]!, PLACES[span[2]!.toLowerCase()]!];
    return span[3]!.length === to - from + 1 ? { place: from, values: [span[3]!] } : undefined;
  }
  const intent = INTENT_PLACE.exec(text);
  if (intent) {
    const values = characterValues(intent[1]!);
    return values && { place: "final", values };
  }
  const final = FINAL_CHARACTERS.exec(text);
  return final ? { place: "final", values: [final[1]!] } : undefined;
}

/** Whether a code of the tabular (with `leaf`: no code below it) answers a rule. */
function answersCharacterRule(code: string, leaf: boolean, rule: CharacterRule): boolean {
  const chars = code.replace(".", "");
  const place = rule.place;
  if (place !== "final") {
    return rule.values.some(
      (v) => chars.length === place - 1 + v.length && chars.slice(place - 1) === v,
    );
  }
  return leaf && rule.values.some((v) => chars.length > 3 + v.length && chars.endsWith(v));
}

// A category: a letter, then a digit and a digit or letter (E11, C7A), or a letter and
// a digit (QA0, new in FY2026). Requiring a digit keeps words like AND, NOS, HIV out.
const CATEGORY = "[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])";
const CODE = `${CATEGORY}(?:\\.[0-9A-Z]{1,4})?`;
// A code, an optional dash ("E08.-", "S06.1-"), and an optional second end joined by a
// hyphen or "to". The lookarounds keep codes inside words (H1N1) out.
const REFERENCE = new RegExp(
  `(?<![A-Za-z0-9.])(${CODE})(?:\\.?-)?(?:\\s*(?:-|\\bto\\b)\\s*(${CODE})(?:\\.?-)?)?(?![A-Za-z0-9])`,
  "g",
);
// What may follow "with" to append characters: ".44", ".17, .27, .97", ".15. .25, .95",
// ".61-" (a dash names the code itself), ".51-.52" (the codes between).
const SUFFIX_ITEM = "\\.([0-9A-Z]{1,4})(?:-(?:\\.([0-9A-Z]{1,4}))?)?";
const SUFFIX_SEPARATORS = "(?:[\\s,;.]|\\band\\b|\\bor\\b)*";
const SUFFIX_LIST = new RegExp(`^${SUFFIX_SEPARATORS}(?:${SUFFIX_ITEM}${SUFFIX_SEPARATORS})+$`);

/** The characters "with .44", "with .17, .27", "with .51-.52" append, or none. */
function readSuffixes(rule: string): string[] {
  if (!SUFFIX_LIST.test(rule)) return [];
  const out: string[] = [];
  for (const m of rule.matchAll(new RegExp(SUFFIX_ITEM, "g"))) {
    const first = m[1]!;
    const last = m[2];
    if (last === undefined) {
      out.push(first);
      continue;
    }
    // A span is read only when its ends differ in a last digit, as in the file's one use.
    const stem = first.slice(0, -1);
    const [from, to] = [first.at(-1)!, last.at(-1)!];
    if (last.slice(0, -1) !== stem || !/[0-9]/.test(from) || !/[0-9]/.test(to) || to < from)
      return [];
    for (let d = Number(from); d <= Number(to); d++) out.push(`${stem}${d}`);
  }
  return out;
}
const GROUP = /\(([^()]*)\)/g;

/** Why a string is not an ICD-10-CM code, in the domain grammar's words. */
export function cmCodeProblem(raw: string): string {
  try {
    readCodeInput(raw, CodeSystemId.ICD10CM);
  } catch (error) {
    if (error instanceof CodeInputError) return error.message;
    throw error;
  }
  return `${JSON.stringify(raw)} is a range, not an ICD-10-CM code`;
}

/**
 * The canonical ICD-10-CM code (`E11.9`, `E08`) for a code as a release file writes it
 * (`E119`, `e11.9`, ` E11.9 `), or undefined when it is not an ICD-10-CM code; a range is
 * not a code.
 */
export function canonicalCmCode(raw: string): string | undefined {
  try {
    const reading = readCodeInput(raw, CodeSystemId.ICD10CM)[0]!;
    return reading.shape === CodeShape.CODE ? reading.code : undefined;
  } catch (error) {
    if (error instanceof CodeInputError) return undefined;
    throw error;
  }
}

const CHAPTER_REFERENCE = /\bChapter\s+([0-9]{1,2})\b/g;

function referencesIn(text: string): NoteTarget[] {
  const out: NoteTarget[] = [];
  for (const m of text.matchAll(CHAPTER_REFERENCE)) out.push({ type: "chapter", number: m[1]! });
  for (const m of text.matchAll(REFERENCE)) {
    const start = canonicalCmCode(m[1]!);
    const end = m[2] === undefined ? undefined : canonicalCmCode(m[2]);
    if (start === undefined || (m[2] !== undefined && end === undefined)) {
      out.push({ type: "malformed", text: m[0] });
    } else if (end === undefined || end === start) {
      out.push({ type: "code", code: start });
    } else {
      out.push({ type: "range", start, end });
    }
  }
  return out;
}

/**
 * The codes a tabular note names: those in its parenthesised groups, else those in its
 * bare text. Codes come back in canonical form (`E08`, `Z79.4`); whether they exist is
 * for the caller to check.
 */
export function parseNoteTargets(note: string): NoteTarget[] {
  const out: NoteTarget[] = [];
  for (const group of note.matchAll(GROUP)) {
    const inner = group[1]!;
    const refs = referencesIn(inner);
    if (refs.length === 0) continue;
    const withAt = inner.search(/\bwith\b/);
    if (withAt >= 0) {
      const bases = referencesIn(inner.slice(0, withAt));
      const rule = inner.slice(withAt + "with".length);
      const suffixes = readSuffixes(rule);
      // "(B27.0-B27.9 with 1)": one character after subcategories is appended to each.
      const bare = /^\s*([0-9A-Z])\s*$/.exec(rule);
      if (suffixes.length === 0 && bare && bases.every((b) => b.type !== "malformed" && dotted(b)))
        suffixes.push(bare[1]!);
      const characterRule = readCharacterRule(rule);
      if (suffixes.length > 0 && bases.length > 0) {
        for (const b of bases) {
          if (b.type === "code")
            out.push({ type: "suffixed", start: b.code, end: b.code, suffixes });
          else if (b.type === "range")
            out.push({ type: "suffixed", start: b.start, end: b.end, suffixes });
          else out.push(b);
        }
      } else if (characterRule && bases.length > 0) {
        for (const b of bases) {
          if (b.type === "code")
            out.push({ type: "characterRule", start: b.code, end: b.code, rule: characterRule });
          else if (b.type === "range")
            out.push({ type: "characterRule", start: b.start, end: b.end, rule: characterRule });
          else out.push(b);
        }
      } else {
        out.push({ type: "qualified", text: inner.trim() });
      }
      continue;
    }
    out.push(...refs);
  }
  return out.length > 0 ? out : referencesIn(note);
}

/** Whether every end a reference names is below its category (E11.9, not E11). */
function dotted(ref: NoteTarget): boolean {
  if (ref.type === "code") return ref.code.includes(".");
  if (ref.type === "range") return ref.start.includes(".") && ref.end.includes(".");
  return false;
}

// ── From the read to records ───────────────────────────────────────────────────────

const RANGE_AT_END = /\s*\(([A-Z][0-9A-Z]{2})(?:-([A-Z][0-9A-Z]{2}))?\)\s*$/;

/** "T36-T50", or "B27" for a span of one code. */
function spanText(target: { readonly start: string; readonly end: string }): string {
  return target.start === target.end ? target.start : `${target.start}-${target.end}`;
}

function rangeId(start: string, end: string): string {
  return codeId(CodeSystemId.ICD10CM, `${start}-${end}`);
}

function buildStructure(
  file: string,
  raw: RawTabular,
): { codes: ReleaseCode[]; nodeIds: Set<string> } {
  const codes: ReleaseCode[] = [];
  const nodeIds = new Set<string>();
  const add = (code: ReleaseCode, line: number) => {
    if (nodeIds.has(code.id)) {
      throw new SourceFileError(
        file,
        line,
        `${code.id} names both a chapter and a block, or two blocks; their ids would collide`,
      );
    }
    nodeIds.add(code.id);
    codes.push(code);
  };

  for (const chapter of raw.chapters) {
    const m = RANGE_AT_END.exec(chapter.desc);
    let start = m?.[1];
    let end = m?.[2] ?? m?.[1];
    if (start === undefined && chapter.refs.length > 0) {
      start = chapter.refs[0]!.first;
      end = chapter.refs[chapter.refs.length - 1]!.last;
    }
    if (start === undefined || end === undefined || chapter.number === "" || chapter.desc === "") {
      throw new SourceFileError(
        file,
        chapter.line,
        "a <chapter> needs a <name>, a <desc> and a range, in its <desc> as (A00-B99) or in its <sectionIndex>",
        chapter.desc,
      );
    }
    chapter.id = rangeId(start, end);
  }
  for (const section of raw.sections) {
    const [start, end = start] = section.rawId.split("-") as [string, string?];
    let reading;
    try {
      reading = readCodeInput(`${start}-${end}`, CodeSystemId.ICD10CM).find(
        (r) => r.shape === CodeShape.RANGE,
      );
    } catch (error) {
      if (!(error instanceof CodeInputError)) throw error;
    }
    if (!reading || start > end!) {
      throw new SourceFileError(
        file,
        section.line,
        "a <section> id must be a category or a range of categories",
        section.rawId,
      );
    }
    section.start = start;
    section.end = end!;
    section.id = reading.id;
  }

  for (const chapter of raw.chapters) {
    add(
      {
        id: chapter.id,
        system: CodeSystemId.ICD10CM,
        code: chapter.id.slice(CodeSystemId.ICD10CM.length + 1),
        kind: CodeKind.DIAGNOSIS,
        level: CodeLevel.CHAPTER,
        title: chapter.desc.replace(RANGE_AT_END, ""),
        shortTitle: null,
        billable: false,
        attributes: { chapter: chapter.number },
        parent: null,
        line: chapter.line,
      },
      chapter.line,
    );
    const categories = raw.diags.filter((d) => d.parent === null && d.section.chapter === chapter);
    const extents = new Map(
      chapter.sections.map((o) => [o, sectionExtent(o, categories)] as const),
    );
    for (const section of chapter.sections) {
      // Heading-only sections (C00-C96 over C00-C75 over C00-C14) hold later ones; the
      // smallest enclosing one is the parent. Holding is decided by place in the file,
      // not by comparing ids as strings: C7A and C7B come after C75 in the file (so
      // outside C00-C75) and D3A after D36 (so beside D37-D48, not in it).
      const own = extents.get(section);
      const enclosing = own
        ? chapter.sections
            .filter((o) => {
              const e = extents.get(o);
              if (o === section || o.id === section.id || !e) return false;
              if (e.first > own.first || own.last > e.last) return false;
              // Equal spans: the heading comes first in the file and holds the other.
              return e.first !== own.first || e.last !== own.last || o.line < section.line;
            })
            .sort((a, b) => {
              const ea = extents.get(a)!;
              const eb = extents.get(b)!;
              return ea.last - ea.first - (eb.last - eb.first) || b.line - a.line;
            })
        : [];
      if (section.desc === "")
        throw new SourceFileError(file, section.line, "a <section> needs a <desc>", section.rawId);
      add(
        {
          id: section.id,
          system: CodeSystemId.ICD10CM,
          code: section.id.slice(CodeSystemId.ICD10CM.length + 1),
          kind: CodeKind.DIAGNOSIS,
          level: CodeLevel.BLOCK,
          title: section.desc.replace(RANGE_AT_END, ""),
          shortTitle: null,
          billable: false,
          ...(categories.some((d) => d.section === section)
            ? {
                attributes: {
                  [BLOCK_CATEGORIES_ATTRIBUTE]: categories
                    .filter((d) => d.section === section)
                    .map((d) => d.code)
                    .join(","),
                },
              }
            : {}),
          parent: enclosing[0]?.id ?? chapter.id,
          line: section.line,
        },
        section.line,
      );
    }
  }
  return { codes, nodeIds };
}

/**
 * Where a section sits in the file, among its chapter's `categories`: the diag index of
 * its first category to that of the last diag below its last. A section with categories of its own spans them; a
 * heading-only section (C00-C96) spans the categories its id names as they stand in the
 * file, from its first category to its last. Undefined for a heading naming no category
 * of its chapter.
 */
function sectionExtent(
  section: SectionState,
  categories: readonly DiagState[],
): { first: number; last: number } | undefined {
  const own = categories.filter((d) => d.section === section);
  if (own.length > 0) return { first: own[0]!.index, last: own[own.length - 1]!.lastDescendant };
  const first = categories.find((d) => d.code === section.start);
  const last = categories.find((d) => d.code === section.end);
  if (first && last && first.index <= last.index)
    return { first: first.index, last: last.lastDescendant };
  // Ends the file does not hold (a range reaching past the last category): the
  // categories the id spells, in file order.
  const spelled = categories.filter((d) => section.start <= d.code && d.code <= section.end);
  if (spelled.length === 0) return undefined;
  return {
    first: Math.min(...spelled.map((d) => d.index)),
    last: Math.max(...spelled.map((d) => d.lastDescendant)),
  };
}

/** A note item that is guidance prose rather than a name: it holds a sentence break. */
function isProse(text: string): boolean {
  return /[a-z)]\.\s+[A-Z]/.test(text);
}

function toRecords(path: string, raw: RawTabular, options: ParseOptions): TabularParse {
  const file = basename(path);
  // --version and --effective override the file's own <version>, as for every format.
  const year = /(\d{4})/.exec(raw.version ?? "")?.[1];
  let label;
  try {
    label = releaseLabel(path, options, FISCAL_YEAR_NAMING, {
      ...(year !== undefined ? { version: `FY${year}` } : {}),
    });
  } catch (error) {
    throw new SourceFileError(
      file,
      1,
      `${(error as Error).message.replace(/^.*?: /, "")} (the file's <version> names no year)`,
    );
  }
  const { version } = label;
  const source = `${SOURCE} ${version}`;
  const { codes: structure, nodeIds } = buildStructure(file, raw);
  const byCode = new Map(raw.diags.map((d) => [d.code, d]));
  const unresolved = new UnresolvedTally();
  for (const { name, line } of raw.unknownElements)
    unresolved.add(TabularUnresolved.UNKNOWN_ELEMENT, `<${name}>`, line);

  // Synonyms, per holder, in file order, without repeats or the title itself.
  const synonyms = new Map<Holder, { list: string[]; seen: Set<string>; line: number }>();
  const edges = new Map<string, ReleaseEdge>();
  const edgeCounts: Record<string, number> = {};
  const noteCounts = Object.fromEntries(NOTE_KINDS.map((k) => [k, 0])) as Record<
    TabularNoteKind,
    number
  >;
  let listHeadings = 0;
  let repeatedTargets = 0;
  let synonymNotesSkipped = 0;
  let synonymsCitingCodes = 0;

  const ownerTitle = (owner: Holder): string => owner.desc.replace(RANGE_AT_END, "");

  const addEdge = (edge: ReleaseEdge) => {
    const key = edgeKey(edge);
    const prior = edges.get(key);
    if (prior) {
      repeatedTargets++;
      if ("note" in prior && "note" in edge && prior.note !== null && edge.note !== null) {
        const notes = prior.note.split("; ");
        if (!notes.includes(edge.note))
          edges.set(key, { ...prior, note: `${prior.note}; ${edge.note}` });
      }
      return;
    }
    edges.set(key, edge);
  };

  for (const diag of raw.diags) {
    if (diag.parent === null) {
      addEdge({
        relation: Relation.SUBSET_OF,
        from: diag.id,
        to: diag.section.id,
        source,
        validFrom: null,
        validTo: null,
        line: diag.line,
      });
    }
  }

  // Chapters and blocks by the diag index of their first category, largest first, with
  // the index of the last diag they hold: a range that spans one whole is edged to it.
  const groups = new Map<number, { id: string; last: number }[]>();
  {
    const extent = new Map<string, { first: number; last: number }>();
    const widen = (id: string, d: DiagState) => {
      const e = extent.get(id);
      if (!e) extent.set(id, { first: d.index, last: d.lastDescendant });
      else e.last = Math.max(e.last, d.lastDescendant);
    };
    const parentOf = new Map(structure.map((c) => [c.id, c.parent ?? null]));
    for (const d of raw.diags) {
      if (d.parent !== null) continue;
      for (let id: string | null = d.section.id; id !== null; id = parentOf.get(id) ?? null)
        widen(id, d);
    }
    for (const [id, { first, last }] of extent) {
      const list = groups.get(first) ?? [];
      list.push({ id, last });
      groups.set(
        first,
        list.sort((a, b) => b.last - a.last),
      );
    }
  }

  /**
   * The fewest nodes that hold exactly the codes from `start` through `end` and all below
   * it, in file order: whole chapters and blocks where `blocks` is set, else whole
   * categories and subcategories ("A00-R94" → 17 chapters and the R blocks up to R94;
   * "T80-T88.6" → T80 … T87 and T88.0 … T88.6).
   */
  const cover = (start: DiagState, end: DiagState, blocks: boolean): DiagState[] | string[] => {
    const out: string[] = [];
    const diags: DiagState[] = [];
    for (let k = start.index; k <= end.lastDescendant;) {
      const group = blocks ? groups.get(k)?.find((g) => g.last <= end.lastDescendant) : undefined;
      if (group) {
        out.push(group.id);
        k = group.last + 1;
        continue;
      }
      const d = raw.diags[k]!;
      if (d.lastDescendant <= end.lastDescendant) {
        out.push(d.id);
        diags.push(d);
        k = d.lastDescendant + 1;
      } else {
        k++;
      }
    }
    return blocks ? out : diags;
  };

  /** The diags at both ends of a span a note names, in file order; else reported. */
  const spanOf = (
    target: { readonly start: string; readonly end: string },
    note: NoteRecord,
  ): { a: DiagState; b: DiagState } | undefined => {
    const a = byCode.get(target.start);
    const b = byCode.get(target.end);
    if (a && b && a.index <= b.index) return { a, b };
    unresolved.add(
      TabularUnresolved.RANGE_END_NOT_IN_TABULAR,
      `${target.start}-${target.end} in ${JSON.stringify(note.text)}`,
      note.line,
    );
    return undefined;
  };

  const targetIds = (target: NoteTarget, note: NoteRecord): string[] => {
    switch (target.type) {
      case "code": {
        const d = byCode.get(target.code);
        if (d) return [d.id];
        unresolved.add(
          TabularUnresolved.NOT_IN_TABULAR,
          `${target.code} in ${JSON.stringify(note.text)}`,
          note.line,
        );
        return [];
      }
      case "range": {
        const named = rangeId(target.start, target.end);
        if (nodeIds.has(named)) return [named];
        const span = spanOf(target, note);
        return span ? (cover(span.a, span.b, true) as string[]) : [];
      }
      case "suffixed": {
        const span = spanOf(target, note);
        if (!span) return [];
        // "F10-F19 with .17, .27, .97" names whichever of the combinations exist (F10.27,
        // F10.97, not F10.17): only a rule that matches no code at all is lost.
        const out: string[] = [];
        for (const base of cover(span.a, span.b, false) as DiagState[]) {
          for (const suffix of target.suffixes) {
            const code = canonicalCmCode(`${base.code.replace(".", "")}${suffix}`);
            const d = code === undefined ? undefined : byCode.get(code);
            if (d) out.push(d.id);
          }
        }
        if (out.length === 0) {
          const rule = `${target.start}-${target.end} with .${target.suffixes.join(", .")}`;
          unresolved.add(
            TabularUnresolved.NOT_IN_TABULAR,
            `${rule} in ${JSON.stringify(note.text)}`,
            note.line,
          );
        }
        return out;
      }
      case "characterRule": {
        const span = spanOf(target, note);
        if (!span) return [];
        const out: string[] = [];
        const severalCategories = target.start.slice(0, 3) !== target.end.slice(0, 3);
        for (const top of cover(span.a, span.b, false) as DiagState[]) {
          const place = PLACE_MEANS_OTHERWISE.get(top.code.slice(0, 3));
          if (severalCategories && place !== undefined && place === target.rule.place) continue;
          for (let k = top.index; k <= top.lastDescendant; k++) {
            const d = raw.diags[k]!;
            if (answersCharacterRule(d.code, d.lastDescendant === d.index, target.rule))
              out.push(d.id);
          }
        }
        if (out.length === 0) {
          unresolved.add(
            TabularUnresolved.RULE_PICKS_NOTHING,
            `no code of ${spanText(target)} answers the rule in ${JSON.stringify(note.text)}`,
            note.line,
          );
        }
        return out;
      }
      case "chapter": {
        const chapter = raw.chapters.find((c) => c.number === target.number);
        if (chapter) return [chapter.id];
        unresolved.add(
          TabularUnresolved.NOT_IN_TABULAR,
          `Chapter ${target.number} in ${JSON.stringify(note.text)}`,
          note.line,
        );
        return [];
      }
      case "qualified":
        unresolved.add(TabularUnresolved.CHARACTER_RULE, note.text, note.line);
        return [];
      case "malformed":
        unresolved.add(
          TabularUnresolved.MALFORMED,
          `${target.text} in ${JSON.stringify(note.text)}`,
          note.line,
        );
        return [];
    }
  };

  for (const note of raw.notes) {
    noteCounts[note.kind]++;
    if (note.headsList) listHeadings++;
    const kind = note.kind;
    if (kind === "includes" || kind === "inclusionTerm") {
      if (note.headsList || isProse(note.text)) {
        synonymNotesSkipped++;
        continue;
      }
      // "Malignant neoplasm of lesser curvature of stomach, not classifiable to C16.1-C16.4"
      // is still a name of C16.8; the codes it cites qualify the name, they relate nothing.
      if (parseNoteTargets(note.text).length > 0) synonymsCitingCodes++;
      const entry = synonyms.get(note.owner) ?? {
        list: [],
        seen: new Set([ownerTitle(note.owner).toLowerCase()]),
        line: note.line,
      };
      const key = note.text.toLowerCase();
      if (!entry.seen.has(key)) {
        entry.seen.add(key);
        entry.list.push(note.text);
      }
      synonyms.set(note.owner, entry);
      continue;
    }
    if (!isEdgeNote(kind)) continue;
    const targets = parseNoteTargets(note.text);
    if (targets.length === 0) {
      // A heading's codes are in the items after it; only a note that heads nothing and
      // names nothing is a reference lost.
      if (!note.headsList) unresolved.add(TabularUnresolved.NO_CODE, note.text, note.line);
      continue;
    }
    const from = note.owner.id;
    const text = note.heading === null ? note.text : `${note.heading} ${note.text}`;
    for (const target of targets) {
      for (const to of targetIds(target, note)) {
        if (to === from) {
          unresolved.add(TabularUnresolved.SELF, note.text, note.line);
          continue;
        }
        const relationKind = EDGE_NOTES[kind];
        const base = { from, to, source, validFrom: null, validTo: null, line: note.line };
        addEdge(
          relationKind === ExclusionKind.EXCLUDES1 || relationKind === ExclusionKind.EXCLUDES2
            ? { ...base, relation: Relation.EXCLUDES, kind: relationKind, note: text }
            : {
                ...base,
                relation: Relation.PAIRED_WITH,
                kind: relationKind,
                score: null,
                support: null,
                confidence: null,
                reverseConfidence: null,
                lift: null,
                note: text,
              },
        );
      }
    }
  }

  const annotations: CodeAnnotation[] = [];
  let synonymCount = 0;
  const withSynonyms = [...structure];
  for (const [owner, { list, line }] of synonyms) {
    if (list.length === 0) continue;
    synonymCount += list.length;
    if (owner.type === "diag") {
      annotations.push({ id: owner.id, synonyms: list, line });
    } else {
      const at = withSynonyms.findIndex((c) => c.id === owner.id);
      withSynonyms[at] = { ...withSynonyms[at]!, synonyms: list };
    }
  }
  annotations.sort((a, b) => a.line - b.line);

  const edgeList = [...edges.values()];
  for (const edge of edgeList) {
    const label =
      edge.relation === Relation.PAIRED_WITH || edge.relation === Relation.EXCLUDES
        ? edge.kind
        : edge.relation;
    edgeCounts[label] = (edgeCounts[label] ?? 0) + 1;
  }

  return {
    file: {
      file: path,
      format: FormatId.ICD10CM_TABULAR,
      sha256: raw.sha256,
      rows: raw.diags.length,
      snapshot: null,
      // A snapshot of the tabular's own notes, hierarchy, chapters and blocks: a newer
      // tabular closes what it no longer states, and dates what it adds.
      scope: {
        family: SOURCE,
        version,
        effective: label.effective,
        relations: [Relation.SUBSET_OF, Relation.PAIRED_WITH, Relation.EXCLUDES],
        systems: [CodeSystemId.ICD10CM],
        covers: (node) =>
          node.system === CodeSystemId.ICD10CM &&
          (node.level === CodeLevel.CHAPTER || node.level === CodeLevel.BLOCK),
      },
      codes: withSynonyms,
      annotations,
      edges: edgeList,
      unresolved: unresolved.list(),
    },
    counts: {
      version,
      chapters: raw.chapters.length,
      sections: raw.sections.length,
      diags: raw.diags.length,
      placeholderDiags: raw.diags.filter((d) => d.placeholder).length,
      categories: raw.diags.filter((d) => d.parent === null).length,
      notes: noteCounts,
      listHeadings,
      synonyms: synonymCount,
      synonymNotesSkipped,
      synonymsCitingCodes,
      edges: edgeCounts,
      repeatedTargets,
      unresolved: unresolved.counts(),
    },
  };
}

/**
 * Reads an ICD-10-CM tabular list XML into a supplement (chapters, blocks, synonyms,
 * SUBSET_OF, PAIRED_WITH and EXCLUDES edges) with the parse's own counts. A malformed
 * or unexpected file throws a {@link SourceFileError} naming its line, and nothing of it
 * is returned.
 */
export async function readTabular(path: string, options: ParseOptions = {}): Promise<TabularParse> {
  const raw = await readXml(path, options);
  return toRecords(path, raw, options);
}

export const icd10cmTabularParser: FormatParser = {
  format: FormatId.ICD10CM_TABULAR,
  description:
    "ICD-10-CM tabular list XML (NCHS): chapters, blocks, inclusion terms, code-also/first/additional and excludes notes",
  sniff(head) {
    return head.includes(`<${ROOT}`);
  },
  async parse(path, options) {
    return (await readTabular(path, options)).file;
  },
};
