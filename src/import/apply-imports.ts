import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { type CodeSystemId, codeSystemInfo, isCodeSystemId } from "../domain/code-system.js";
import { type IsoDate } from "../domain/dates.js";
import {
  type CodeNode,
  edgeKey,
  type GraphEdge,
  type GraphRecords,
  latestVersion,
  type ReleaseInfo,
} from "../domain/graph.js";
import { Direction, Relation } from "../domain/relationship.js";
import { type GraphStore, type LoadSummary, type NeighborQuery } from "../store/graph-store.js";
import { parserFor } from "./formats/index.js";
import {
  type FormatId,
  type FormatParser,
  inFamily,
  type ParsedFile,
  type ParseOptions,
  type UnresolvedReference,
} from "./records.js";
import {
  type FileOutcome,
  type HeldGraph,
  type MergeOptions,
  orderForMerge,
  ReleaseMerge,
  type SystemSummary,
} from "./release-merge.js";

/** A date after every real one: edges valid on it are the open ones. */
const FAR_FUTURE: IsoDate = "9999-12-31";
/** Traversal queries per store call while reading what the graph holds. */
const QUERY_CHUNK = 20_000;
/** Largest neighbour page asked for: a node's edges of one relation all fit. */
const ALL_NEIGHBOURS = 1_000_000;

export interface ImportRunResult {
  /** One per file, in the order they were merged (snapshots first). */
  readonly files: readonly FileOutcome[];
  readonly systems: readonly SystemSummary[];
  /**
   * Categories of the systems whose hierarchy the run changed that no block holds (placed
   * under their chapter, or under nothing), with examples: the run's own report, not a
   * file's.
   */
  readonly hierarchy: readonly UnresolvedReference[];
  /** What the store wrote; null for a dry run or a run that changed nothing. */
  readonly written: LoadSummary | null;
  /** What would be (or was) written. */
  readonly records: { readonly codes: number; readonly edges: number; readonly releases: number };
}

export interface ApplyOptions extends MergeOptions {
  /** Merge and report, write nothing. */
  readonly dryRun?: boolean;
  /** Timestamp recorded on the releases (default now). */
  readonly importedAt?: string;
  /** Stages of the run, for progress output. */
  readonly onStage?: (stage: "reading-store" | "merging" | "writing") => void;
  /**
   * Empty the `parsed` array and let each file go once merged: the parsed records of a
   * full release set weigh as much as the graph built from them.
   */
  readonly consume?: boolean;
}

/**
 * Merges parsed files into the store in one all-or-nothing step: reads the part of the
 * graph the files touch through the port, merges every file (snapshots first, oldest
 * release first), and writes the result with a single `load`. A refused release or an
 * error anywhere leaves the store as it was; a run that changes nothing writes nothing.
 */
export async function applyImports(
  store: GraphStore,
  parsed: ParsedFile[],
  options: ApplyOptions = {},
): Promise<ImportRunResult> {
  const { files, systems, hierarchy, records } = await mergeAll(store, parsed, options);
  const counts = {
    codes: records.codes.length,
    edges: records.edges.length,
    releases: records.releases.length,
  };
  let written: LoadSummary | null = null;
  if (!options.dryRun && counts.codes + counts.edges + counts.releases > 0) {
    options.onStage?.("writing");
    written = await store.load(records);
  }
  return { files, systems, hierarchy, written, records: counts };
}

/**
 * Reads what the store holds and merges the files into it. Its own function so that the
 * merge's working copy of the graph is garbage once it returns, before the store builds
 * and saves the new graph: at the size of a full release set that is a few hundred MB.
 */
async function mergeAll(
  store: GraphStore,
  parsed: ParsedFile[],
  options: ApplyOptions,
): Promise<{
  files: FileOutcome[];
  systems: SystemSummary[];
  hierarchy: UnresolvedReference[];
  records: GraphRecords;
}> {
  const ordered: (ParsedFile | undefined)[] = orderForMerge(parsed);
  // With `consume`, the caller hands the files over: they go as soon as each is merged.
  if (options.consume) parsed.length = 0;
  options.onStage?.("reading-store");
  const held = await readHeldGraph(store, ordered as ParsedFile[]);
  options.onStage?.("merging");
  const merge = new ReleaseMerge(held, options.importedAt, {
    ...(options.allowMassRetirement ? { allowMassRetirement: true } : {}),
  });
  const files: FileOutcome[] = [];
  for (let i = 0; i < ordered.length; i++) {
    files.push(merge.merge(ordered[i]!));
    if (options.consume) ordered[i] = undefined;
  }
  const hierarchy = merge.finish();
  return { files, systems: merge.summary(), hierarchy, records: merge.records() };
}

