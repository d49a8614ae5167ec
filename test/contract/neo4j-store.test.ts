import { randomBytes } from "node:crypto";
import neo4j, { type Driver } from "neo4j-driver";
import { describe, it } from "vitest";
import { loadConfig, type Neo4jConfig } from "../../src/config.js";
import { type GraphStore } from "../../src/store/graph-store.js";
import { Neo4jStore } from "../../src/store/neo4j/neo4j-store.js";
import { graphStoreContract } from "./graph-store.contract.js";

/**
 * The store contract against a real Neo4j, wherever NEO4J_URI is set
 * (`npm run test:neo4j`; docs/neo4j.md shows it against `docker compose up neo4j`).
 *
 * Each run is isolated:
 * - on Enterprise, in a database of its own, created here and dropped after;
 * - on Community, which has one user database, and wherever CREATE DATABASE is refused
 *   (Aura, a user without the privilege), in the configured database, which must hold no
 *   codegraph data: the run refuses to start otherwise (it never touches data it did not
 *   write) and deletes every node it wrote afterwards, with their relationships. The
 *   schema it creates (constraints, including the relationship key constraints, and
 *   indexes, all IF NOT EXISTS) is left in place: the same statements `db:migrate` runs,
 *   which a later migration finds as they should be.
 */

const CODEGRAPH_LABELS = "n:Code OR n:Release OR n:CodeSystem";

interface Run {
  readonly admin: Driver;
  readonly database: string;
  readonly ownDatabase: boolean;
}

const runs = new WeakMap<GraphStore, Run>();

async function isEnterprise(admin: Driver): Promise<boolean> {
  const { records } = await admin.executeQuery(
    "CALL dbms.components() YIELD edition RETURN edition",
    {},
    { database: "system", routing: neo4j.routing.READ },
  );
  return records.some((r) => r.get("edition") !== "community");
}

/**
 * A database of the run's own, or null where none can be created: Community has one user
 * database, and Aura (Enterprise underneath) or a user without the privilege refuse
 * CREATE DATABASE.
 */
async function createOwnDatabase(admin: Driver): Promise<string | null> {
  if (!(await isEnterprise(admin))) return null;
  const name = `codegraph-test-${randomBytes(4).toString("hex")}`;
  try {
    await admin.executeQuery("CREATE DATABASE $name WAIT", { name }, { database: "system" });
    return name;
  } catch (error) {
    console.warn(
      `CREATE DATABASE was refused (${(error as Error).message.split("\n")[0]}); ` +
        "running in the configured database instead, which must be empty",
    );
    return null;
  }
}

async function open(config: Neo4jConfig): Promise<GraphStore> {
  const admin = neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password));
  const own = await createOwnDatabase(admin);
  const ownDatabase = own !== null;
  const database = own ?? config.database;
  if (!ownDatabase) {
    const { records } = await admin.executeQuery(
      `MATCH (n) WHERE ${CODEGRAPH_LABELS} RETURN count(n) AS held`,
      {},
      { database },
    );
    const held = records[0]!.get("held").toNumber();
    if (held > 0) {
      await admin.close();
      throw new Error(
        `database ${database} already holds ${held} codegraph nodes: the contract suite runs only against an empty ` +
          "database on Community and Aura (on Enterprise it makes its own). Start a fresh `docker compose up neo4j` " +
          "(without the import job), or point NEO4J_DATABASE at an empty database.",
      );
    }
  }
  const store = await Neo4jStore.open({ ...config, database });
  await store.migrate();
  runs.set(store, { admin, database, ownDatabase });
  return store;
}

async function dispose(store: GraphStore): Promise<void> {
  await store.close();
  const run = runs.get(store);
  if (!run) return;
  try {
    if (run.ownDatabase) {
      await run.admin.executeQuery(
        "DROP DATABASE $name IF EXISTS WAIT",
        { name: run.database },
        { database: "system" },
      );
    } else {
      await run.admin.executeQuery(
        `MATCH (n) WHERE ${CODEGRAPH_LABELS} DETACH DELETE n`,
        {},
        { database: run.database },
      );
    }
  } finally {
    await run.admin.close();
  }
}

const config = process.env.NEO4J_URI
  ? loadConfig({ ...process.env, CODEGRAPH_STORE: "neo4j" }).neo4j
  : null;

if (config) {
  graphStoreContract("neo4j", { open: () => open(config), dispose });
} else {
  describe("GraphStore contract: neo4j", () => {
    it.skip("runs only where NEO4J_URI (and NEO4J_PASSWORD) are set: see docs/neo4j.md, `npm run test:neo4j`", () => {});
  });
}
