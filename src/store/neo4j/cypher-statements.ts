import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Relation } from "../../domain/relationship.js";
import { PROJECT_ROOT } from "../../project-root.js";

/** Where the statement files live: `cypher/` at the project root. */
export const CYPHER_DIR = join(PROJECT_ROOT, "cypher");

/** The schema file: constraints and indexes, several statements separated by `;`. */
export const SCHEMA_FILE = "schema.cypher";

/**
 * The upper bound written into the variable-length patterns of the walk statements
 * (`*1..50`): Cypher cannot take it as a parameter, so the statements filter on
 * `length(p) <= q.maxDepth` and deeper requests are cut to this. It is the largest
 * MAX_TRAVERSAL_DEPTH the configuration accepts; the lint test checks the files agree.
 */
export const MAX_WALK_DEPTH = 50;

interface StatementSpec {
  /** File name in cypher/. */
  readonly file: string;
  /** The parameters the statement takes: exactly these are sent, and declared to the linter. */
  readonly params: readonly string[];
}

/**
 * Every statement the adapter runs, with its file and its parameters. The Cypher lint
 * test reads this table: it declares each statement's parameters (an undeclared one is a
 * lint error), and checks that every file here exists and every file in cypher/ is here.
 */
export const STATEMENTS = {
  getCodes: { file: "get-codes.cypher", params: ["ids"] },
  traverseNeighbors: { file: "traverse-neighbors.cypher", params: ["queries"] },
  traverseAncestors: { file: "traverse-ancestors.cypher", params: ["queries"] },
  traverseDescendants: { file: "traverse-descendants.cypher", params: ["queries"] },
  traverseSuccessors: { file: "traverse-successors.cypher", params: ["queries"] },
  search: { file: "search.cypher", params: ["queries", "candidateLimit"] },
  countCodes: { file: "count-codes.cypher", params: ["queries"] },
  listReleases: { file: "list-releases.cypher", params: ["systems"] },
  scanCodes: { file: "scan-codes.cypher", params: ["system", "after", "before", "limit"] },
  scanEdges: { file: "scan-edges.cypher", params: ["after", "limit"] },
  checkEdgeEnds: { file: "check-edge-ends.cypher", params: ["ids"] },
  hierarchyAbove: { file: "hierarchy-above.cypher", params: ["ids"] },
  loadCodes: { file: "load-codes.cypher", params: ["rows"] },
  loadSubsetOf: { file: "load-edges-subset-of.cypher", params: ["rows"] },
  loadPairedWith: { file: "load-edges-paired-with.cypher", params: ["rows"] },
  loadReplaces: { file: "load-edges-replaces.cypher", params: ["rows"] },
  loadMapsTo: { file: "load-edges-maps-to.cypher", params: ["rows"] },
  loadExcludes: { file: "load-edges-excludes.cypher", params: ["rows"] },
  loadReleases: { file: "load-releases.cypher", params: ["rows"] },
  codeSystemNodes: { file: "code-system-nodes.cypher", params: ["systems"] },
  codeSystemSubsets: { file: "code-system-subsets.cypher", params: ["links"] },
  codeSystemReplacements: { file: "code-system-replacements.cypher", params: ["links"] },
  awaitIndexes: { file: "await-indexes.cypher", params: ["timeoutSeconds"] },
  fulltextIndex: { file: "fulltext-index.cypher", params: [] },
  serverVersion: { file: "server-version.cypher", params: [] },
} as const satisfies Record<string, StatementSpec>;

export type StatementName = keyof typeof STATEMENTS;

/**
 * The load statement of each relationship type. Cypher 5 cannot take a relationship
 * type as a parameter, so each type has its own file, chosen here from the fixed enum:
 * no type ever comes from input.
 */
export const LOAD_EDGES: Readonly<Record<Relation, StatementName>> = {
  [Relation.SUBSET_OF]: "loadSubsetOf",
  [Relation.PAIRED_WITH]: "loadPairedWith",
  [Relation.REPLACES]: "loadReplaces",
  [Relation.MAPS_TO]: "loadMapsTo",
  [Relation.EXCLUDES]: "loadExcludes",
};

/** The statement texts, read once at start-up. */
export interface CypherStatements {
  text(name: StatementName): string;
  /** The schema statements, in file order. */
  readonly schema: readonly string[];
}

/** A statement file the adapter needs is not there. */
export class MissingCypherFileError extends Error {
  override readonly name = "MissingCypherFileError";
}

/**
 * Reads every statement file once. A missing or empty file fails start-up with its
 * name, rather than the first query that needs it failing at run time.
 */
export async function loadCypherStatements(dir: string = CYPHER_DIR): Promise<CypherStatements> {
  const read = async (file: string): Promise<string> => {
    let text: string;
    try {
      text = await readFile(join(dir, file), "utf8");
    } catch (error) {
      throw new MissingCypherFileError(
        `cannot read Cypher file ${file} in ${dir}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (splitStatements(text).length === 0)
      throw new MissingCypherFileError(`Cypher file ${file} in ${dir} holds no statement`);
    return text;
  };
  const entries = await Promise.all(
    Object.entries(STATEMENTS).map(async ([name, spec]) => [name, await read(spec.file)] as const),
  );
  const texts = new Map<string, string>(entries);
  const schema = splitStatements(await read(SCHEMA_FILE));
  return {
    text: (name) => texts.get(name)!,
    schema,
  };
}

/**
 * Splits a file into statements at semicolons that end a line, dropping comment-only
 * and blank parts. The files are ours: none has a semicolon inside a string.
 */
export function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((part) => part.trim())
    .filter((part) =>
      part.split(/\r?\n/).some((line) => line.trim() !== "" && !line.trim().startsWith("//")),
    );
}
