import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import neo4j from "neo4j-driver";
import { type CodeNode, type GraphEdge, type ReleaseInfo } from "../../domain/graph.js";
import { ALL_RELATIONS, Relation } from "../../domain/relationship.js";
import { codeToRow, edgeToRow, type PropertyRow, releaseToRow } from "./record-mapping.js";

/**
 * Files for `neo4j-admin database import full`: the bulk path for very large first
 * loads, which writes the store files directly instead of going through transactions.
 * The rows are the ones `Neo4jStore.load` writes (same mapping functions), so a graph
 * imported this way reads back exactly like one loaded through the driver.
 */

/**
 * Where neo4j-admin writes its report of bad entries. Its default is `import.report` in
 * the working directory, the folder of these files, which is not writable where it
 * matters: the Neo4j image runs neo4j-admin as its own user (uid 7474) on a folder the
 * host owns, and the documented command mounts it read-only. /tmp is writable for
 * everyone, in the image and elsewhere.
 */
export const IMPORT_REPORT_FILE = "/tmp/import.report";

/** Between elements of list properties: a control character no title contains. */
export const ARRAY_DELIMITER = "\u001f";
const ARRAY_DELIMITER_OPTION = "U+001F";

/** A column: the property name and its neo4j-admin type (`string` when omitted). */
interface Column {
  readonly name: string;
  readonly type?: "long" | "double" | "boolean" | "date" | "string[]" | "boolean[]" | "date[]";
}

const EDGE_BASE: readonly Column[] = [
  { name: "key" },
  { name: "source" },
  { name: "validFrom", type: "date" },
  { name: "validTo", type: "date" },
];

/** Relationship properties per type, as edgeToRow writes them. */
const EDGE_COLUMNS: Readonly<Record<Relation, readonly Column[]>> = {
  [Relation.SUBSET_OF]: EDGE_BASE,
  [Relation.PAIRED_WITH]: [
    ...EDGE_BASE,
    { name: "kind" },
    { name: "score", type: "double" },
    { name: "support", type: "double" },
    { name: "confidence", type: "double" },
    { name: "reverseConfidence", type: "double" },
    { name: "lift", type: "double" },
    { name: "note" },
  ],
  [Relation.REPLACES]: [...EDGE_BASE, { name: "effective", type: "date" }],
  [Relation.MAPS_TO]: [
    ...EDGE_BASE,
    { name: "approximate", type: "boolean" },
    { name: "noMap", type: "boolean" },
    { name: "combination", type: "boolean" },
    { name: "scenario", type: "long" },
    { name: "choiceList", type: "long" },
  ],
  [Relation.EXCLUDES]: [...EDGE_BASE, { name: "kind" }, { name: "note" }],
};

/** Code properties, as codeToRow writes them; `id` is the ID column. */
const CODE_COLUMNS: readonly Column[] = [
  { name: "system" },
  { name: "code" },
  { name: "codeKey" },
  { name: "kind" },
  { name: "level" },
  { name: "title" },
  { name: "titles", type: "string[]" },
  { name: "synonyms", type: "string[]" },
  { name: "noMapTo", type: "string[]" },
  { name: "versions" },
  { name: "attributes" },
  { name: "validFrom", type: "date" },
  { name: "validTo", type: "date" },
  { name: "versionFrom", type: "date[]" },
  { name: "versionTo", type: "date[]" },
  { name: "versionBillable", type: "boolean[]" },
  { name: "titleTexts", type: "string[]" },
  { name: "synonymTexts", type: "string[]" },
];

/** Release properties, as releaseToRow writes them; `key` is the ID column. */
const RELEASE_COLUMNS: readonly Column[] = [
  { name: "system" },
  { name: "version" },
  { name: "effective", type: "date" },
  { name: "source" },
  { name: "importedAt" },
  { name: "sha256" },
  { name: "codeCount", type: "long" },
];

/** The file each relationship type goes to. */
export function edgeFileName(relation: Relation): string {
  return `${relation.toLowerCase().replace(/_/g, "-")}.csv`;
}

/** The header line of a file: ID or START/END columns, then typed property columns. */
function header(lead: readonly string[], columns: readonly Column[]): string {
  return [...lead, ...columns.map((c) => (c.type ? `${c.name}:${c.type}` : c.name))].join(",");
}

/**
 * One CSV field. Strings are always quoted, so an empty string stays a string while an
 * empty unquoted field is "no property" (how a null and an empty list are written).
 */
function field(value: unknown, where: string): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    if (value.length === 0) return "";
    return quote(value.map((v) => scalar(v, where, true)).join(ARRAY_DELIMITER));
  }
  if (typeof value === "string") return quote(value);
  return scalar(value, where, false);
}

