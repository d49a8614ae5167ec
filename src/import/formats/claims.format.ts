import { basename } from "node:path";
import { type CodeReading, CodeShape } from "../../domain/code-grammar.js";
import { CodeInputError, readCodeInput } from "../../domain/code-input.js";
import { CodeKind } from "../../domain/code-kind.js";
import { CodeSystemId, parseSystemName } from "../../domain/code-system.js";
import { PairingKind, Relation } from "../../domain/relationship.js";
import { type CsvHeader, type CsvRow, headerColumnsInHead, readCsv } from "../csv-rows.js";
import { today } from "../../domain/dates.js";
import {
  type EdgeScope,
  FormatId,
  type FormatParser,
  type ParsedFile,
  type ParseOptions,
  type ReleaseEdge,
  scopeSource,
} from "../records.js";
import { SourceFileError } from "../source-file-error.js";
import { UnresolvedTally } from "../unresolved-tally.js";

/**
 * Pairings observed on claims: which diagnoses accompany which procedures. Two layouts,
 * both UTF-8 CSV with a header row (columns in any order, case-insensitive):
 *
 * Encounters (`encounter_id,system,code`): one row per code on an encounter (a claim, a
 * visit), in any order. `system` is any name of a code system (CPT, HCPCS, ICD-10-CM,
 * ICD-10-PCS, ICD-9-CM ...); for undotted ICD-9-CM, which cannot tell diagnosis 361.0 from
 * procedure 36.10, write the dot or name the side: `ICD9CM-DX` / `ICD9CM-PX`. CPT, HCPCS,
 * ICD-10-PCS and ICD-9-CM procedure codes are procedures; ICD-10-CM and ICD-9-CM
 * diagnosis codes are diagnoses; a modifier or a range is refused. A code counts once per
 * encounter however often it is listed. With N encounters in the file, n(p) encounters
 * holding procedure p, n(d) holding diagnosis d and n(p,d) holding both, the edge p → d
 * (PAIRED_WITH, kind OBSERVED) carries
 *
 *   support           = n(p,d)
 *   confidence        = n(p,d) / n(p)          P(d | p)
 *   reverseConfidence = n(p,d) / n(d)          P(p | d)
 *   lift              = n(p,d) · N / (n(p) · n(d))
 *   score             = confidence
 *
 * for every pair with support ≥ minSupport (option `minSupport`, default 5; CMS data-use
 * agreements usually require 11). Memory: the input need not be sorted, so every
 * encounter's distinct codes are held until the end of the file, as one exact-size array
 * of code numbers keyed by encounter id, and the counts are updated as rows arrive: about
 * 130 bytes per encounter of three codes, so ten million encounters take some 1.3 GB.
 * Beyond that, count in the warehouse and import the pre-counted layout.
 *
 * Either file is a snapshot of its label (`label` option, else the file's name) as of
 * `effective` (else the day of the import): a later file of the label closes the pairs it
 * no longer has (see `EdgeScope`). Pairs under the minimum support are counted in
 * `unresolved`, not dropped unseen.
 *
 * Pre-counted pairs (`procedure,diagnosis,count`): codes as `SYSTEM:CODE` (CPT:99213,
 * ICD10CM:E11.9; the column decides an undotted ICD-9-CM code's side), count a positive
 * integer of encounters; repeated pairs are added up. Such a file lacks the marginals,
 * so it may state them: a row with an empty diagnosis gives n(p), one with an empty
 * procedure gives n(d), and one with both empty gives N. Where a marginal is not stated
 * it is the sum of the file's pair counts for that code, and N the sum of all pair counts:
 * then confidence is the share of p's listed pairings that name d, not P(d | p) over
 * encounters, and lift is relative to pair occurrences; both are exact only when the
 * marginals are stated.
 */

/** Pairs seen on fewer encounters than this are left out unless the options say otherwise. */
export const DEFAULT_MIN_SUPPORT = 5;

enum Side {
  PROCEDURE = "procedure",
  DIAGNOSIS = "diagnosis",
}

const ENCOUNTER_COLUMNS = ["encounter_id", "system", "code"] as const;
const PAIR_COLUMNS = ["procedure", "diagnosis", "count"] as const;

