import { basename } from "node:path";
import { CodeShape, grammarOf } from "../../domain/code-grammar.js";
import { CodeKind } from "../../domain/code-kind.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { decodeGemFlags, type GemFlags, Relation } from "../../domain/relationship.js";
import {
  type CodeAnnotation,
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseEdge,
} from "../records.js";
import {
  headLines,
  lineProgress,
  readLegacyTextFile,
  SingleByteEncoding,
} from "../single-byte-text.js";
import { yearInName } from "../release-label.js";
import { SourceFileError } from "../source-file-error.js";

/**
 * General Equivalence Mappings (CMS, FY2018 the last release): one row per mapping,
 * `source target flags` separated by spaces, codes without dots, CRLF line ends, ASCII.
 * The same layout serves four files: diagnoses (ICD-10-CM ↔ ICD-9-CM, 2018_I10gem.txt and
 * 2018_I9gem.txt) and procedures (ICD-10-PCS ↔ ICD-9-CM volume 3, gem_pcsi9 / gem_i9pcs).
 * Which pair a file maps is told from its ICD-10 side: ICD-10-PCS codes always have seven
 * characters, ICD-10-CM codes three to seven, so any ICD-10 code that is not seven
 * characters, or any ICD-9-CM V, E or five-digit code, makes it a diagnosis GEM.
 *
 * A row whose target is `NoDx` (or `NoPCS`) with the no-map flag set says the source has no
 * equivalent: that becomes an annotation (`noMapTo`) on the source, not an edge. Every other
 * row is a MAPS_TO edge from source to target with its five flags decoded.
 */

/** Which way a GEM maps. */
enum GemDirection {
  I10_TO_I9 = "I10_TO_I9",
  I9_TO_I10 = "I9_TO_I10",
}

/** What a GEM maps: diagnoses or procedures. */
enum GemScope {
  DIAGNOSIS = "DIAGNOSIS",
  PROCEDURE = "PROCEDURE",
}

const NO_MAP_TARGET: Readonly<Record<GemScope, string>> = {
  [GemScope.DIAGNOSIS]: "NoDx",
  [GemScope.PROCEDURE]: "NoPCS",
};

const ROW = /^(\S+)\s+(\S+)\s+(\S+)\s*$/;
/** Five flags: approximate, no map, combination (0/1 each), scenario, choice list (digits). */
const FLAGS = /^[01]{3}[0-9]{2}$/;

// Shapes for telling files apart before any row is read in full.
const I9_DX = /^([0-9]{3,5}|V[0-9]{2,4}|E[0-9]{3,4})$/;
const I9_PROC = /^[0-9]{3,4}$/;
const CM = /^[A-Z][0-9][0-9A-Z]{1,5}$/;
const PCS = /^[0-9A-HJ-NP-Z]{7}$/;
/** Share of a head's lines that may fail to fit before a file is not taken for a GEM. */
const SNIFF_MISFITS = 0.1;
const isNoMap = (token: string) => token === "NoDx" || token === "NoPCS";
const isI9 = (token: string) => I9_DX.test(token.toUpperCase()) || I9_PROC.test(token);
const isI10 = (token: string) => CM.test(token.toUpperCase()) || PCS.test(token.toUpperCase());

interface GemRow {
  readonly line: number;
  readonly text: string;
  readonly source: string;
  readonly target: string;
  readonly flags: string;
}

/** The label of a GEM's release: "2018" from 2018_I10gem.txt, unless given. */
function releaseYear(path: string, options: ParseOptions): string | undefined {
  return options.version ?? yearInName(basename(path));
}

/**
 * The scope of a GEM from all its rows: a procedure GEM only when every ICD-10 code has
 * the PCS shape, every ICD-9 code the shape of a procedure, and no row says `NoDx`.
 */
