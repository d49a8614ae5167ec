import { cp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DbSchema,
  lintCypherQuery,
  type SyntaxDiagnostic,
  testData,
} from "@neo4j-cypher/language-support";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { ALL_RELATIONS, MAX_INHERITANCE_DEPTH } from "../../src/domain/relationship.js";
import {
  CYPHER_DIR,
  LOAD_EDGES,
  loadCypherStatements,
  MAX_WALK_DEPTH,
  MissingCypherFileError,
  SCHEMA_FILE,
  splitStatements,
  type StatementName,
  STATEMENTS,
} from "../../src/store/neo4j/cypher-statements.js";
import { Neo4jStore } from "../../src/store/neo4j/neo4j-store.js";
import {
  codeSystemRows,
  codeToRow,
  edgeToRow,
  RANKING_KEYS,
  releaseToRow,
} from "../../src/store/neo4j/record-mapping.js";
import { FULLTEXT_INDEX } from "../../src/store/neo4j/server-checks.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";

/**
 * Every statement in cypher/ through Neo4j's own Cypher front end (the parser and
 * semantic analysis of @neo4j-cypher/language-support, compiled from Neo4j's), as
 * Cypher 5, with what the database will hold declared: labels, relationship types,
 * property keys (taken from the rows the adapter writes), function and procedure
 * signatures (the registry the package ships), and each statement's parameters (from
 * STATEMENTS, the table the adapter checks every call against). Any diagnostic fails:
 * errors, deprecation warnings, and warnings about an unknown label, type or property
 * (a typo). What the linter cannot see: types of expressions, and query plans.
 */

const PARAMETER_MAP_KEYS = ["from", "to"];
const rowKeys = (rows: readonly object[]) => rows.flatMap((r) => Object.keys(r));
const systems = codeSystemRows();
const PROPERTY_KEYS = [
  ...new Set([
    ...rowKeys(CONTRACT_GRAPH.codes.map(codeToRow)),
    ...rowKeys(CONTRACT_GRAPH.edges.map((e) => edgeToRow(e).props)),
    ...rowKeys(CONTRACT_GRAPH.releases.map(releaseToRow)),
    ...rowKeys(systems.systems),
    "effective",
    "key",
    // Keys of parameter maps read inside patterns (`{id: row.from}`): the linter cannot
    // tell a parameter map from a node there, so it checks them as property keys.
    ...PARAMETER_MAP_KEYS,
  ]),
];

const SCHEMA: DbSchema = {
  defaultLanguage: "CYPHER 5",
  labels: ["Code", "CodeSystem", "Release"],
  relationshipTypes: [...ALL_RELATIONS],
  propertyKeys: PROPERTY_KEYS,
  functions: testData.mockSchema.functions,
  procedures: testData.mockSchema.procedures,
};

/** Diagnostic messages are plain strings here; the type also allows Markdown content. */
const message = (d: SyntaxDiagnostic): string =>
  typeof d.message === "string" ? d.message : d.message.value;

function lint(text: string, params: readonly string[]): SyntaxDiagnostic[] {
  const parameters = Object.fromEntries(params.map((p) => [p, null]));
  return lintCypherQuery(text, { ...SCHEMA, parameters }).diagnostics;
}

function describeDiagnostics(
  file: string,
  text: string,
  diagnostics: SyntaxDiagnostic[],
): string[] {
  const lines = text.split("\n");
  return diagnostics.map((d) => {
    const kind = d.severity === 1 ? "error" : d.tags?.includes(2) ? "deprecated" : "warning";
    const line = d.range.start.line;
    return `${file}:${line + 1}:${d.range.start.character + 1} ${kind}: ${message(d)}\n    ${lines[line]?.trim()}`;
  });
}

const statementEntries = Object.entries(STATEMENTS) as [
  StatementName,
  (typeof STATEMENTS)[StatementName],
][];