/** ICD-9-CM names that also say which volume: diagnoses or procedures. */
const ICD9_SIDES: ReadonlyMap<string, Side> = new Map([
  ["ICD9CMDX", Side.DIAGNOSIS],
  ["ICD9DX", Side.DIAGNOSIS],
  ["ICD9CMPX", Side.PROCEDURE],
  ["ICD9PX", Side.PROCEDURE],
  ["ICD9CMPROC", Side.PROCEDURE],
  ["ICD9PROC", Side.PROCEDURE],
]);

function sideOf(reading: CodeReading): Side | undefined {
  if (reading.shape !== CodeShape.CODE) return undefined;
  return reading.kind === CodeKind.DIAGNOSIS ? Side.DIAGNOSIS : Side.PROCEDURE;
}

function minSupportOf(options: ParseOptions): number {
  const min = options.minSupport ?? DEFAULT_MIN_SUPPORT;
  if (!Number.isInteger(min) || min < 1) {
    throw new Error(`minimum support must be a whole number of encounters, at least 1; got ${min}`);
  }
  return min;
}

function checkHeader(file: string, header: CsvHeader, expected: readonly string[]): void {
  const sorted = (list: readonly string[]) => [...list].sort().join(",");
  if (sorted(header.columns) !== sorted(expected)) {
    throw new SourceFileError(
      file,
      header.line,
      `the header must name the columns ${expected.join(",")} (in any order)`,
      header.text,
    );
  }
}

/** Codes interned as small integers, so encounters and pair counts hold numbers, not strings. */
class CodeTable {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  intern(id: string): number {
    let n = this.index.get(id);
    if (n === undefined) {
      n = this.ids.length;
      if (n >= PAIR_SHIFT)
        throw new Error(`more than ${PAIR_SHIFT} distinct codes in one claims file`);
      this.ids.push(id);
      this.index.set(id, n);
    }
    return n;
  }
}

/** Pair keys: procedure index × 2^22 + diagnosis index stays an exact double for 4M codes each. */
const PAIR_SHIFT = 0x400000;
const pairKey = (p: number, d: number) => p * PAIR_SHIFT + d;

interface Counts {
  readonly codes: CodeTable;
  readonly procedures: Map<number, number>;
  readonly diagnoses: Map<number, number>;
  readonly pairs: Map<number, number>;
  readonly total: number;
}

/** Reason under which pairs seen on too few encounters are counted. */
export const BELOW_MIN_SUPPORT = "pairs below the minimum support (left out)";

/**
 * The PAIRED_WITH edges of pairs with enough support, in a stable order; pairs with less
 * are counted in `unresolved`, so that a threshold never drops pairings unseen.
 */
function pairEdges(
  counts: Counts,
  minSupport: number,
  source: string,
  lines: ReadonlyMap<number, number>,
  unresolved: UnresolvedTally,
): ReleaseEdge[] {
  const edges: ReleaseEdge[] = [];
  for (const [key, support] of counts.pairs) {
    const p = Math.floor(key / PAIR_SHIFT);
    const d = key % PAIR_SHIFT;
    if (support < minSupport) {
      unresolved.add(
        BELOW_MIN_SUPPORT,
        `${counts.codes.ids[p]} → ${counts.codes.ids[d]} on ${support} of at least ${minSupport}`,
        lines.get(key) ?? 0,
      );
      continue;
    }
    const np = counts.procedures.get(p)!;
    const nd = counts.diagnoses.get(d)!;
    const confidence = support / np;
    edges.push({
      relation: Relation.PAIRED_WITH,
      kind: PairingKind.OBSERVED,
      from: counts.codes.ids[p]!,
      to: counts.codes.ids[d]!,
      score: confidence,
      support,
      confidence,
      reverseConfidence: support / nd,
      lift: (support * counts.total) / (np * nd),
      note: null,
      source,
      validFrom: null,
      validTo: null,
      line: lines.get(key) ?? 0,
    });
  }
  return edges.sort((a, b) =>
    a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1,
  );
}

/**
 * The family a claims file is a snapshot of: its label (`--label`, else the file's name)
 * as of `--effective` (else the day of the import). A later file under the same label
 * closes the pairings it no longer has; its version is the date, so snapshots sort.
 */
