import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { CodeShape, type CodeReading } from "../domain/code-grammar.js";
import { readCodeInput } from "../domain/code-input.js";
import { CodeLevel } from "../domain/code-kind.js";
import { CodeSystemId } from "../domain/code-system.js";
import { type IsoDate, isIsoDate } from "../domain/dates.js";
import {
  type CodeNode,
  type CodeVersion,
  edgeKey,
  type GraphEdge,
  type GraphRecords,
  type ReleaseInfo,
} from "../domain/graph.js";
import { decodeGemFlags, ExclusionKind, PairingKind, Relation } from "../domain/relationship.js";
import { SourceFileError } from "./source-file-error.js";
import { parseTsv, type TsvRow } from "./tsv.js";

/** The files of a seed folder, in the order they are read. */
export const SEED_FILES = {
  manifest: "manifest.json",
  codes: "codes.tsv",
  pairedWith: "paired-with.tsv",
  replaces: "replaces.tsv",
  mapsTo: "maps-to.tsv",
  excludes: "excludes.tsv",
} as const;

const manifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string().min(1),
  releases: z
    .array(
      z.object({
        system: z.enum(CodeSystemId),
        version: z.string().min(1),
        effective: z.string().refine(isIsoDate, "must be a date YYYY-MM-DD"),
        source: z.string().min(1),
      }),
    )
    .min(1),
  counts: z.object({
    codes: z.record(z.string(), z.number().int().nonnegative()),
    edges: z.record(z.string(), z.number().int().nonnegative()),
  }),
});

export type SeedManifest = z.infer<typeof manifestSchema>;

/**
 * Reads and validates a hand-curated seed folder into graph records. Every problem is
 * reported with its file and line: an id not in canonical form, an unknown level, a
 * malformed date, a parent or edge end that is not in codes.tsv, counts that disagree
 * with the manifest.
 */
export async function loadSeed(dir: string): Promise<GraphRecords> {
  const read = (name: string) => readFile(join(dir, name), "utf8");
  const files = await Promise.all(
    Object.values(SEED_FILES).map(async (f) => [f, await read(f)] as const),
  );
  const content = new Map(files);
  const manifest = parseManifest(content.get(SEED_FILES.manifest)!);

  const codes = parseCodes(content.get(SEED_FILES.codes)!);
  const edges: GraphEdge[] = [...codes.subsetOf];
  edges.push(...parsePairings(content.get(SEED_FILES.pairedWith)!, codes.byId));
  edges.push(...parseReplacements(content.get(SEED_FILES.replaces)!, codes.byId));
  edges.push(...parseMappings(content.get(SEED_FILES.mapsTo)!, codes.byId));
  edges.push(...parseExclusions(content.get(SEED_FILES.excludes)!, codes.byId));
  rejectDuplicateEdges(edges);

  const nodes = [...codes.byId.values()].map((e) => e.node);
  checkCounts(manifest, nodes, edges);

  const sha256 = createHash("sha256");
  for (const [name, text] of files) sha256.update(name).update("\0").update(text).update("\0");
  const digest = sha256.digest("hex");
  const importedAt = new Date().toISOString();
  const releases: ReleaseInfo[] = manifest.releases.map((r) => ({
    ...r,
    importedAt,
    sha256: digest,
    codeCount: nodes.filter((n) => n.system === r.system).length,
  }));
  return { codes: nodes, edges, releases };
}