export interface ParseFilesOptions extends Omit<ParseOptions, "onProgress"> {
  /** Names the format of every file instead of sniffing each. */
  readonly format?: FormatId | string;
  /** Called once per file before it is read, with the parser chosen. */
  readonly onFile?: (path: string, parser: FormatParser) => void;
  readonly onProgress?: (
    path: string,
    progress: { bytes: number; totalBytes: number; rows: number },
  ) => void;
}

/**
 * Parses files one after another; the first broken file throws its SourceFileError and
 * nothing is merged. Files are read in turn, not at once: two full releases in memory
 * together are enough. Every file's format is found first, so that a run the options
 * cannot apply to is refused before anything is read.
 */
export async function parseFiles(
  paths: readonly string[],
  options: ParseFilesOptions = {},
): Promise<ParsedFile[]> {
  const parsers: FormatParser[] = [];
  for (const path of paths) {
    // Reading a folder fails with "EISDIR: illegal operation on a directory, read",
    // which names neither the folder nor what was wanted.
    if ((await stat(path)).isDirectory())
      throw new ImportOptionsError(
        `${path} is a directory: a release file is expected (give the files in it one by one)`,
      );
    parsers.push(await parserFor(path, options.format));
  }
  checkReleaseOptions(paths, parsers, options);
  const out: ParsedFile[] = [];
  for (const [i, path] of paths.entries()) {
    const parser = parsers[i]!;
    options.onFile?.(path, parser);
    const onProgress = options.onProgress;
    out.push(
      await parser.parse(path, {
        ...(options.version !== undefined ? { version: options.version } : {}),
        ...(options.effective !== undefined ? { effective: options.effective } : {}),
        ...(options.minSupport !== undefined ? { minSupport: options.minSupport } : {}),
        ...(options.label !== undefined ? { label: options.label } : {}),
        ...(onProgress
          ? {
              onProgress: (p: { bytes: number; totalBytes: number; rows: number }) =>
                onProgress(path, p),
            }
          : {}),
      }),
    );
  }
  return out;
}

/**
 * `--version` and `--effective` apply to every file of a run, so they may name only one
 * release: one file, or the parts of one release of one system in different formats
 * (ICD-9-CM v32: diagnosis and procedure titles). Otherwise a HCPCS file imported with
 * an ICD-10 order file would take its date, or a tabular list (FY2021) the order file's
 * year, silently.
 */
function checkReleaseOptions(
  paths: readonly string[],
  parsers: readonly FormatParser[],
  options: ParseFilesOptions,
): void {
  if (paths.length < 2 || (options.version === undefined && options.effective === undefined))
    return;
  const systems = new Set(parsers.map((p) => p.releaseOf));
  const formats = new Set(parsers.map((p) => p.format));
  const oneRelease =
    systems.size === 1 && !systems.has(undefined) && formats.size === parsers.length;
  if (oneRelease) return;
  const given = [
    ...(options.version !== undefined ? [`--version ${options.version}`] : []),
    ...(options.effective !== undefined ? [`--effective ${options.effective}`] : []),
  ];
  const files = paths
    .map((path, i) => {
      const parser = parsers[i]!;
      return `${basename(path)} (${parser.format}, ${parser.releaseOf ?? "a supplement"})`;
    })
    .join(", ");
  const names = given.map((g) => g.slice(0, g.indexOf(" "))).join(" / ");
  throw new ImportOptionsError(
    `${given.join(" ")} applies to every file of a run, and these files are not one release: ${files}; run them separately, each with its own ${names}`,
  );
}

/** Files or options a run cannot take as given: a folder for a file, options for one release. */
export class ImportOptionsError extends Error {
  override readonly name = "ImportOptionsError";
}

/** Parses and applies in one run: what `codegraph import` and the benchmark do. */
export async function importFiles(
  store: GraphStore,
  paths: readonly string[],
  options: ParseFilesOptions & ApplyOptions = {},
): Promise<ImportRunResult> {
  return applyImports(store, await parseFiles(paths, options), { ...options, consume: true });
}

// ── Reading what the graph holds ───────────────────────────────────────────────────

/**
 * Every node of the systems the files touch, their open hierarchy edges, held edges
 * with the keys the files state, and every release: what the merge compares against.
 */