function claimsScope(path: string, options: ParseOptions): EdgeScope {
  const label = options.label ?? basename(path);
  if (label.trim() === "") throw new Error(`${path}: a claims label cannot be empty`);
  const effective = options.effective ?? options.today ?? today();
  return {
    family: `claims: ${label}`,
    version: effective,
    effective,
    relations: [Relation.PAIRED_WITH],
    systems: PROCEDURE_SYSTEMS,
  };
}

/** Systems whose codes are procedures here: where a claims family's edges start. */
const PROCEDURE_SYSTEMS: readonly CodeSystemId[] = [
  CodeSystemId.CPT,
  CodeSystemId.HCPCS,
  CodeSystemId.ICD10PCS,
  CodeSystemId.ICD9CM,
];

/** Pairs in, a claims snapshot out. */
function claimsFile(
  path: string,
  format: FormatId,
  options: ParseOptions,
  read: { sha256: string; rows: number },
  counts: Counts,
  lines: ReadonlyMap<number, number>,
): ParsedFile {
  const scope = claimsScope(path, options);
  const unresolved = new UnresolvedTally();
  const edges = pairEdges(counts, minSupportOf(options), scopeSource(scope), lines, unresolved);
  return {
    file: path,
    format,
    sha256: read.sha256,
    rows: read.rows,
    snapshot: null,
    scope,
    codes: [],
    annotations: [],
    edges,
    unresolved: unresolved.list(),
  };
}

// ── Encounters ─────────────────────────────────────────────────────────────────────

/** One row's code read in its named system, as a procedure or diagnosis. */
function encounterCode(file: string, row: CsvRow): { id: string; side: Side } {
  const fail = (problem: string): never => {
    throw new SourceFileError(file, row.line, problem, row.text);
  };
  const systemName = row.get("system");
  const key = systemName.toUpperCase().replace(/[\s\-_.]/g, "");
  const icd9Side = ICD9_SIDES.get(key);
  const system = icd9Side ? CodeSystemId.ICD9CM : parseSystemName(systemName);
  if (!system) {
    fail(
      `unknown code system ${JSON.stringify(systemName)}; use CPT, HCPCS, ICD10CM, ICD10PCS, ICD9CM, ICD9CM-DX or ICD9CM-PX`,
    );
  }
  let readings: CodeReading[];
  try {
    readings = readCodeInput(row.get("code"), system);
  } catch (error) {
    if (error instanceof CodeInputError) return fail(error.message);
    throw error;
  }
  const codeReadings = readings.filter((r) => sideOf(r) !== undefined);
  if (codeReadings.length === 0) {
    fail(
      `${JSON.stringify(row.get("code"))} is a ${readings[0]!.shape.toLowerCase()}, not a procedure or diagnosis code`,
    );
  }
  const sided = icd9Side ? codeReadings.filter((r) => sideOf(r) === icd9Side) : codeReadings;
  if (sided.length === 0)
    fail(`${JSON.stringify(row.get("code"))} is not an ICD-9-CM ${icd9Side} code`);
  if (sided.length > 1) {
    fail(
      `${JSON.stringify(row.get("code"))} could be ${sided.map((r) => `${sideOf(r)} ${r.code}`).join(" or ")}: write the dot, or use system ICD9CM-DX / ICD9CM-PX`,
    );
  }
  return { id: sided[0]!.id, side: sideOf(sided[0]!)! };
}

/**
 * An encounter's distinct codes so far, in one exact-size array: a procedure as its code
 * index, a diagnosis as -(index + 1). Measured on Node 20, a million encounters of three
 * codes hold 133 MB this way against 470 MB as two growable arrays per encounter.
 */
type EncounterCodes = readonly number[];
const diagnosisTag = (code: number) => -code - 1;

