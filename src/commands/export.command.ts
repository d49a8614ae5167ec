import { resolve } from "node:path";
import { type Command } from "commander";
import { loadConfig } from "../config.js";
import { ALL_CODE_SYSTEMS } from "../domain/code-system.js";
import { type GraphEdge } from "../domain/graph.js";
import { createLogger } from "../logger.js";
import { type GraphStore } from "../store/graph-store.js";
import { MemoryStore } from "../store/memory/memory-store.js";
import { type GraphSource, writeAdminImportFiles } from "../store/neo4j/admin-import-files.js";
import { Neo4jStore } from "../store/neo4j/neo4j-store.js";
import { openStore } from "../store/open-store.js";

const CHUNK = 5000;

/**
 * `codegraph export --neo4j-admin DIR`: the configured store's graph (for the embedded
 * store, the saved graph or the bundled sample) as CSV files for
 * `neo4j-admin database import full`, the fast path for very large first loads.
 */
export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export the configured store's graph")
    .requiredOption(
      "--neo4j-admin <dir>",
      "write node and relationship CSV files with headers for `neo4j-admin database import full` into this folder",
    )
    .action(async (options: { neo4jAdmin: string }) => {
      const config = loadConfig();
      const dir = resolve(options.neo4jAdmin);
      const store = await openStore(config, createLogger(config.logLevel));
      try {
        const summary = await writeAdminImportFiles(dir, graphSource(store), (what, count) =>
          console.error(`  ${count} ${what} written`),
        );
        console.error(
          `exported ${summary.codes} codes, ${summary.edges} edges, ${summary.releases} releases to ${dir}:\n` +
            `  ${summary.files.join(", ")}\n` +
            `import them into a stopped Neo4j from that folder (read-only will do; neo4j-admin reports to /tmp/import.report) with:\n` +
            `  ${summary.command}\n` +
            `(with docker compose: docs/neo4j.md, "Very large first loads"), then start Neo4j and run \`codegraph db:migrate\` (constraints, indexes, code systems).`,
        );
      } finally {
        await store.close();
      }
    });
}

/**
 * Codes and releases come through the store port. Edges do not: the port reads them by
 * date, an export wants all of them, so each store is asked in its own terms.
 */
function graphSource(store: GraphStore): GraphSource {
  return {
    async *codes() {
      for (const system of ALL_CODE_SYSTEMS) yield* store.scanCodes(system, CHUNK);
    },
    edges: () => edgesOf(store),
    releases: async () => (await store.listReleases(ALL_CODE_SYSTEMS)).flat(),
  };
}

async function* edgesOf(store: GraphStore): AsyncIterable<GraphEdge[]> {
  if (store instanceof Neo4jStore) {
    yield* store.scanEdges(CHUNK);
  } else if (store instanceof MemoryStore) {
    const edges = [...store.current.edges.values()];
    for (let i = 0; i < edges.length; i += CHUNK) yield edges.slice(i, i + CHUNK);
  } else {
    throw new Error(`cannot export the edges of the ${store.name} store`);
  }
}