async function readHeldGraph(store: GraphStore, files: readonly ParsedFile[]): Promise<HeldGraph> {
  const systems = new Set<CodeSystemId>();
  const noteId = (id: string) => {
    const system = id.slice(0, id.indexOf(":"));
    if (isCodeSystemId(system)) systems.add(system);
  };
  for (const file of files) {
    if (file.snapshot) systems.add(file.snapshot.system);
    for (const system of file.scope?.systems ?? []) systems.add(system);
    for (const c of file.codes) systems.add(c.system);
    for (const a of file.annotations) noteId(a.id);
    for (const e of file.edges) {
      noteId(e.from);
      noteId(e.to);
    }
  }

  const nodes = new Map<string, CodeNode>();
  for (const system of systems) {
    for await (const chunk of store.scanCodes(system))
      for (const node of chunk) nodes.set(node.id, node);
  }

  const edges = new Map<string, GraphEdge>();
  // Open hierarchy edges: valid after every date, or on the last day of a frozen system.
  // A retired code's edges closed with it: they are found on its last day, so that a
  // file stating one again is seen to change nothing.
  const parentQueries: NeighborQuery[] = [];
  for (const node of nodes.values()) {
    const endedOn = codeSystemInfo(node.system).endedOn;
    parentQueries.push(neighbourQuery(node.id, Relation.SUBSET_OF, endedOn ?? FAR_FUTURE));
    const lastDay = latestVersion(node).validTo;
    if (lastDay !== null && lastDay !== endedOn)
      parentQueries.push(neighbourQuery(node.id, Relation.SUBSET_OF, lastDay));
  }
  await collectEdges(store, parentQueries, edges, () => true);

  // Held edges that files state again: found through their source node on a day the stated edge is valid.
  const wanted = new Set<string>();
  const statedQueries = new Map<string, NeighborQuery>();
  for (const file of files) {
    for (const e of file.edges) {
      if (e.relation === Relation.SUBSET_OF || !nodes.has(e.from)) continue;
      wanted.add(edgeKey(e));
      const asOf = e.validTo ?? FAR_FUTURE;
      const key = `${e.relation}|${e.from}|${asOf}`;
      if (!statedQueries.has(key)) statedQueries.set(key, neighbourQuery(e.from, e.relation, asOf));
    }
  }
  await collectEdges(store, [...statedQueries.values()], edges, (key) => wanted.has(key));

  // The open edges of each family a scoped file restates in full: those it no longer
  // states are to close. Found through every held node of the systems they leave, on
  // the snapshot's first day as well as after every date: pairings and exclusions are
  // listed only with codes valid on the day asked, and an open edge to a code retired
  // since is still one the snapshot restates or ends.
  for (const file of files) {
    const scope = file.scope;
    if (!scope) continue;
    const familyQueries: NeighborQuery[] = [];
    for (const relation of scope.relations) {
      if (relation === Relation.SUBSET_OF) continue; // read above with every open parent
      for (const node of nodes.values()) {
        if (!scope.systems.includes(node.system)) continue;
        familyQueries.push(neighbourQuery(node.id, relation, FAR_FUTURE));
        familyQueries.push(neighbourQuery(node.id, relation, scope.effective));
      }
    }
    await collectEdges(store, familyQueries, edges, (_key, edge) =>
      inFamily(edge.source, scope.family),
    );
  }

  const releases: ReleaseInfo[] = (await store.listReleases([...systems])).flat();
  return { nodes, edges, releases };
}

function neighbourQuery(id: string, relation: Relation, asOf: IsoDate): NeighborQuery {
  return {
    mode: "neighbors",
    id,
    asOf,
    relation,
    direction: Direction.OUT,
    kinds: null,
    systems: null,
    offset: 0,
    limit: ALL_NEIGHBOURS,
  };
}

async function collectEdges(
  store: GraphStore,
  queries: readonly NeighborQuery[],
  into: Map<string, GraphEdge>,
  keep: (key: string, edge: GraphEdge) => boolean,
): Promise<void> {
  for (let i = 0; i < queries.length; i += QUERY_CHUNK) {
    const pages = await store.traverse(queries.slice(i, i + QUERY_CHUNK));
    for (const page of pages) {
      for (const item of page.items) {
        if (!item.edge) continue;
        const key = edgeKey(item.edge);
        if (keep(key, item.edge)) into.set(key, item.edge);
      }
    }
  }
}