async function parseEncounters(path: string, options: ParseOptions): Promise<ParsedFile> {
  const file = basename(path);
  // A bad threshold is refused before the file is read.
  minSupportOf(options);
  const codes = new CodeTable();
  const encounters = new Map<string, EncounterCodes>();
  const procedures = new Map<number, number>();
  const diagnoses = new Map<number, number>();
  const pairs = new Map<number, number>();
  // The line where each pair reached its final count is not known until the end; the
  // line it was first seen on is what an error report or a curator can look up.
  const firstLines = new Map<number, number>();
  const readings = new Map<string, { code: number; side: Side }>();
  const bump = (map: Map<number, number>, key: number) => map.set(key, (map.get(key) ?? 0) + 1);
  const pair = (p: number, d: number, line: number) => {
    const key = pairKey(p, d);
    bump(pairs, key);
    if (!firstLines.has(key)) firstLines.set(key, line);
  };

  const read = await readCsv(
    path,
    options,
    (header) => checkHeader(file, header, ENCOUNTER_COLUMNS),
    (row) => {
      const encounterId = row.get("encounter_id");
      if (encounterId === "")
        throw new SourceFileError(file, row.line, "encounter_id is empty", row.text);
      // Extracts repeat a few thousand codes millions of times: read each spelling once.
      const spelling = `${row.get("system")}\u0000${row.get("code")}`;
      let known = readings.get(spelling);
      if (!known) {
        const { id, side } = encounterCode(file, row);
        readings.set(spelling, (known = { code: codes.intern(id), side }));
      }
      const { code, side } = known;
      const tag = side === Side.PROCEDURE ? code : diagnosisTag(code);
      const held = encounters.get(encounterId) ?? [];
      if (held.includes(tag)) return;
      // Counting as codes arrive gives the same numbers as grouping first, without sorting.
      if (side === Side.PROCEDURE) {
        bump(procedures, code);
        for (const other of held) if (other < 0) pair(code, diagnosisTag(other), row.line);
      } else {
        bump(diagnoses, code);
        for (const other of held) if (other >= 0) pair(other, code, row.line);
      }
      // concat allocates the exact size; push would reserve room for 16 more.
      encounters.set(encounterId, held.concat(tag));
    },
  );
  const counts: Counts = { codes, procedures, diagnoses, pairs, total: encounters.size };
  return claimsFile(path, FormatId.CLAIMS_ENCOUNTERS, options, read, counts, firstLines);
}

// ── Pre-counted pairs ──────────────────────────────────────────────────────────────

/** A `SYSTEM:CODE` cell read as a code of the column's side. */
function pairCode(file: string, row: CsvRow, column: Side): string {
  const fail = (problem: string): never => {
    throw new SourceFileError(file, row.line, problem, row.text);
  };
  const raw = row.get(column);
  if (!raw.includes(":")) {
    fail(
      `${column} ${JSON.stringify(raw)} needs its system, as in ${column === Side.PROCEDURE ? "CPT:99213" : "ICD10CM:E11.9"}`,
    );
  }
  let readings: CodeReading[];
  try {
    readings = readCodeInput(raw);
  } catch (error) {
    if (error instanceof CodeInputError) return fail(error.message);
    throw error;
  }
  const reading = readings.find((r) => sideOf(r) === column);
  if (!reading) fail(`${JSON.stringify(raw)} is not a ${column} code`);
  return reading!.id;
}

