import { type Logger } from "pino";
import { type Config, ConfigError } from "../../config.js";
import { redactUri } from "./neo4j-errors.js";
import { Neo4jStore } from "./neo4j-store.js";

/**
 * Opens the Neo4j store for serving. A missing statement file fails here; Neo4j being
 * down does not: the process stays up, says so in one log line, answers /readyz with 503
 * and queries with UNAVAILABLE until Neo4j answers, then carries on without a restart.
 */
export async function openNeo4jStore(config: Config, logger: Logger): Promise<Neo4jStore> {
  if (!config.neo4j) {
    // loadConfig already refuses this; the check keeps the type honest.
    throw new ConfigError(
      "invalid configuration:\n  NEO4J_URI: is required when CODEGRAPH_STORE=neo4j",
    );
  }
  const store = await Neo4jStore.open(config.neo4j);
  const where = {
    store: "neo4j",
    uri: redactUri(config.neo4j.uri),
    database: config.neo4j.database,
  };
  const health = await store.health();
  if (health.ready) logger.info(where, "connected to Neo4j");
  else {
    logger.warn(
      { ...where, reason: health.reason },
      `Neo4j is not ready (${health.reason}); serving anyway: /readyz answers 503 and queries answer UNAVAILABLE until it is`,
    );
  }
  return store;
}