describe("Cypher lint: every statement the adapter runs", () => {
  it.each(statementEntries)("%s is clean", async (_name, spec) => {
    const text = await readFile(join(CYPHER_DIR, spec.file), "utf8");
    expect(splitStatements(text), spec.file).toHaveLength(1);
    expect(describeDiagnostics(spec.file, text, lint(text, spec.params))).toEqual([]);
  });

  it("schema.cypher is clean, statement by statement", async () => {
    const text = await readFile(join(CYPHER_DIR, SCHEMA_FILE), "utf8");
    const statements = splitStatements(text);
    expect(statements.length).toBe(13);
    for (const statement of statements) {
      expect(describeDiagnostics(SCHEMA_FILE, statement, lint(statement, []))).toEqual([]);
    }
    // Run as `db:migrate` runs them: one by one, each creating one thing if absent.
    expect(
      statements.every((s) =>
        /^CREATE (CONSTRAINT|INDEX|FULLTEXT INDEX) \w+ IF NOT EXISTS/m.test(s),
      ),
    ).toBe(true);
  });

  it("lints 38 statements in 26 files", async () => {
    const schema = splitStatements(await readFile(join(CYPHER_DIR, SCHEMA_FILE), "utf8"));
    expect(statementEntries.length + schema.length).toBe(38);
    expect(new Set([...statementEntries.map(([, s]) => s.file), SCHEMA_FILE]).size).toBe(26);
  });
});

describe("Cypher lint: the linter would catch what it must", () => {
  // Without these, a linter that silently returned nothing would pass every test above.
  it("reports a deprecated construct as a warning", () => {
    const diagnostics = lint("MATCH (n:Code) CALL { WITH n RETURN n.id AS x } RETURN x", []);
    expect(diagnostics.map(message)).toEqual([
      "CALL subquery without a variable scope clause is deprecated. Use CALL (n) { ... }",
    ]);
  });

  it("reports a deprecated function", () => {
    const messages = lint("MATCH (n:Code) RETURN id(n)", []).map(message);
    expect(messages).toContain("Function id is deprecated.");
  });

  it("reports an undeclared parameter as an error", () => {
    const diagnostics = lint("MATCH (n:Code {id: $id}) RETURN n", []);
    expect(diagnostics.map((d) => [d.severity, message(d)])).toEqual([
      [1, "Parameter $id is not defined."],
    ]);
  });

  it("reports a misspelt property, label and relationship type", () => {
    const messages = lint("MATCH (n:Cod)-[r:SUBSET]->(m:Code) RETURN n.titel, r.key, m.id", []).map(
      message,
    );
    expect(messages.some((m) => m.startsWith("Label Cod is not present"))).toBe(true);
    expect(messages.some((m) => m.startsWith("Relationship type SUBSET is not present"))).toBe(
      true,
    );
    expect(messages.some((m) => m.startsWith("titel is not present"))).toBe(true);
  });

  it("reports a procedure called with the wrong arguments", () => {
    const diagnostics = lint(
      "CALL db.index.fulltext.queryNodes('code_search') YIELD node RETURN node",
      [],
    );
    expect(diagnostics[0]?.severity).toBe(1);
  });
});