function scopeOf(rows: readonly GemRow[], direction: GemDirection): GemScope {
  const procedure = rows.every((r) => {
    const [i10, i9] =
      direction === GemDirection.I10_TO_I9 ? [r.source, r.target] : [r.target, r.source];
    return (PCS.test(i10.toUpperCase()) || i10 === "NoPCS") && (I9_PROC.test(i9) || i9 === "NoPCS");
  });
  return procedure ? GemScope.PROCEDURE : GemScope.DIAGNOSIS;
}

/** The canonical id of a GEM code in a system, reading ICD-9-CM as the scope's kind. */
function gemCodeId(system: CodeSystemId, raw: string, scope: GemScope): string | undefined {
  // Case never matters in a code: 2018_I10gem.txt line 73170 maps T88.53XD to "v5889".
  const readings = grammarOf(system).read(raw.toUpperCase());
  if (system === CodeSystemId.ICD9CM) {
    // Undotted ICD-9-CM is ambiguous: "0010" is diagnosis 001.0 or procedure 00.10.
    const kind = scope === GemScope.DIAGNOSIS ? CodeKind.DIAGNOSIS : CodeKind.PROCEDURE;
    return readings.find((r) => r.shape === CodeShape.CODE && r.kind === kind)?.id;
  }
  if (system === CodeSystemId.ICD10PCS && raw.length !== 7) return undefined;
  return readings.find((r) => r.shape === CodeShape.CODE)?.id;
}

function systemsOf(direction: GemDirection, scope: GemScope): [CodeSystemId, CodeSystemId] {
  const i10 = scope === GemScope.DIAGNOSIS ? CodeSystemId.ICD10CM : CodeSystemId.ICD10PCS;
  return direction === GemDirection.I10_TO_I9
    ? [i10, CodeSystemId.ICD9CM]
    : [CodeSystemId.ICD9CM, i10];
}

const SYSTEM_LABEL: Readonly<Record<CodeSystemId, string>> = {
  [CodeSystemId.CPT]: "CPT",
  [CodeSystemId.HCPCS]: "HCPCS",
  [CodeSystemId.ICD10CM]: "ICD-10-CM",
  [CodeSystemId.ICD10PCS]: "ICD-10-PCS",
  [CodeSystemId.ICD9CM]: "ICD-9-CM",
};

async function parseGem(
  path: string,
  options: ParseOptions,
  direction: GemDirection,
  format: FormatId,
): Promise<ParsedFile> {
  const file = basename(path);
  const { sha256, totalBytes, lines } = await readLegacyTextFile(path, SingleByteEncoding.LATIN1);
  const progress = lineProgress(options, totalBytes, lines.length);

  const rows: GemRow[] = [];
  lines.forEach((text, index) => {
    progress(index, rows.length);
    if (text.trim() === "") return;
    const line = index + 1;
    const m = ROW.exec(text);
    if (!m)
      throw new SourceFileError(
        file,
        line,
        "a GEM row has three fields: source code, target code, flags",
        text,
      );
    rows.push({ line, text, source: m[1]!, target: m[2]!, flags: m[3]! });
  });
  progress(lines.length, rows.length, true);
  if (rows.length === 0) throw new SourceFileError(file, 1, "the file holds no GEM rows");

  const scope = scopeOf(rows, direction);
  const [fromSystem, toSystem] = systemsOf(direction, scope);
  const year = releaseYear(path, options);
  const source = `GEM ${year ? `${year} ` : ""}${SYSTEM_LABEL[fromSystem]}→${SYSTEM_LABEL[toSystem]}`;
  const noMapTarget = NO_MAP_TARGET[scope];

  const edges: ReleaseEdge[] = [];
  const annotations: CodeAnnotation[] = [];
  for (const row of rows) {
    const fail = (problem: string): never => {
      throw new SourceFileError(file, row.line, problem, row.text);
    };
    if (!FLAGS.test(row.flags)) {
      fail(
        `flags ${JSON.stringify(row.flags)} must be five digits: approximate, no map and combination (0 or 1), scenario and choice list`,
      );
    }
    let flags: GemFlags;
    try {
      flags = decodeGemFlags(row.flags);
    } catch (error) {
      return fail((error as Error).message);
    }
    const from = gemCodeId(fromSystem, row.source, scope);
    if (!from)
      fail(
        `${JSON.stringify(row.source)} is not a ${SYSTEM_LABEL[fromSystem]} ${scope.toLowerCase()} code`,
      );
    if (row.target === noMapTarget || isNoMap(row.target)) {
      if (row.target !== noMapTarget)
        fail(`a ${scope.toLowerCase()} GEM says ${noMapTarget} for no map, not ${row.target}`);
      if (!flags.noMap) fail(`target ${row.target} needs the no-map flag (second digit 1)`);
      annotations.push({ id: from!, noMapTo: toSystem, line: row.line });
      continue;
    }
    if (flags.noMap) fail(`the no-map flag is set but the target is a code, not ${noMapTarget}`);
    if (flags.combination !== flags.scenario > 0 || flags.combination !== flags.choiceList > 0) {
      fail("scenario and choice list are set exactly when the combination flag is");
    }
    const to = gemCodeId(toSystem, row.target, scope);
    if (!to)
      fail(
        `${JSON.stringify(row.target)} is not a ${SYSTEM_LABEL[toSystem]} ${scope.toLowerCase()} code`,
      );
    edges.push({
      relation: Relation.MAPS_TO,
      from: from!,
      to: to!,
      flags,
      source,
      validFrom: null,
      validTo: null,
      line: row.line,
    });
  }

  return {
    file: path,
    format,
    sha256,
    rows: rows.length,
    snapshot: null,
    codes: [],
    annotations,
    edges,
    unresolved: [],
  };
}