function parseManifest(text: string): SeedManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceFileError(SEED_FILES.manifest, 1, `not JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SourceFileError(SEED_FILES.manifest, 1, `${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

interface ParsedCode {
  node: CodeNode;
  line: number;
  parent: string;
}

/** Reads an id that must already be canonical, `SYSTEM:CODE`. */
function canonicalReading(file: string, row: TsvRow, column: string): CodeReading {
  const id = row.get(column);
  if (!/^[A-Z0-9]+:/.test(id)) {
    throw new SourceFileError(
      file,
      row.line,
      `${column} must be SYSTEM:CODE, found ${JSON.stringify(id)}`,
    );
  }
  let readings: CodeReading[];
  try {
    readings = readCodeInput(id);
  } catch (error) {
    throw new SourceFileError(file, row.line, (error as Error).message, row.text);
  }
  const exact = readings.find((r) => r.id === id);
  if (!exact) {
    const canonical = readings.map((r) => r.id).join(" or ");
    throw new SourceFileError(
      file,
      row.line,
      `${id} is not canonical: write ${canonical}`,
      row.text,
    );
  }
  return exact;
}

function date(file: string, row: TsvRow, column: string, required: boolean): IsoDate | null {
  const value = row.get(column);
  if (value === "") {
    if (required) throw new SourceFileError(file, row.line, `${column} is required`, row.text);
    return null;
  }
  if (!isIsoDate(value)) {
    throw new SourceFileError(
      file,
      row.line,
      `${column} ${JSON.stringify(value)} is not a date YYYY-MM-DD`,
      row.text,
    );
  }
  return value;
}

function oneOf<T extends string>(
  file: string,
  row: TsvRow,
  column: string,
  values: readonly T[],
): T {
  const value = row.get(column);
  if (!(values as readonly string[]).includes(value)) {
    throw new SourceFileError(
      file,
      row.line,
      `${column} must be one of ${values.join(", ")}`,
      row.text,
    );
  }
  return value as T;
}

/** Levels each shape of code may take in the seed. */
function levelFits(reading: CodeReading, level: CodeLevel): boolean {
  if (reading.system === CodeSystemId.ICD10PCS) {
    const byLength: Record<number, CodeLevel> = {
      1: CodeLevel.CHAPTER,
      2: CodeLevel.BLOCK,
      3: CodeLevel.CATEGORY,
      7: CodeLevel.CODE,
    };
    return byLength[reading.code.length] === level;
  }
  if (reading.shape === CodeShape.RANGE)
    return level === CodeLevel.CHAPTER || level === CodeLevel.BLOCK;
  return level !== CodeLevel.CHAPTER && level !== CodeLevel.BLOCK;
}

function parseCodes(text: string): { byId: Map<string, ParsedCode>; subsetOf: GraphEdge[] } {
  const file = SEED_FILES.codes;
  const columns = [
    "id",
    "level",
    "billable",
    "valid_from",
    "valid_to",
    "parent",
    "title",
    "short_title",
    "synonyms",
  ];
  const byId = new Map<string, ParsedCode>();
  for (const row of parseTsv(file, text, columns)) {
    const reading = canonicalReading(file, row, "id");
    const level = oneOf(file, row, "level", Object.values(CodeLevel));
    if (!levelFits(reading, level)) {
      throw new SourceFileError(
        file,
        row.line,
        `${reading.id} cannot be at level ${level}`,
        row.text,
      );
    }
    const billable = oneOf(file, row, "billable", ["0", "1"] as const) === "1";
    if (billable && (level === CodeLevel.CHAPTER || level === CodeLevel.BLOCK)) {
      throw new SourceFileError(file, row.line, `a ${level} is never billable`, row.text);
    }
    const validFrom = date(file, row, "valid_from", true);
    const validTo = date(file, row, "valid_to", false);
    if (validFrom && validTo && validTo < validFrom) {
      throw new SourceFileError(file, row.line, "valid_to is before valid_from", row.text);
    }
    const title = row.get("title");
    if (title === "") throw new SourceFileError(file, row.line, "title is required", row.text);
    const version: CodeVersion = {
      validFrom,
      validTo,
      title,
      shortTitle: row.get("short_title") || null,
      billable,
    };
    const synonyms =
      row.get("synonyms") === ""
        ? []
        : row
            .get("synonyms")
            .split("|")
            .map((s) => s.trim());
    const parent = row.get("parent");

    const prior = byId.get(reading.id);
    if (prior) {
      // A repeated id is a later version of the same code.
      const last = prior.node.versions[prior.node.versions.length - 1]!;
      if (prior.node.level !== level || prior.parent !== parent) {
        throw new SourceFileError(
          file,
          row.line,
          `a later version of ${reading.id} must keep its level and parent`,
          row.text,
        );
      }
      if (last.validTo === null || (validFrom !== null && validFrom <= last.validTo)) {
        throw new SourceFileError(
          file,
          row.line,
          `version of ${reading.id} overlaps the one on line ${prior.line}`,
          row.text,
        );
      }
      prior.node = {
        ...prior.node,
        versions: [...prior.node.versions, version],
        synonyms: [...new Set([...prior.node.synonyms, ...synonyms])],
      };
      continue;
    }
    byId.set(reading.id, {
      line: row.line,
      parent,
      node: {
        id: reading.id,
        system: reading.system,
        code: reading.code,
        kind: reading.kind,
        level,
        versions: [version],
        synonyms,
        noMapTo: [],
        attributes: {},
      },
    });
  }

  const subsetOf: GraphEdge[] = [];
  for (const { node, line, parent } of byId.values()) {
    if (parent === "") continue;
    const target = byId.get(parent);
    if (!target)
      throw new SourceFileError(file, line, `parent ${parent} of ${node.id} is not in ${file}`);
    if (target.node.system !== node.system) {
      throw new SourceFileError(file, line, `parent ${parent} of ${node.id} is in another system`);
    }
    const first = node.versions[0]!;
    const last = node.versions[node.versions.length - 1]!;
    subsetOf.push({
      relation: Relation.SUBSET_OF,
      from: node.id,
      to: parent,
      source: "seed",
      validFrom: first.validFrom,
      validTo: last.validTo,
    });
  }
  return { byId, subsetOf };
}

function endpoint(
  file: string,
  row: TsvRow,
  column: string,
  codes: ReadonlyMap<string, ParsedCode>,
): string {
  const { id } = canonicalReading(file, row, column);
  if (!codes.has(id))
    throw new SourceFileError(
      file,
      row.line,
      `${column} ${id} is not in ${SEED_FILES.codes}`,
      row.text,
    );
  return id;
}

function required(file: string, row: TsvRow, column: string): string {
  const value = row.get(column);
  if (value === "") throw new SourceFileError(file, row.line, `${column} is required`, row.text);
  return value;
}

function optionalNumber(
  file: string,
  row: TsvRow,
  column: string,
  min: number,
  max: number,
): number | null {
  const value = row.get(column);
  if (value === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new SourceFileError(
      file,
      row.line,
      `${column} must be a number from ${min} to ${max}`,
      row.text,
    );
  }
  return n;
}

function parsePairings(text: string, codes: ReadonlyMap<string, ParsedCode>): GraphEdge[] {
  const file = SEED_FILES.pairedWith;
  return parseTsv(file, text, ["from", "to", "kind", "source", "score", "note"]).map((row) => ({
    relation: Relation.PAIRED_WITH,
    from: endpoint(file, row, "from", codes),
    to: endpoint(file, row, "to", codes),
    kind: oneOf(file, row, "kind", Object.values(PairingKind)),
    source: required(file, row, "source"),
    score: optionalNumber(file, row, "score", 0, 1),
    support: null,
    confidence: null,
    reverseConfidence: null,
    lift: null,
    note: row.get("note") || null,
    validFrom: null,
    validTo: null,
  }));
}

function parseReplacements(text: string, codes: ReadonlyMap<string, ParsedCode>): GraphEdge[] {
  const file = SEED_FILES.replaces;
  return parseTsv(file, text, ["new", "old", "effective", "source"]).map((row) => ({
    relation: Relation.REPLACES,
    from: endpoint(file, row, "new", codes),
    to: endpoint(file, row, "old", codes),
    effective: date(file, row, "effective", true)!,
    source: required(file, row, "source"),
    validFrom: null,
    validTo: null,
  }));
}

function parseMappings(text: string, codes: ReadonlyMap<string, ParsedCode>): GraphEdge[] {
  const file = SEED_FILES.mapsTo;
  return parseTsv(file, text, ["from", "to", "flags", "source"]).map((row) => {
    let flags;
    try {
      flags = decodeGemFlags(row.get("flags"));
    } catch (error) {
      throw new SourceFileError(file, row.line, (error as Error).message, row.text);
    }
    const edge: GraphEdge = {
      relation: Relation.MAPS_TO,
      from: endpoint(file, row, "from", codes),
      to: endpoint(file, row, "to", codes),
      flags,
      source: required(file, row, "source"),
      validFrom: null,
      validTo: null,
    };
    const systems = [codes.get(edge.from)!.node.system, codes.get(edge.to)!.node.system]
      .sort()
      .join("→");
    if (
      systems !== `${CodeSystemId.ICD10CM}→${CodeSystemId.ICD9CM}` &&
      systems !== `${CodeSystemId.ICD10PCS}→${CodeSystemId.ICD9CM}`
    ) {
      throw new SourceFileError(
        file,
        row.line,
        "a mapping links ICD-9-CM with ICD-10-CM or ICD-10-PCS",
        row.text,
      );
    }
    return edge;
  });
}

function parseExclusions(text: string, codes: ReadonlyMap<string, ParsedCode>): GraphEdge[] {
  const file = SEED_FILES.excludes;
  return parseTsv(file, text, ["from", "to", "kind", "source", "note"]).map((row) => ({
    relation: Relation.EXCLUDES,
    from: endpoint(file, row, "from", codes),
    to: endpoint(file, row, "to", codes),
    kind: oneOf(file, row, "kind", Object.values(ExclusionKind)),
    source: required(file, row, "source"),
    note: row.get("note") || null,
    validFrom: null,
    validTo: null,
  }));
}

function rejectDuplicateEdges(edges: readonly GraphEdge[]): void {
  const seen = new Set<string>();
  for (const edge of edges) {
    const key = edgeKey(edge);
    if (seen.has(key))
      throw new SourceFileError(
        "seed",
        0,
        `duplicate ${edge.relation} edge ${edge.from} → ${edge.to}`,
      );
    seen.add(key);
  }
}

/** The manifest states the counts; a difference means a file was edited without it. */
function checkCounts(
  manifest: SeedManifest,
  nodes: readonly CodeNode[],
  edges: readonly GraphEdge[],
): void {
  const tally = (keys: readonly string[]) => {
    const counts: Record<string, number> = {};
    for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
    return counts;
  };
  const actual = {
    codes: tally(nodes.map((n) => n.system)),
    edges: tally(edges.map((e) => e.relation)),
  };
  for (const part of ["codes", "edges"] as const) {
    const stated = manifest.counts[part];
    for (const key of new Set([...Object.keys(stated), ...Object.keys(actual[part])])) {
      if ((stated[key] ?? 0) !== (actual[part][key] ?? 0)) {
        throw new SourceFileError(
          SEED_FILES.manifest,
          1,
          `counts.${part}.${key} says ${stated[key] ?? 0} but the files hold ${actual[part][key] ?? 0}`,
        );
      }
    }
  }
}