async function parsePairs(path: string, options: ParseOptions): Promise<ParsedFile> {
  const file = basename(path);
  // A bad threshold is refused before the file is read.
  minSupportOf(options);
  const codes = new CodeTable();
  const pairs = new Map<number, number>();
  const firstLines = new Map<number, number>();
  const stated = { procedures: new Map<number, number>(), diagnoses: new Map<number, number>() };
  const statedLines = new Map<string, { line: number; text: string }>();
  let statedTotal: number | undefined;

  const read = await readCsv(
    path,
    options,
    (header) => checkHeader(file, header, PAIR_COLUMNS),
    (row) => {
      const fail = (problem: string): never => {
        throw new SourceFileError(file, row.line, problem, row.text);
      };
      const countText = row.get("count");
      if (
        !/^[0-9]+$/.test(countText) ||
        Number(countText) < 1 ||
        !Number.isSafeInteger(Number(countText))
      ) {
        fail(`count ${JSON.stringify(countText)} must be a whole number of encounters, at least 1`);
      }
      const count = Number(countText);
      const hasProcedure = row.get(Side.PROCEDURE) !== "";
      const hasDiagnosis = row.get(Side.DIAGNOSIS) !== "";
      const p = hasProcedure ? codes.intern(pairCode(file, row, Side.PROCEDURE)) : undefined;
      const d = hasDiagnosis ? codes.intern(pairCode(file, row, Side.DIAGNOSIS)) : undefined;
      if (p !== undefined && d !== undefined) {
        const key = pairKey(p, d);
        pairs.set(key, (pairs.get(key) ?? 0) + count);
        if (!firstLines.has(key)) firstLines.set(key, row.line);
        return;
      }
      const [map, code, name] =
        p !== undefined
          ? [stated.procedures, p, `encounters with ${codes.ids[p]}`]
          : d !== undefined
            ? [stated.diagnoses, d, `encounters with ${codes.ids[d]}`]
            : [undefined, -1, "encounters in all"];
      const earlier = statedLines.get(name);
      if (earlier) fail(`${name} were already stated on line ${earlier.line}`);
      statedLines.set(name, { line: row.line, text: row.text });
      if (map) map.set(code, count);
      else statedTotal = count;
    },
  );

  // Marginals: the stated ones, else the sums of the file's own pair counts.
  const procedures = new Map<number, number>();
  const diagnoses = new Map<number, number>();
  let total = 0;
  for (const [key, support] of pairs) {
    const p = Math.floor(key / PAIR_SHIFT);
    const d = key % PAIR_SHIFT;
    procedures.set(p, (procedures.get(p) ?? 0) + support);
    diagnoses.set(d, (diagnoses.get(d) ?? 0) + support);
    total += support;
  }
  const refuse = (name: string, problem: string): never => {
    const at = statedLines.get(name)!;
    throw new SourceFileError(file, at.line, problem, at.text);
  };
  for (const [key, support] of pairs) {
    const p = Math.floor(key / PAIR_SHIFT);
    const d = key % PAIR_SHIFT;
    for (const [code, map] of [
      [p, stated.procedures],
      [d, stated.diagnoses],
    ] as const) {
      const n = map.get(code);
      if (n !== undefined && n < support) {
        refuse(
          `encounters with ${codes.ids[code]}`,
          `${n} encounters with ${codes.ids[code]} is fewer than the ${support} of its pair ${codes.ids[p]} – ${codes.ids[d]}`,
        );
      }
    }
  }
  for (const [code, n] of stated.procedures) procedures.set(code, n);
  for (const [code, n] of stated.diagnoses) diagnoses.set(code, n);
  if (statedTotal !== undefined) {
    for (const [code, n] of [...stated.procedures, ...stated.diagnoses]) {
      if (n > statedTotal) {
        refuse(
          "encounters in all",
          `${statedTotal} encounters in all is fewer than the ${n} with ${codes.ids[code]}`,
        );
      }
    }
    total = statedTotal;
  }
  const counts: Counts = { codes, procedures, diagnoses, pairs, total };
  return claimsFile(path, FormatId.CLAIMS_PAIRS, options, read, counts, firstLines);
}

// ── Registration ───────────────────────────────────────────────────────────────────

/** Whether a head's first line is a header naming exactly these columns. */
function sniffHeader(head: string, expected: readonly string[]): boolean {
  const columns = headerColumnsInHead(head);
  return columns !== undefined && [...columns].sort().join(",") === [...expected].sort().join(",");
}

export const claimsEncountersParser: FormatParser = {
  format: FormatId.CLAIMS_ENCOUNTERS,
  description:
    "Claims codes per encounter (CSV encounter_id,system,code): PAIRED_WITH edges of kind OBSERVED with support, confidence and lift",
  sniff: (head) => sniffHeader(head, ENCOUNTER_COLUMNS),
  parse: parseEncounters,
};

export const claimsPairsParser: FormatParser = {
  format: FormatId.CLAIMS_PAIRS,
  description:
    "Pre-counted claims pairs (CSV procedure,diagnosis,count with SYSTEM:CODE codes, optional marginal rows): PAIRED_WITH edges of kind OBSERVED",
  sniff: (head) => sniffHeader(head, PAIR_COLUMNS),
  parse: parsePairs,
};