/**
 * The direction a head of GEM rows maps, or undefined when it is not a GEM or cannot be
 * told. A row votes for I10→I9 when its source is ICD-10-shaped and its target ICD-9-shaped
 * (or no map), and the other way round; rows of V and E codes fit both and abstain. A
 * damaged row or two still leave the file recognised, so that parsing can name them.
 */
function sniffGemDirection(head: string): GemDirection | undefined {
  const lines = headLines(head).filter((l) => l.trim() !== "");
  let misfits = 0;
  let i10ToI9 = 0;
  let i9ToI10 = 0;
  for (const text of lines) {
    const m = ROW.exec(text);
    const [source, target] = m && FLAGS.test(m[3]!) ? [m[1]!, m[2]!] : ["", ""];
    const forward = isI10(source) && (isI9(target) || isNoMap(target));
    const backward = isI9(source) && (isI10(target) || isNoMap(target));
    if (!forward && !backward) misfits++;
    else if (forward && !backward) i10ToI9++;
    else if (backward && !forward) i9ToI10++;
  }
  if (misfits > lines.length * SNIFF_MISFITS) return undefined;
  if (i10ToI9 > 0 && i9ToI10 === 0) return GemDirection.I10_TO_I9;
  if (i9ToI10 > 0 && i10ToI9 === 0) return GemDirection.I9_TO_I10;
  return undefined;
}

export const gemI10ToI9Parser: FormatParser = {
  format: FormatId.GEM_I10_TO_I9,
  description:
    "General Equivalence Mappings ICD-10 → ICD-9-CM (CMS 2018_I10gem.txt, or the procedure GEM): MAPS_TO edges with decoded flags, no-map annotations",
  sniff: (head) => sniffGemDirection(head) === GemDirection.I10_TO_I9,
  parse: (path, options) => parseGem(path, options, GemDirection.I10_TO_I9, FormatId.GEM_I10_TO_I9),
};

export const gemI9ToI10Parser: FormatParser = {
  format: FormatId.GEM_I9_TO_I10,
  description:
    "General Equivalence Mappings ICD-9-CM → ICD-10 (CMS 2018_I9gem.txt, or the procedure GEM): MAPS_TO edges with decoded flags, no-map annotations",
  sniff: (head) => sniffGemDirection(head) === GemDirection.I9_TO_I10,
  parse: (path, options) => parseGem(path, options, GemDirection.I9_TO_I10, FormatId.GEM_I9_TO_I10),
};