function scalar(value: unknown, where: string, inList: boolean): string {
  if (typeof value === "string") {
    if (inList && value.includes(ARRAY_DELIMITER))
      throw new Error(`${where}: a list element holds the array delimiter U+001F`);
    return value;
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} cannot be imported`);
    return String(value);
  }
  if (neo4j.isInt(value) || neo4j.isDate(value)) return value.toString();
  throw new Error(`${where}: cannot write ${typeof value} to CSV`);
}

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** A CSV file written row by row, waiting for the stream when its buffer is full. */
class CsvFile {
  private readonly stream: WriteStream;
  rows = 0;
  /** Whether a field held a line break (neo4j-admin then needs --multiline-fields). */
  multiline = false;

  constructor(
    readonly name: string,
    path: string,
    headerLine: string,
  ) {
    this.stream = createWriteStream(path, { encoding: "utf8" });
    this.stream.write(`${headerLine}\n`);
  }

  async write(fields: readonly string[]): Promise<void> {
    const line = fields.join(",");
    if (/[\r\n]/.test(line)) this.multiline = true;
    this.rows++;
    if (!this.stream.write(`${line}\n`))
      await new Promise<void>((resolve) => this.stream.once("drain", () => resolve()));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.once("error", reject);
      this.stream.end(() => resolve());
    });
  }
}

/** Row values in column order; a property the columns do not name is an error, never dropped. */
function rowFields(
  row: PropertyRow,
  idColumn: string,
  columns: readonly Column[],
  where: string,
): string[] {
  const known = new Set([idColumn, ...columns.map((c) => c.name)]);
  for (const key of Object.keys(row)) {
    if (!known.has(key))
      throw new Error(`${where}: property ${key} has no column in the neo4j-admin files`);
  }
  return columns.map((c) => field(row[c.name], `${where}.${c.name}`));
}

/** What an export reads: the graph's codes, edges and releases, in chunks. */
export interface GraphSource {
  codes(): AsyncIterable<readonly CodeNode[]>;
  edges(): AsyncIterable<readonly GraphEdge[]>;
  releases(): Promise<readonly ReleaseInfo[]>;
}

export interface AdminImportSummary {
  readonly codes: number;
  readonly edges: number;
  readonly releases: number;
  /** The files written, in the folder. */
  readonly files: readonly string[];
  /** The neo4j-admin command line (run in the folder). */
  readonly command: string;
}

/**
 * Writes node and relationship CSV files with headers into `dir`, plus
 * `neo4j-admin-import.args` holding the options, and returns the command to run there.
 */
export async function writeAdminImportFiles(
  dir: string,
  source: GraphSource,
  onProgress?: (what: string, count: number) => void,
): Promise<AdminImportSummary> {
  await mkdir(dir, { recursive: true });
  const codes = new CsvFile(
    "codes.csv",
    join(dir, "codes.csv"),
    header(["id:ID(Code)", ":LABEL"], CODE_COLUMNS),
  );
  const releases = new CsvFile(
    "releases.csv",
    join(dir, "releases.csv"),
    header(["key:ID(Release)", ":LABEL"], RELEASE_COLUMNS),
  );
  const edgeFiles = new Map(
    ALL_RELATIONS.map((relation) => {
      const name = edgeFileName(relation);
      const file = new CsvFile(
        name,
        join(dir, name),
        header([":START_ID(Code)", ":END_ID(Code)", ":TYPE"], EDGE_COLUMNS[relation]),
      );
      return [relation, file] as const;
    }),
  );
  const all = [codes, releases, ...edgeFiles.values()];
  try {
    for await (const chunk of source.codes()) {
      for (const node of chunk) {
        const row = codeToRow(node);
        await codes.write([
          field(node.id, node.id),
          "Code",
          ...rowFields(row, "id", CODE_COLUMNS, node.id),
        ]);
      }
      onProgress?.("codes", codes.rows);
    }
    let edges = 0;
    for await (const chunk of source.edges()) {
      for (const edge of chunk) {
        const { key, props } = edgeToRow(edge);
        const fields = rowFields(props, "key", EDGE_COLUMNS[edge.relation], key);
        await edgeFiles
          .get(edge.relation)!
          .write([field(edge.from, key), field(edge.to, key), edge.relation, ...fields]);
      }
      edges += chunk.length;
      onProgress?.("edges", edges);
    }
    for (const release of await source.releases()) {
      const row = releaseToRow(release);
      await releases.write([
        field(row.key, "release"),
        "Release",
        ...rowFields(row, "key", RELEASE_COLUMNS, String(row.key)),
      ]);
    }
    onProgress?.("releases", releases.rows);
  } finally {
    await Promise.all(all.map((f) => f.close()));
  }

  const options = [
    `--report-file=${IMPORT_REPORT_FILE}`,
    `--array-delimiter=${ARRAY_DELIMITER_OPTION}`,
    ...(all.some((f) => f.multiline) ? ["--multiline-fields=true"] : []),
    `--nodes=${codes.name}`,
    `--nodes=${releases.name}`,
    ...[...edgeFiles.values()].map((f) => `--relationships=${f.name}`),
  ];
  await writeFile(join(dir, "neo4j-admin-import.args"), `${options.join("\n")}\n`);
  const edgeCount = [...edgeFiles.values()].reduce((n, f) => n + f.rows, 0);
  return {
    codes: codes.rows,
    edges: edgeCount,
    releases: releases.rows,
    files: [...all.map((f) => f.name), "neo4j-admin-import.args"],
    // The database name goes first: --nodes and --relationships take every value after them.
    command:
      "neo4j-admin database import full neo4j --overwrite-destination @neo4j-admin-import.args",
  };
}
