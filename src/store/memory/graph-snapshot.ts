import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type CodeKind, type CodeLevel } from "../../domain/code-kind.js";
import { type CodeSystemId } from "../../domain/code-system.js";
import {
  assertNever,
  type CodeNode,
  type CodeVersion,
  type GraphEdge,
  type GraphRecords,
  type ReleaseInfo,
} from "../../domain/graph.js";
import {
  decodeGemFlags,
  encodeGemFlags,
  type ExclusionKind,
  type GemFlags,
  type PairingKind,
  Relation,
} from "../../domain/relationship.js";
import { type MemoryGraph } from "./memory-graph.js";
import { type Persist } from "./memory-store.js";

/**
 * The embedded store's saved graph: one JSON file in the data folder, written atomically
 * (a temporary file in the same folder, flushed, then renamed over the old one), so a
 * reader sees the old graph or the new one, never half of either.
 *
 * Layout, version 1 — arrays rather than objects, because `JSON.parse` builds arrays two
 * to three times faster than objects with the same strings, and start-up time is what
 * this file is for (a full release set: 200,000 nodes and 320,000 edges).
 *
 * ```
 * { "format": "codegraph-graph", "version": 1, "savedAt": ISO, "counts": {...},
 *   "releases": [ReleaseInfo, ...],
 *   "nodes": [[id, kind, level, versions, synonyms?, noMapTo?, attributes?], ...],
 *   "edges": [[relation, from, to, source, validFrom, validTo, ...fields], ...],
 *   "strings": [s0, s1, ...] }
 * ```
 *
 * - Strings that repeat (kinds, levels, relations, sources, dates, GEM flags, pairing
 *   kinds) are written once in `strings` and referred to by index; dates are -1 for null.
 * - `versions` is flat: title, short title (0 when equal to the title, null when none),
 *   billable (0/1), validFrom, validTo, for each version.
 * - An edge's ends are indexes into `nodes`: no end can be missing, each id string is
 *   shared by its node and its edges, and no id is hashed twice on loading.
 * - `fields` are the relation's own, in a fixed order: REPLACES effective; MAPS_TO the
 *   GEM flags as their five digits; PAIRED_WITH kind, score, support, confidence,
 *   reverseConfidence, lift, note; EXCLUDES kind, note. A change to the edge types is a
 *   new version of this layout.
 *
 * The file is written from a graph's node and edge maps, so its ids and edge keys are
 * unique: loading it skips the checks a load of foreign records makes (see
 * MemoryGraph.fromSaved).
 */
export const GRAPH_FILE = "graph.json";
export const GRAPH_FILE_FORMAT = "codegraph-graph";
export const GRAPH_FILE_VERSION = 1;

/**
 * What most nodes have, shared rather than allocated 200,000 times on every start (nodes
 * are read-only; frozen, a stray write fails loudly).
 */
const NONE: readonly string[] = Object.freeze([]);
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** The graph could not be saved; the file saved before is left as it was. */
export class GraphSaveError extends Error {
  override readonly name = "GraphSaveError";
}

/** The saved graph cannot be read: corrupt, truncated, or written by another version. */
export class GraphFileError extends Error {
  override readonly name = "GraphFileError";
}

type Cell = string | number | null;
type NodeRow = [string, number, number, Cell[], string[]?, string[]?, Record<string, string>?];
type EdgeRow = [number, number, number, number, number, number, ...Cell[]];

interface GraphFile {
  readonly format: string;
  readonly version: number;
  readonly savedAt: string;
  readonly counts: { readonly nodes: number; readonly edges: number; readonly releases: number };
  readonly strings: string[];
  readonly releases: ReleaseInfo[];
  readonly nodes: NodeRow[];
  readonly edges: EdgeRow[];
}

/** The graph as the saved file's text (what `saveGraph` writes, in one string). */
export function encodeGraph(
  records: GraphRecords,
  savedAt: string = new Date().toISOString(),
): string {
  return [...graphChunks(records, savedAt)].join("");
}

/** Rows per chunk of the saved file: large enough to write fast, small enough to hold. */
const ROWS_PER_CHUNK = 10_000;

/**
 * The saved file's text in pieces, so that saving a full release set never holds its
 * 40 MB of JSON, nor all its rows, at once. `strings` comes last: it is complete only
 * once every row has been written, and JSON objects have no order that parsing needs.
 */