describe("statement files and the adapter agree", () => {
  it("every file in cypher/ is run by the adapter, and every statement has its file", async () => {
    const files = (await readdir(CYPHER_DIR)).filter((f) => f.endsWith(".cypher")).sort();
    const used = [...new Set([SCHEMA_FILE, ...statementEntries.map(([, s]) => s.file)])].sort();
    expect(files).toEqual(used);
    expect((await readdir(CYPHER_DIR)).filter((f) => !f.endsWith(".cypher"))).toEqual([]);
  });

  it("every relationship type has a uniqueness constraint on the key its load MERGEs on", async () => {
    const schema = splitStatements(await readFile(join(CYPHER_DIR, SCHEMA_FILE), "utf8"));
    for (const relation of ALL_RELATIONS) {
      const name = `${relation.toLowerCase()}_key`;
      expect(schema, relation).toContainEqual(
        expect.stringContaining(
          `CREATE CONSTRAINT ${name} IF NOT EXISTS\nFOR ()-[r:${relation}]-() REQUIRE r.key IS UNIQUE`,
        ),
      );
    }
  });

  it("schema.cypher creates the full-text index db:migrate and readiness check for", async () => {
    const schema = splitStatements(await readFile(join(CYPHER_DIR, SCHEMA_FILE), "utf8"));
    const index = schema.find((s) => s.includes("CREATE FULLTEXT INDEX"))!;
    const [label] = FULLTEXT_INDEX.labels;
    expect(index).toContain(`CREATE FULLTEXT INDEX ${FULLTEXT_INDEX.name} IF NOT EXISTS`);
    expect(index).toContain(
      `FOR (n:${label}) ON EACH [${FULLTEXT_INDEX.properties.map((p) => `n.${p}`).join(", ")}]`,
    );
    expect(index).toContain(`\`fulltext.analyzer\`: '${FULLTEXT_INDEX.analyzer}'`);
    expect(index).toContain(
      `\`fulltext.eventually_consistent\`: ${String(FULLTEXT_INDEX.eventuallyConsistent)}`,
    );
    for (const name of ["fulltextIndex", "search"] as const) {
      const text = await readFile(join(CYPHER_DIR, STATEMENTS[name].file), "utf8");
      expect(text, name).toContain(`'${FULLTEXT_INDEX.name}'`);
    }
  });

  it("search candidates carry exactly the properties the ranking reads", async () => {
    const text = await readFile(join(CYPHER_DIR, STATEMENTS.search.file), "utf8");
    const projection = /collect\(n \{([^}]*)\}\) AS candidates/.exec(text);
    expect(projection, "the candidate projection").not.toBeNull();
    const keys = projection![1]!.split(",").map((k) => k.trim().replace(/^\./, ""));
    expect(keys).toEqual([...RANKING_KEYS]);
  });

  it("each relationship type loads through its own file, which writes that type", async () => {
    for (const relation of ALL_RELATIONS) {
      const text = await readFile(join(CYPHER_DIR, STATEMENTS[LOAD_EDGES[relation]].file), "utf8");
      expect(text).toContain(`MERGE (a)-[r:${relation} {key: row.key}]->(b)`);
    }
  });

  it("inherited notes are looked for as many levels up as the embedded store looks", async () => {
    const text = await readFile(join(CYPHER_DIR, STATEMENTS.traverseNeighbors.file), "utf8");
    expect(text).toContain(`[:SUBSET_OF*1..${MAX_INHERITANCE_DEPTH}]`);
  });

  it("the walk statements' depth bound is MAX_WALK_DEPTH, the largest depth the configuration accepts", async () => {
    for (const name of [
      "traverseAncestors",
      "traverseDescendants",
      "traverseSuccessors",
    ] as const) {
      const text = await readFile(join(CYPHER_DIR, STATEMENTS[name].file), "utf8");
      expect(text, name).toMatch(new RegExp(`\\*1\\.\\.${MAX_WALK_DEPTH}\\]`));
    }
    // The load's cycle check reads the hierarchy above as deep as a walk could go.
    const above = await readFile(join(CYPHER_DIR, STATEMENTS.hierarchyAbove.file), "utf8");
    expect(above).toMatch(new RegExp(`\\*0\\.\\.${MAX_WALK_DEPTH}\\]`));
    expect(
      loadConfig({ MAX_TRAVERSAL_DEPTH: String(MAX_WALK_DEPTH) }).limits.maxTraversalDepth,
    ).toBe(MAX_WALK_DEPTH);
    expect(() => loadConfig({ MAX_TRAVERSAL_DEPTH: String(MAX_WALK_DEPTH + 1) })).toThrow(
      ConfigError,
    );
  });

  it("load batches stay at most 20000 rows: each is one parameter list in Neo4j's heap", () => {
    const env = {
      CODEGRAPH_STORE: "neo4j",
      NEO4J_URI: "bolt://localhost:7687",
      NEO4J_PASSWORD: "x",
    };
    expect(loadConfig({ ...env, NEO4J_BATCH_SIZE: "20000" }).neo4j?.batchSize).toBe(20_000);
    expect(() => loadConfig({ ...env, NEO4J_BATCH_SIZE: "20001" })).toThrow(/NEO4J_BATCH_SIZE/);
  });

  it("a missing statement file fails start-up, naming the file", async () => {
    const dir = join(tmpdir(), `codegraph-cypher-${process.pid}-${Date.now()}`);
    await cp(CYPHER_DIR, dir, { recursive: true });
    try {
      await rm(join(dir, "traverse-successors.cypher"));
      await expect(loadCypherStatements(dir)).rejects.toThrow(MissingCypherFileError);
      await expect(loadCypherStatements(dir)).rejects.toThrow(/traverse-successors\.cypher/);
      const config = {
        uri: "bolt://127.0.0.1:1",
        user: "neo4j",
        password: "x",
        database: "neo4j",
        timeoutMs: 1000,
        batchSize: 10,
      };
      await expect(Neo4jStore.open(config, { cypherDir: dir })).rejects.toThrow(
        /traverse-successors\.cypher/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("splits a file at semicolons that end a line and drops comment-only parts", () => {
    expect(
      splitStatements("// a comment\nRETURN 1;\n\n// another\nRETURN ';' ;\n// trailing comment\n"),
    ).toEqual(["// a comment\nRETURN 1", "// another\nRETURN ';'"]);
  });
});
