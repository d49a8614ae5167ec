import { type Command } from "commander";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { ALL_CODE_SYSTEMS } from "../domain/code-system.js";
import { loadSeed } from "../import/seed-loader.js";
import { redactUri } from "../store/neo4j/neo4j-errors.js";
import { Neo4jStore } from "../store/neo4j/neo4j-store.js";

/**
 * `codegraph db:migrate` and `codegraph db:seed`: Neo4j housekeeping. Both talk to the
 * Neo4j of NEO4J_URI whatever CODEGRAPH_STORE says, so the import job of
 * docker-compose.yml can prepare the database before the API serves from it.
 */
export function registerDb(program: Command): void {
  program
    .command("db:migrate")
    .description(
      "check the Neo4j version (5.23 or later), create the constraints, indexes and full-text index of cypher/schema.cypher and the code-system nodes, check the full-text index's definition; safe to run again",
    )
    .option(
      "--seed",
      "then load the bundled sample graph, if the database holds no codes yet (a restart never overwrites imported releases)",
    )
    .action(async (options: { seed?: boolean }) => {
      const config = loadConfig();
      await withNeo4j(config, async (store) => {
        const summary = await store.migrate((statement) => console.error(`  ${statement}`));
        console.error(
          `schema applied on Neo4j ${summary.server}: ${summary.schemaStatements} statements, ${summary.codeSystems} code-system nodes, indexes online`,
        );
        if (options.seed) {
          const held = await codesHeld(store);
          if (held === 0) await seed(store, config.seedDir);
          else
            console.error(
              `the database already holds ${held} codes: the sample is not loaded over them`,
            );
        }
      });
    });

  program
    .command("db:seed")
    .description(
      "load the bundled sample graph into Neo4j in batches of NEO4J_BATCH_SIZE, in one transaction (all or nothing, tried once); loading twice changes nothing",
    )
    .option("--dir <dir>", "the seed folder (default: CODEGRAPH_SEED_DIR)")
    .action(async (options: { dir?: string }) => {
      const config = loadConfig();
      await withNeo4j(config, (store) => seed(store, options.dir ?? config.seedDir));
    });
}

/** Opens the Neo4j store for a command, and always closes it (the driver holds sockets). */
async function withNeo4j(
  config: Config,
  work: (store: Neo4jStore) => Promise<void>,
): Promise<void> {
  if (!config.neo4j) {
    throw new ConfigError(
      "invalid configuration:\n  NEO4J_URI: is required for db:* commands (with NEO4J_PASSWORD)",
    );
  }
  console.error(
    `Neo4j ${redactUri(config.neo4j.uri)}, database ${config.neo4j.database}, user ${config.neo4j.user}`,
  );
  const store = await Neo4jStore.open(config.neo4j);
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

async function codesHeld(store: Neo4jStore): Promise<number> {
  const counts = await store.countCodes(
    ALL_CODE_SYSTEMS.map((system) => ({ system, asOf: null, billableOnly: false })),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function seed(store: Neo4jStore, dir: string): Promise<void> {
  const records = await loadSeed(dir);
  console.error(
    `loading ${records.codes.length} codes, ${records.edges.length} edges, ${records.releases.length} releases from ${dir}`,
  );
  const started = performance.now();
  const summary = await store.load(records, {
    onProgress: (written, total) =>
      console.error(`  ${written} of ${total} codes and edges written`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(
    `loaded ${summary.codesWritten} codes, ${summary.edgesWritten} edges, ${summary.releasesWritten} releases in ${seconds} s (committed)`,
  );
}