function* graphChunks(records: GraphRecords, savedAt: string): Generator<string> {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const date = (d: string | null) => (d === null ? -1 : ref(d));
  const ordinal = new Map<string, number>();
  records.codes.forEach((n, i) => ordinal.set(n.id, i));
  const end = (id: string) => {
    const i = ordinal.get(id);
    if (i === undefined)
      throw new Error(`cannot save the graph: an edge names ${id}, which is not one of its nodes`);
    return i;
  };

  const nodeRow = (n: CodeNode): NodeRow => {
    const versions: Cell[] = [];
    for (const v of n.versions) {
      versions.push(
        v.title,
        v.shortTitle === v.title ? 0 : v.shortTitle,
        v.billable ? 1 : 0,
        date(v.validFrom),
        date(v.validTo),
      );
    }
    const row: NodeRow = [n.id, ref(n.kind), ref(n.level), versions];
    if (n.synonyms.length > 0 || n.noMapTo.length > 0 || Object.keys(n.attributes).length > 0) {
      row.push([...n.synonyms], [...n.noMapTo], { ...n.attributes });
    }
    return row;
  };
  const edgeRow = (e: GraphEdge): EdgeRow => [
    ref(e.relation),
    end(e.from),
    end(e.to),
    ref(e.source),
    date(e.validFrom),
    date(e.validTo),
    ...edgeFields(e, ref),
  ];
  function* rows<T>(items: readonly T[], row: (item: T) => unknown): Generator<string> {
    for (let i = 0; i < items.length; i += ROWS_PER_CHUNK) {
      const text = asciiJson(items.slice(i, i + ROWS_PER_CHUNK).map(row));
      // Drop the chunk's brackets; chunks join with commas inside one array.
      yield `${i === 0 ? "" : ","}${text.slice(1, -1)}`;
    }
  }

  const counts = {
    nodes: records.codes.length,
    edges: records.edges.length,
    releases: records.releases.length,
  };
  yield `{"format":${JSON.stringify(GRAPH_FILE_FORMAT)},"version":${GRAPH_FILE_VERSION},"savedAt":${JSON.stringify(savedAt)},`;
  yield `"counts":${JSON.stringify(counts)},"releases":${asciiJson(records.releases)},"nodes":[`;
  yield* rows(records.codes, nodeRow);
  yield `],"edges":[`;
  yield* rows(records.edges, edgeRow);
  yield `],"strings":${asciiJson(strings)}}`;
}

/**
 * JSON with every non-ASCII character escaped (`é` → `\u00e9`). A handful of titles hold
 * accented letters; unescaped, they would make the whole file a two-byte string when
 * read, doubling its memory and slowing `JSON.parse` by a third.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** An edge's relation-specific fields, in the file's order. */
function edgeFields(e: GraphEdge, ref: (s: string) => number): Cell[] {
  switch (e.relation) {
    case Relation.SUBSET_OF:
      return [];
    case Relation.REPLACES:
      return [ref(e.effective)];
    case Relation.MAPS_TO:
      return [ref(encodeGemFlags(e.flags))];
    case Relation.PAIRED_WITH:
      return [ref(e.kind), e.score, e.support, e.confidence, e.reverseConfidence, e.lift, e.note];
    case Relation.EXCLUDES:
      return [ref(e.kind), e.note];
    default:
      return assertNever(e);
  }
}

/** Reads the saved file's text back into records; `source` names the file in errors. */
export function decodeGraph(text: string, source: string): GraphRecords {
  let file: GraphFile;
  try {
    file = JSON.parse(text) as GraphFile;
  } catch (error) {
    throw new GraphFileError(
      `${source} is not a readable saved graph (${(error as Error).message}); delete it, or restore it from a backup, and import again`,
    );
  }
  if (file === null || typeof file !== "object" || file.format !== GRAPH_FILE_FORMAT) {
    throw new GraphFileError(
      `${source} is not a codegraph saved graph (no "format": "${GRAPH_FILE_FORMAT}")`,
    );
  }
  if (file.version !== GRAPH_FILE_VERSION) {
    throw new GraphFileError(
      `${source} is a saved graph of format version ${JSON.stringify(file.version)}; this build reads version ${GRAPH_FILE_VERSION}: re-import the release files, or run the build that wrote it`,
    );
  }
  const { strings } = file;
  if (
    !Array.isArray(strings) ||
    !Array.isArray(file.nodes) ||
    !Array.isArray(file.edges) ||
    !Array.isArray(file.releases)
  ) {
    throw new GraphFileError(`${source} lacks strings, nodes, edges or releases`);
  }
  if (file.nodes.length !== file.counts?.nodes || file.edges.length !== file.counts?.edges) {
    throw new GraphFileError(
      `${source}: counts say ${JSON.stringify(file.counts)} but the file holds ${file.nodes.length} nodes and ${file.edges.length} edges`,
    );
  }
  const str = (i: Cell): string => {
    const s = strings[i as number];
    if (s === undefined)
      throw new GraphFileError(`${source}: string index ${JSON.stringify(i)} out of range`);
    return s;
  };
  const date = (i: Cell): string | null => (i === -1 ? null : str(i));

  const codes: CodeNode[] = new Array(file.nodes.length);
  for (let n = 0; n < file.nodes.length; n++) {
    const [id, kind, level, flat, synonyms, noMapTo, attributes] = file.nodes[n]!;
    const versions: CodeVersion[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      const title = flat[i] as string;
      const short = flat[i + 1];
      versions.push({
        title,
        shortTitle: short === 0 ? title : (short as string | null),
        billable: flat[i + 2] === 1,
        validFrom: date(flat[i + 3]!),
        validTo: date(flat[i + 4]!),
      });
    }
    const colon = typeof id === "string" ? id.indexOf(":") : -1;
    if (colon < 0 || versions.length === 0)
      throw new GraphFileError(`${source}: node ${n} is malformed`);
    codes[n] = {
      id,
      system: id.slice(0, colon) as CodeSystemId,
      code: id.slice(colon + 1),
      kind: str(kind) as CodeKind,
      level: str(level) as CodeLevel,
      versions,
      synonyms: synonyms ?? NONE,
      noMapTo: (noMapTo ?? NONE) as readonly CodeSystemId[],
      attributes: attributes ?? NO_ATTRIBUTES,
    };
  }
  const nodeId = (i: number): string => {
    const node = codes[i];
    if (!node) throw new GraphFileError(`${source}: an edge names node ${i}, out of range`);
    return node.id;
  };
  // GEM rows carry a few dozen distinct flag sets: decode each once and share it.
  const flagSets = new Map<string, GemFlags>();
  const flags = (i: Cell): GemFlags => {
    const digits = str(i);
    let decoded = flagSets.get(digits);
    if (!decoded) flagSets.set(digits, (decoded = decodeGemFlags(digits)));
    return decoded;
  };
  const edges: GraphEdge[] = new Array(file.edges.length);
  for (let n = 0; n < file.edges.length; n++)
    edges[n] = decodeEdge(file.edges[n]!, str, nodeId, flags, source);
  return { codes, edges, releases: file.releases };
}

