/**
 * What the adapter needs of the server it talks to, checked by readiness (health) and by
 * `db:migrate` before anything else, so a wrong server is reported as such rather than as
 * a syntax error or a search that quietly finds other codes.
 */

/** The server cannot serve codegraph as it is: too old, or a schema object differs. */
export class UnsupportedServerError extends Error {
  override readonly name = "UnsupportedServerError";
}

/**
 * The oldest Neo4j the statements run on: they use `CALL (x) { ... }` subqueries (5.23).
 * Everything else they use is older (relationship uniqueness constraints: 5.7).
 */
export const MIN_NEO4J_VERSION = { major: 5, minor: 23 } as const;

/** First year of Neo4j's calendar versions (2025.01, ...), which follow 5.26. */
const FIRST_CALENDAR_YEAR = 2025;

/**
 * Why the server of this version (`CALL dbms.components()`: `5.26.0`, `5.27-aura`,
 * `2025.01.0`) cannot run the statements, or null when it can.
 */
export function unsupportedVersionReason(version: string | null | undefined): string | null {
  const wanted = `${MIN_NEO4J_VERSION.major}.${MIN_NEO4J_VERSION.minor}`;
  const m = /^(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) {
    return `cannot tell Neo4j's version (dbms.components() says ${JSON.stringify(version ?? null)}); codegraph needs ${wanted} or later`;
  }
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major >= FIRST_CALENDAR_YEAR || major > MIN_NEO4J_VERSION.major) return null;
  if (major === MIN_NEO4J_VERSION.major && minor >= MIN_NEO4J_VERSION.minor) return null;
  return `Neo4j ${version} is too old: codegraph's statements need ${wanted} or later (CALL (x) { ... } subqueries); docker-compose.yml pins neo4j:5.26`;
}

/**
 * The full-text index as cypher/schema.cypher creates it (the lint test holds the two
 * equal). Search relies on the whitespace analyzer over words the adapter has already
 * split, and on seeing a load at once (not eventually consistent).
 */
export const FULLTEXT_INDEX = {
  name: "code_search",
  labels: ["Code"],
  properties: ["titleTexts", "synonymTexts"],
  analyzer: "whitespace",
  eventuallyConsistent: false,
} as const;

/** The columns of fulltext-index.cypher that describe the index. */
export interface FulltextIndexDefinition {
  readonly labelsOrTypes: unknown;
  readonly properties: unknown;
  readonly options: unknown;
}

/**
 * How an existing full-text index differs from {@link FULLTEXT_INDEX}, one phrase per
 * difference; empty when it is the one search needs. `CREATE ... IF NOT EXISTS` keeps an
 * index of that name whatever its definition, so `db:migrate` must look.
 */
export function fulltextIndexDifferences(found: FulltextIndexDefinition): string[] {
  const differences: string[] = [];
  const same = (a: unknown, b: readonly unknown[]) =>
    Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(found.labelsOrTypes, FULLTEXT_INDEX.labels))
    differences.push(
      `labels ${JSON.stringify(found.labelsOrTypes)}, wanted ${JSON.stringify(FULLTEXT_INDEX.labels)}`,
    );
  if (!same(found.properties, FULLTEXT_INDEX.properties))
    differences.push(
      `properties ${JSON.stringify(found.properties)}, wanted ${JSON.stringify(FULLTEXT_INDEX.properties)}`,
    );
  const options = found.options as { indexConfig?: Record<string, unknown> } | null | undefined;
  const config = options?.indexConfig ?? {};
  const analyzer = config["fulltext.analyzer"];
  if (analyzer !== FULLTEXT_INDEX.analyzer)
    differences.push(
      `analyzer ${JSON.stringify(analyzer ?? null)}, wanted ${JSON.stringify(FULLTEXT_INDEX.analyzer)}`,
    );
  const eventual = config["fulltext.eventually_consistent"];
  if (eventual !== FULLTEXT_INDEX.eventuallyConsistent)
    differences.push(
      `eventually_consistent ${JSON.stringify(eventual ?? null)}, wanted ${String(FULLTEXT_INDEX.eventuallyConsistent)}`,
    );
  return differences;
}
