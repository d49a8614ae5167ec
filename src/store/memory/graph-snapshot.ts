import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type CodeKind, type CodeLevel } from "../../domain/code-kind.js";
import { type CodeSystemId } from "../../domain/code-system.js";
import {
  type CodeNode,
  type CodeVersion,
  type GraphEdge,
  type GraphRecords,
  type ReleaseInfo,
} from "../../domain/graph.js";
import { type MemoryGraph } from "./memory-graph.js";
import { type Persist } from "./memory-store.js";

/**
 * The embedded store's saved graph: one JSON file in the data folder, written atomically
 * (a temporary file in the same folder, flushed, then renamed over the old one), so a
 * reader sees the old graph or the new one, never half of either.
 *
 * Layout, version 1 — arrays rather than objects, because `JSON.parse` builds arrays of
 * strings two to three times faster than objects with the same strings, and start-up time
 * is what this file is for. Strings that repeat (systems, kinds, levels, relations,
 * sources, dates) are written once in `strings` and referred to by index, which also
 * keeps one copy of each in memory.
 *
 * ```
 * { "format": "codegraph-graph", "version": 1, "savedAt": ISO, "counts": {...},
 *   "strings": [s0, s1, ...],
 *   "releases": [ReleaseInfo, ...],
 *   "nodes": [[system, code, kind, level, versions, synonyms?, noMapTo?, attributes?], ...],
 *   "edges": [[relation, from, to, source, validFrom, validTo, rest?], ...] }
 * ```
 *
 * `system`, `kind`, `level`, `relation`, `source` and dates are string indexes (dates -1
 * for null). `versions` is flat: title, short title (0 when equal to the title, null
 * when none), billable (0/1), validFrom, validTo per version. A node's id is
 * `SYSTEM:CODE` and is not written. `rest` holds an edge's relation-specific fields
 * (kind, flags, score ...) as an object.
 */
export const GRAPH_FILE = "graph.json";
export const GRAPH_FILE_FORMAT = "codegraph-graph";
export const GRAPH_FILE_VERSION = 1;

/** The saved graph cannot be read: corrupt, truncated, or written by another version. */
export class GraphFileError extends Error {
  override readonly name = "GraphFileError";
}

type NodeRow = [
  number,
  string,
  number,
  number,
  (string | number | null)[],
  string[]?,
  string[]?,
  Record<string, string>?,
];
type EdgeRow = [number, string, string, number, number, number, Record<string, unknown>?];

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

const EDGE_BASE_FIELDS = new Set(["relation", "from", "to", "source", "validFrom", "validTo"]);

/** The graph as the saved file's text. */
export function encodeGraph(
  records: GraphRecords,
  savedAt: string = new Date().toISOString(),
): string {
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

  const nodes: NodeRow[] = records.codes.map((n) => {
    const versions: (string | number | null)[] = [];
    for (const v of n.versions) {
      versions.push(
        v.title,
        v.shortTitle === v.title ? 0 : v.shortTitle,
        v.billable ? 1 : 0,
        date(v.validFrom),
        date(v.validTo),
      );
    }
    const row: NodeRow = [ref(n.system), n.code, ref(n.kind), ref(n.level), versions];
    const attributes = Object.keys(n.attributes).length > 0 ? n.attributes : undefined;
    if (n.synonyms.length > 0 || n.noMapTo.length > 0 || attributes) {
      row.push([...n.synonyms], [...n.noMapTo], attributes ?? {});
    }
    return row;
  });
  const edges: EdgeRow[] = records.edges.map((e) => {
    const row: EdgeRow = [
      ref(e.relation),
      e.from,
      e.to,
      ref(e.source),
      date(e.validFrom),
      date(e.validTo),
    ];
    const rest: Record<string, unknown> = {};
    let any = false;
    for (const [k, v] of Object.entries(e)) {
      if (EDGE_BASE_FIELDS.has(k)) continue;
      rest[k] = v;
      any = true;
    }
    if (any) row.push(rest);
    return row;
  });
  const file: GraphFile = {
    format: GRAPH_FILE_FORMAT,
    version: GRAPH_FILE_VERSION,
    savedAt,
    counts: { nodes: nodes.length, edges: edges.length, releases: records.releases.length },
    strings,
    releases: [...records.releases],
    nodes,
    edges,
  };
  return JSON.stringify(file);
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
  const str = (i: number): string => {
    const s = strings[i];
    if (s === undefined) throw new GraphFileError(`${source}: string index ${i} out of range`);
    return s;
  };
  const date = (i: number): string | null => (i === -1 ? null : str(i));

  const codes: CodeNode[] = new Array(file.nodes.length);
  file.nodes.forEach((row, n) => {
    const [system, code, kind, level, flat, synonyms, noMapTo, attributes] = row;
    const versions: CodeVersion[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      const title = flat[i] as string;
      const short = flat[i + 1];
      versions.push({
        title,
        shortTitle: short === 0 ? title : (short as string | null),
        billable: flat[i + 2] === 1,
        validFrom: date(flat[i + 3] as number),
        validTo: date(flat[i + 4] as number),
      });
    }
    if (versions.length === 0) throw new GraphFileError(`${source}: node ${n} has no versions`);
    const systemId = str(system) as CodeSystemId;
    codes[n] = {
      id: `${systemId}:${code}`,
      system: systemId,
      code,
      kind: str(kind) as CodeKind,
      level: str(level) as CodeLevel,
      versions,
      synonyms: synonyms ?? [],
      noMapTo: (noMapTo ?? []) as CodeSystemId[],
      attributes: attributes ?? {},
    };
  });
  const edges: GraphEdge[] = new Array(file.edges.length);
  file.edges.forEach(([relation, from, to, src, validFrom, validTo, rest], n) => {
    edges[n] = {
      relation: str(relation),
      from,
      to,
      source: str(src),
      validFrom: date(validFrom),
      validTo: date(validTo),
      ...rest,
    } as GraphEdge;
  });
  if (codes.length !== file.counts?.nodes || edges.length !== file.counts?.edges) {
    throw new GraphFileError(
      `${source}: counts say ${JSON.stringify(file.counts)} but the file holds ${codes.length} nodes and ${edges.length} edges`,
    );
  }
  return { codes, edges, releases: file.releases };
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
  const text = encodeGraph(records);
  try {
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
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