/**
 * One edge row as its object. Each relation gets one object literal with its fields in
 * a fixed order, rather than a spread of shared fields: V8 then gives all edges of a
 * relation one shape, which makes building 320,000 of them about twice as fast.
 */
function decodeEdge(
  row: EdgeRow,
  str: (i: Cell) => string,
  nodeId: (i: number) => string,
  flags: (i: Cell) => GemFlags,
  source: string,
): GraphEdge {
  const from = nodeId(row[1]);
  const to = nodeId(row[2]);
  const src = str(row[3]);
  const validFrom = row[4] === -1 ? null : str(row[4]);
  const validTo = row[5] === -1 ? null : str(row[5]);
  const num = (c: Cell | undefined) => (c === undefined ? null : (c as number | null));
  const text = (c: Cell | undefined) => (c === undefined ? null : (c as string | null));
  const relation = str(row[0]);
  switch (relation) {
    case Relation.SUBSET_OF:
      return { relation: Relation.SUBSET_OF, from, to, source: src, validFrom, validTo };
    case Relation.REPLACES:
      return {
        relation: Relation.REPLACES,
        from,
        to,
        source: src,
        validFrom,
        validTo,
        effective: str(row[6]!),
      };
    case Relation.MAPS_TO:
      return {
        relation: Relation.MAPS_TO,
        from,
        to,
        source: src,
        validFrom,
        validTo,
        flags: flags(row[6]!),
      };
    case Relation.PAIRED_WITH:
      return {
        relation: Relation.PAIRED_WITH,
        from,
        to,
        source: src,
        validFrom,
        validTo,
        kind: str(row[6]!) as PairingKind,
        score: num(row[7]),
        support: num(row[8]),
        confidence: num(row[9]),
        reverseConfidence: num(row[10]),
        lift: num(row[11]),
        note: text(row[12]),
      };
    case Relation.EXCLUDES:
      return {
        relation: Relation.EXCLUDES,
        from,
        to,
        source: src,
        validFrom,
        validTo,
        kind: str(row[6]!) as ExclusionKind,
        note: text(row[7]),
      };
    default:
      throw new GraphFileError(`${source}: unknown relation ${JSON.stringify(relation)}`);
  }
}

/** The saved graph of a data folder, or null when the folder holds none. */
export async function loadSavedGraph(dataDir: string): Promise<GraphRecords | null> {
  const path = join(dataDir, GRAPH_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new GraphFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return decodeGraph(text, path);
}

/**
 * Writes the graph into the data folder atomically: a crash mid-write leaves the old
 * file (and at worst a stray temporary file), never a truncated graph.
 */
export async function saveGraph(dataDir: string, records: GraphRecords): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const target = join(dataDir, GRAPH_FILE);
  const temp = join(dataDir, `.${GRAPH_FILE}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "w");
    try {
      for (const chunk of graphChunks(records, new Date().toISOString()))
        await handle.write(chunk, null, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    // "EFBIG: file too large, write" alone says neither where nor what became of the
    // graph already there: both matter to whoever has to free space and run it again.
    throw new GraphSaveError(
      `cannot save the graph into ${dataDir}: ${(error as Error).message}; the graph saved there before was kept, and nothing of this import was saved`,
      { cause: error },
    );
  }
  // Make the rename itself durable; not every platform lets a folder be opened for this.
  try {
    const dir = await open(dataDir, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Best effort: the file's own data was flushed above.
  }
}

/** The whole graph as records, for saving. */
export function graphRecords(graph: MemoryGraph): GraphRecords {
  return {
    codes: [...graph.nodes.values()],
    edges: [...graph.edges.values()],
    releases: graph.releases,
  };
}

/** A MemoryStore `persist` hook that saves every new graph into `dataDir` before it is served. */
export function persistTo(dataDir: string): Persist {
  return (graph) => saveGraph(dataDir, graphRecords(graph));
}
