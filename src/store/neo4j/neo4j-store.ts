import neo4j, {
  type Driver,
  type ManagedTransaction,
  type Record as Neo4jRecord,
  type Session,
  type Transaction,
} from "neo4j-driver";
import { type Neo4jConfig } from "../../config.js";
import { type CodeSystemId } from "../../domain/code-system.js";
import {
  type CodeNode,
  type GraphEdge,
  type GraphRecords,
  type ReleaseInfo,
} from "../../domain/graph.js";
import {
  ALL_RELATIONS,
  DATED_NEIGHBOUR_RELATIONS,
  Direction,
  INHERITED_KINDS,
  Relation,
} from "../../domain/relationship.js";
import {
  type ClosureQuery,
  type CodeCountQuery,
  type GraphStore,
  type LoadOptions,
  type LoadSummary,
  type NeighborQuery,
  type SearchPage,
  type SearchQuery,
  type StoreHealth,
  type SuccessorQuery,
  type TraversalItem,
  type TraversalPage,
  type TraversalQuery,
} from "../graph-store.js";
import { cycleWithLoad, hierarchyCycleError } from "../hierarchy-cycle.js";
import {
  type CypherStatements,
  LOAD_EDGES,
  loadCypherStatements,
  MAX_WALK_DEPTH,
  type StatementName,
  STATEMENTS,
} from "./cypher-statements.js";
import { toLoadError, toStoreError, unavailableReason, withDeadline } from "./neo4j-errors.js";
import {
  asList,
  asMap,
  asNode,
  asRelationship,
  asString,
  codeFromNode,
  codeSystemRows,
  codeToRow,
  edgeFromRelationship,
  rankingCandidateFromMap,
  edgeToRow,
  type EdgeRow,
  releaseFromNode,
  releaseToRow,
  toInteger,
  toNeo4jDate,
  toNumber,
} from "./record-mapping.js";
import {
  codeSearchKeys,
  luceneQuery,
  pageCodeIds,
  rankCandidates,
  withWholeCodes,
} from "./search-ranking.js";
import {
  FULLTEXT_INDEX,
  fulltextIndexDifferences,
  UnsupportedServerError,
  unsupportedVersionReason,
} from "./server-checks.js";
import { adjacency, walkAncestors, walkSuccessors, type WalkEdge } from "./traversal-walks.js";

/**
 * Most candidates each search branch (code prefix, full-text) hands to the ranking. The
 * embedded store ranks every match; here a text matching more codes than this is ranked
 * over the best this many of each branch (shortest code keys, best Lucene scores), so its
 * totalCount is at most twice this. Two-letter prefixes and single common words reach it
 * on full releases; real searches stay far below. docs/neo4j.md lists the differences.
 */
export const SEARCH_CANDIDATE_LIMIT = 1000;

/** How long `db:migrate` waits for new indexes to come online. */
const AWAIT_INDEXES_SECONDS = 300;

type Params = Record<string, unknown>;
type RunInTransaction = (name: StatementName, params: Params) => Promise<Neo4jRecord[]>;

/** Options for {@link Neo4jStore.open}. */
export interface Neo4jStoreOptions {
  /** Folder of the statement files (default: cypher/ at the project root). */
  readonly cypherDir?: string;
}

/** What `migrate()` did. */
export interface MigrationSummary {
  /** The server's version and edition, as dbms.components() gives them: `5.26.0 community`. */
  readonly server: string;
  readonly schemaStatements: number;
  readonly codeSystems: number;
}

/**
 * The production store: the graph in Neo4j, reached with neo4j-driver 6.
 *
 * - Every read of the port is one read transaction whose statements UNWIND the whole
 *   batch, the order restored here: a fixed number of statements per call, whatever the
 *   number of keys. Most calls are one statement (one `executeQuery`, one round trip);
 *   a traversal batch runs one statement per mode present (up to four), and search two
 *   (candidates, then the page's codes), each one after the other in the transaction.
 * - Statements come from cypher/, read once by {@link Neo4jStore.open}; parameters only,
 *   labels and relationship types fixed in the files.
 * - Driver values (Integer, Date, Node, Relationship) are converted in record-mapping.ts
 *   and never leave this folder.
 * - Every read has a deadline (NEO4J_TIMEOUT_MS): past it, or when Neo4j cannot be
 *   reached, the call fails with StoreUnavailableError (GraphQL code UNAVAILABLE). No
 *   broken state is kept: the driver's pool reconnects by itself, so queries succeed
 *   again as soon as Neo4j is back, and health() asks Neo4j afresh each time.
 * - A load is one explicit write transaction, tried once: all of it lands or none of it
 *   does.
 */
export class Neo4jStore implements GraphStore {
  readonly name = "neo4j";
  private loading: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly driver: Driver,
    private readonly statements: CypherStatements,
    private readonly config: Neo4jConfig,
  ) {}

  /**
   * Reads the statement files (a missing one fails here, named) and creates the driver.
   * Does not connect: a store opened while Neo4j is down works once Neo4j is up.
   */
  static async open(config: Neo4jConfig, options: Neo4jStoreOptions = {}): Promise<Neo4jStore> {
    const statements = await loadCypherStatements(options.cypherDir);
    const driver = neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
      connectionTimeout: config.timeoutMs,
      connectionAcquisitionTimeout: config.timeoutMs,
      // The driver retries failed transactions with back-off; stopping at half the
      // timeout lets it fail with its own reason before the deadline cuts it short.
      maxTransactionRetryTime: Math.floor(config.timeoutMs / 2),
      userAgent: "codegraph",
    });
    return new Neo4jStore(driver, statements, config);
  }

  /** The database this store reads and writes. */
  get database(): string {
    return this.config.database;
  }

  async getCodes(ids: readonly string[]): Promise<(CodeNode | null)[]> {
    if (ids.length === 0) return [];
    const records = await this.read("getCodes", { ids: [...new Set(ids)] });
    const byId = new Map<string, CodeNode>();
    for (const r of records)
      byId.set(asString(r.get("id"), "id"), codeFromNode(asNode(r.get("n"), "n")));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * Groups the batch by mode (neighbours, ancestors, descendants, successors) and runs
   * one statement per mode present, one after the other in one read transaction (so up
   * to four round trips, whatever the batch size), then answers in key order. Neighbours and descendants come back ordered and paged; ancestors and
   * successors come back as candidate edges walked here exactly as the embedded store
   * walks them (see traversal-walks.ts).
   */
  async traverse(queries: readonly TraversalQuery[]): Promise<TraversalPage[]> {
    if (queries.length === 0) return [];
    const neighbors: [number, NeighborQuery][] = [];
    const ancestors: [number, ClosureQuery][] = [];
    const descendants: [number, ClosureQuery][] = [];
    const successors: [number, SuccessorQuery][] = [];
    queries.forEach((q, i) => {
      if (q.mode === "neighbors") neighbors.push([i, q]);
      else if (q.mode === "closure")
        (q.direction === Direction.OUT ? ancestors : descendants).push([i, q]);
      else successors.push([i, q]);
    });

    const pages: (TraversalPage | undefined)[] = new Array(queries.length);
    await this.readTransaction("traverse", async (run) => {
      // One statement after the other: a transaction runs its statements in order anyway.
      if (neighbors.length > 0) {
        const records = await run("traverseNeighbors", {
          queries: neighbors.map(([i, q]) => neighborParams(i, q)),
        });
        for (const r of records) {
          const i = toNumber(r.get("i"), "i");
          const q = queries[i] as NeighborQuery;
          pages[i] = {
            totalCount: toNumber(r.get("total"), "total"),
            items: asList(r.get("page"), "page").map((value) => {
              const row = asMap(value, "page row");
              const node = codeFromNode(asNode(row.node, "node"));
              const out = toNumber(row.side, "side") === 0;
              const depth = toNumber(row.depth, "depth");
              // An inherited note leaves the code above that bears it, not the code asked.
              const bearer = depth > 1 ? codeFromNode(asNode(row.bearer, "bearer")) : undefined;
              const [from, to] = out ? [bearer?.id ?? q.id, node.id] : [node.id, q.id];
              const edge = edgeFromRelationship(asRelationship(row.edge, "edge"), from, to);
              const direction = out ? Direction.OUT : Direction.IN;
              return (
                bearer
                  ? { node, edge, depth, direction, inheritedFrom: bearer }
                  : { node, edge, depth, direction }
              ) satisfies TraversalItem;
            }),
          };
        }
      }
      if (descendants.length > 0) {
        const records = await run("traverseDescendants", {
          queries: descendants.map(([i, q]) => closureParams(i, q)),
        });
        for (const r of records) {
          const i = toNumber(r.get("i"), "i");
          pages[i] = {
            totalCount: toNumber(r.get("total"), "total"),
            items: asList(r.get("page"), "page").map((value) => {
              const row = asMap(value, "page row");
              const node = codeFromNode(asNode(row.node, "node"));
              const parent = asString(row.parent, "parent");
              const edge = edgeFromRelationship(asRelationship(row.edge, "edge"), node.id, parent);
              return {
                node,
                edge,
                depth: toNumber(row.depth, "depth"),
                direction: Direction.IN,
              } satisfies TraversalItem;
            }),
          };
        }
      }
      if (ancestors.length > 0) {
        const records = await run("traverseAncestors", {
          queries: ancestors.map(([i, q]) => closureParams(i, q)),
        });
        const byQuery = groupWalkEdges(records, (r) => {
          const parent = codeFromNode(asNode(r.get("parent"), "parent"));
          const edge = edgeFromRelationship(
            asRelationship(r.get("edge"), "edge"),
            asString(r.get("child"), "child"),
            parent.id,
          );
          return { edge, node: parent };
        });
        for (const [i, q] of ancestors)
          pages[i] = walkAncestors(
            q,
            adjacency(byQuery.get(i) ?? [], (e) => e.from),
          );
      }
      if (successors.length > 0) {
        const records = await run("traverseSuccessors", {
          queries: successors.map(([i, q]) => successorParams(i, q)),
        });
        const byQuery = groupWalkEdges(records, (r) => {
          const successor = codeFromNode(asNode(r.get("successor"), "successor"));
          const edge = edgeFromRelationship(
            asRelationship(r.get("edge"), "edge"),
            successor.id,
            asString(r.get("replaced"), "replaced"),
          );
          return { edge, node: successor };
        });
        for (const [i, q] of successors)
          pages[i] = walkSuccessors(
            q,
            adjacency(byQuery.get(i) ?? [], (e) => e.to),
          );
      }
    });
    // A query whose code is unknown (or has no match) returns no row.
    return pages.map((page) => page ?? { totalCount: 0, items: [] });
  }

  /**
   * One read transaction of two statements, whatever the batch size: the candidates of
   * every query (code-key prefix and full-text) as the few properties the ranking reads
   * (RANKING_KEYS), ranked here with the embedded store's rules; then the codes of every
   * query's page, whole, by id. Up to 2 × SEARCH_CANDIDATE_LIMIT candidates per query
   * cross the wire, so they travel light; only the page's codes travel whole.
   */
  async search(queries: readonly SearchQuery[]): Promise<SearchPage[]> {
    if (queries.length === 0) return [];
    return this.readTransaction("search", async (run) => {
      const records = await run("search", {
        queries: queries.map((q, i) => ({
          i: toInteger(i),
          codeKeys: codeSearchKeys(q.text),
          words: luceneQuery(q.text),
          // An empty list stays empty: it matches nothing, as in the embedded store.
          systems: q.systems ? [...q.systems] : null,
          asOf: q.asOf === null ? null : toNeo4jDate(q.asOf),
          billableOnly: q.billableOnly,
        })),
        candidateLimit: toInteger(SEARCH_CANDIDATE_LIMIT),
      });
      const candidates = new Map<number, CodeNode[]>();
      for (const r of records) {
        const found = asList(r.get("candidates"), "candidates").map(rankingCandidateFromMap);
        candidates.set(toNumber(r.get("i"), "i"), found);
      }
      const ranked = queries.map((q, i) => rankCandidates(q, candidates.get(i) ?? []));
      const ids = pageCodeIds(ranked);
      if (ids.length === 0) return ranked;
      const whole = new Map<string, CodeNode>();
      for (const r of await run("getCodes", { ids })) {
        whole.set(asString(r.get("id"), "id"), codeFromNode(asNode(r.get("n"), "n")));
      }
      return withWholeCodes(ranked, whole);
    });
  }

  async countCodes(queries: readonly CodeCountQuery[]): Promise<number[]> {
    if (queries.length === 0) return [];
    const records = await this.read("countCodes", {
      queries: queries.map((q, i) => ({
        i: toInteger(i),
        system: q.system,
        asOf: q.asOf === null ? null : toNeo4jDate(q.asOf),
        billableOnly: q.billableOnly,
      })),
    });
    const counts = new Map<number, number>();
    for (const r of records)
      counts.set(toNumber(r.get("i"), "i"), toNumber(r.get("codes"), "codes"));
    return queries.map((_, i) => counts.get(i) ?? 0);
  }

  async listReleases(systems: readonly CodeSystemId[]): Promise<ReleaseInfo[][]> {
    if (systems.length === 0) return [];
    const records = await this.read("listReleases", { systems: [...new Set(systems)] });
    const bySystem = new Map<string, ReleaseInfo[]>();
    for (const r of records) {
      const release = releaseFromNode(asNode(r.get("r"), "r"));
      const list = bySystem.get(release.system);
      if (list) list.push(release);
      else bySystem.set(release.system, [release]);
    }
    return systems.map((s) => [...(bySystem.get(s) ?? [])]);
  }

  /** Keyset pages over the unique id index: each chunk is one bounded range seek. */
  async *scanCodes(system: CodeSystemId, chunkSize = 5000): AsyncIterable<CodeNode[]> {
    // Every id of the system lies strictly between `SYSTEM:` and `SYSTEM;` (';' follows ':').
    let after = `${system}:`;
    const before = `${system};`;
    for (;;) {
      const records = await this.read("scanCodes", {
        system,
        after,
        before,
        limit: toInteger(chunkSize),
      });
      const chunk = records.map((r) => codeFromNode(asNode(r.get("n"), "n")));
      if (chunk.length > 0) yield chunk;
      if (chunk.length < chunkSize) return;
      after = chunk[chunk.length - 1]!.id;
    }
  }

  /** Every code-to-code edge, in chunks of the edges of `chunkSize` source codes: for exports. */
  async *scanEdges(chunkSize = 5000): AsyncIterable<GraphEdge[]> {
    let after = "";
    for (;;) {
      const records = await this.read("scanEdges", { after, limit: toInteger(chunkSize) });
      const edges = records.flatMap((r) => {
        const source = asString(r.get("source"), "source");
        return asList(r.get("edges"), "edges").map((value) => {
          const row = asMap(value, "edge row");
          return edgeFromRelationship(
            asRelationship(row.edge, "edge"),
            source,
            asString(row.target, "target"),
          );
        });
      });
      if (edges.length > 0) yield edges;
      if (records.length < chunkSize) return;
      after = asString(records[records.length - 1]!.get("source"), "source");
    }
  }

  /**
   * Writes the records in one explicit write transaction, tried once, in UNWIND batches of
   * NEO4J_BATCH_SIZE rows: first a check that every edge end exists (in the batch or
   * already held) and that the hierarchy would hold no cycle on any date (the embedded
   * store's check, over the loaded SUBSET_OF edges and the held ones above them; the same
   * error), then codes, edges per relationship type, releases. The transaction
   * commits only after the last batch, so a failure anywhere leaves the database as it
   * was. The price is that a whole release sits in Neo4j's transaction memory until the
   * commit; running out of it fails at once with advice (toLoadError). Initial loads of
   * full releases can go through `codegraph export --neo4j-admin` instead.
   * Loads in one process run one after another, as in the embedded store.
   */
  load(records: GraphRecords, options?: LoadOptions): Promise<LoadSummary> {
    const run = this.loading.then(() => this.write(records, options));
    this.loading = run.catch(() => undefined);
    return run;
  }

  private async write(records: GraphRecords, options?: LoadOptions): Promise<LoadSummary> {
    // Everything is converted before Neo4j is touched: a bad record fails without a round trip.
    const codeRows = records.codes.map(codeToRow);
    const edgeRows = new Map<Relation, EdgeRow[]>(ALL_RELATIONS.map((r) => [r, []]));
    for (const edge of records.edges) edgeRows.get(edge.relation)!.push(edgeToRow(edge));
    const releaseRows = records.releases.map(releaseToRow);
    const hierarchy = records.edges.filter((e) => e.relation === Relation.SUBSET_OF);
    const loaded = new Set(records.codes.map((c) => c.id));
    const ends = [...new Set(records.edges.flatMap((e) => [e.from, e.to]))].filter(
      (id) => !loaded.has(id),
    );
    const total = records.codes.length + records.edges.length;
    const size = this.config.batchSize;

    // An explicit transaction, not executeWrite: the driver's managed transactions retry
    // transient errors until maxTransactionRetryTime, and for a load the likeliest one is
    // running out of transaction memory, where sending the whole release again only fails
    // again, later. One attempt; the caller may rerun it (loads are idempotent).
    const session = this.session(neo4j.session.WRITE);
    let tx: Transaction | undefined;
    try {
      tx = session.beginTransaction({ metadata: { app: "codegraph", work: "load" } });
      const open = tx;
      const run: RunInTransaction = (name, params) =>
        runInTransaction(open, this.statements, name, params);
      let written = 0;
      for (const ids of batches(ends, size)) {
        const [row] = await run("checkEdgeEnds", { ids });
        const missing = new Set(asList(row?.get("missing") ?? [], "missing") as string[]);
        if (missing.size > 0) throw missingEndError(records.edges, missing);
      }
      // The embedded store's cycle check, over the loaded hierarchy edges and the held
      // ones above them: any cycle the load would close runs through both.
      if (hierarchy.length > 0) {
        const held: GraphEdge[] = [];
        for (const ids of batches(hierarchyParents(hierarchy), size)) {
          for (const r of await run("hierarchyAbove", { ids })) held.push(heldHierarchyEdge(r));
        }
        const cycle = cycleWithLoad(held, hierarchy);
        if (cycle) throw hierarchyCycleError(cycle);
      }
      const writeBatches = async (
        name: StatementName,
        rows: readonly unknown[],
        counts: boolean,
      ) => {
        for (const batch of batches(rows, size)) {
          const [row] = await run(name, { rows: batch });
          const done = toNumber(row?.get("written") ?? 0, "written");
          // Ends were checked above; a shortfall means one was deleted meanwhile.
          if (done !== batch.length)
            throw new Error(`${name}: wrote ${done} of ${batch.length} rows; nothing was loaded`);
          if (counts) {
            written += batch.length;
            options?.onProgress?.(written, total);
          }
        }
      };
      await writeBatches("loadCodes", codeRows, true);
      for (const relation of ALL_RELATIONS)
        await writeBatches(LOAD_EDGES[relation], edgeRows.get(relation)!, true);
      await writeBatches("loadReleases", releaseRows, false);
      await tx.commit();
    } catch (error) {
      // All or nothing: whatever was written goes with the transaction.
      if (tx?.isOpen()) await tx.rollback().catch(() => undefined);
      throw toLoadError(error, this.config.uri);
    } finally {
      await session.close();
    }
    if (total === 0) options?.onProgress?.(0, 0);
    return {
      codesWritten: records.codes.length,
      edgesWritten: records.edges.length,
      releasesWritten: records.releases.length,
    };
  }

  /**
   * Checks the server's version, applies cypher/schema.cypher (constraints, indexes, the
   * full-text index) statement by statement, writes the code-system nodes, checks that the
   * full-text index is the one search needs, and waits for the indexes to come online.
   * Idempotent: every statement is IF NOT EXISTS or MERGE. Refuses, saying why, a server
   * older than 5.23 and a full-text index of another definition (IF NOT EXISTS would keep
   * it silently).
   */
  async migrate(onStatement?: (statement: string) => void): Promise<MigrationSummary> {
    const [server] = await this.read("serverVersion", {});
    const version = optionalString(server, "version");
    const tooOld = unsupportedVersionReason(version);
    if (tooOld) throw new UnsupportedServerError(tooOld);

    const write = async (text: string, params: Params) => {
      await this.driver.executeQuery(text, params, {
        routing: neo4j.routing.WRITE,
        database: this.config.database,
      });
    };
    for (const statement of this.statements.schema) {
      const head = statement
        .split("\n")
        .find((l) => l.trim() !== "" && !l.trim().startsWith("//"))!
        .trim();
      onStatement?.(head);
      try {
        await write(statement, {});
      } catch (error) {
        throw schemaStatementError(head, error, this.config.uri);
      }
    }
    const { systems, subsets, replacements } = codeSystemRows();
    const named = async (name: StatementName, params: Params) => {
      checkParams(name, params);
      try {
        await write(this.statements.text(name), params);
      } catch (error) {
        throw toStoreError(error, this.config.uri);
      }
    };
    await named("codeSystemNodes", { systems });
    await named("codeSystemSubsets", { links: subsets });
    await named("codeSystemReplacements", { links: replacements });

    const [index] = await this.read("fulltextIndex", {});
    if (!index)
      throw new UnsupportedServerError(
        `the full-text index ${FULLTEXT_INDEX.name} was not created`,
      );
    const differences = fulltextIndexDifferences({
      labelsOrTypes: index.get("labelsOrTypes"),
      properties: index.get("properties"),
      options: index.get("options"),
    });
    if (differences.length > 0) {
      throw new UnsupportedServerError(
        `the full-text index ${FULLTEXT_INDEX.name} exists with another definition ` +
          `(${differences.join("; ")}), so search would find other codes than it should. ` +
          `Drop it (DROP INDEX ${FULLTEXT_INDEX.name}) and run \`codegraph db:migrate\` again: ` +
          "it is rebuilt from the word lists the codes hold.",
      );
    }
    await named("awaitIndexes", { timeoutSeconds: toInteger(AWAIT_INDEXES_SECONDS) });
    return {
      server: `${version} ${optionalString(server, "edition") ?? ""}`.trim(),
      schemaStatements: this.statements.schema.length,
      codeSystems: systems.length,
    };
  }

  /**
   * Ready when Neo4j answers, is 5.23 or later, and the full-text index exists and is
   * online. Asks Neo4j every time: nothing is cached, so readiness follows Neo4j going and
   * coming back (and being upgraded).
   */
  async health(): Promise<StoreHealth> {
    try {
      // No retries in a connectivity check, so when Neo4j is down its reason (refused,
      // unknown host, bad credentials) comes back at once instead of a retry loop's timeout.
      await withDeadline(this.config.timeoutMs, "a connectivity check", async () => {
        try {
          await this.driver.verifyConnectivity({ database: this.config.database });
        } catch (error) {
          throw toStoreError(error, this.config.uri);
        }
      });
      const [server] = await this.read("serverVersion", {});
      const tooOld = unsupportedVersionReason(optionalString(server, "version"));
      if (tooOld) return { ready: false, reason: tooOld };
      const [row] = await this.read("fulltextIndex", {});
      const state = row?.get("state");
      if (state === undefined) {
        return {
          ready: false,
          reason: `Neo4j answers, but the full-text index ${FULLTEXT_INDEX.name} is missing: run \`codegraph db:migrate\``,
        };
      }
      if (state !== "ONLINE")
        return {
          ready: false,
          reason: `Neo4j answers, but the full-text index ${FULLTEXT_INDEX.name} is ${String(state)}`,
        };
      return { ready: true, reason: null };
    } catch (error) {
      return {
        ready: false,
        reason:
          unavailableReason(error) ?? (error instanceof Error ? error.message : String(error)),
      };
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private session(mode: "READ" | "WRITE"): Session {
    return this.driver.session({
      database: this.config.database,
      defaultAccessMode: mode,
      // Shared with executeQuery, so a read after a load sees the load (causal consistency).
      bookmarkManager: this.driver.executeQueryBookmarkManager,
    });
  }

  /** One statement, one read transaction, with the deadline. */
  private async read(name: StatementName, params: Params): Promise<Neo4jRecord[]> {
    checkParams(name, params);
    try {
      return await withDeadline(this.config.timeoutMs, name, async (signal) => {
        const { records } = await this.driver.executeQuery(this.statements.text(name), params, {
          routing: neo4j.routing.READ,
          database: this.config.database,
          transactionConfig: {
            timeout: this.config.timeoutMs,
            metadata: { app: "codegraph", statement: name },
          },
          signal,
        });
        return records;
      });
    } catch (error) {
      throw toStoreError(error, this.config.uri);
    }
  }

  /** Several statements in one read transaction, with the deadline over all of them. */
  private async readTransaction<T>(
    what: string,
    work: (run: RunInTransaction) => Promise<T>,
  ): Promise<T> {
    try {
      return await withDeadline(this.config.timeoutMs, what, async (signal) => {
        const session = this.session(neo4j.session.READ);
        const abort = () => void session.close().catch(() => undefined);
        signal.addEventListener("abort", abort, { once: true });
        try {
          return await session.executeRead(
            (tx) => work((name, params) => runInTransaction(tx, this.statements, name, params)),
            {
              timeout: this.config.timeoutMs,
              metadata: { app: "codegraph", work: what },
            },
          );
        } finally {
          signal.removeEventListener("abort", abort);
          await session.close();
        }
      });
    } catch (error) {
      throw toStoreError(error, this.config.uri);
    }
  }
}

async function runInTransaction(
  tx: Pick<ManagedTransaction, "run">,
  statements: CypherStatements,
  name: StatementName,
  params: Params,
): Promise<Neo4jRecord[]> {
  checkParams(name, params);
  const { records } = await tx.run(statements.text(name), params);
  return records;
}

/**
 * The parameters sent must be exactly those declared in STATEMENTS: that table is what
 * the Cypher lint test declares, so the lint checks what really runs.
 */
function checkParams(name: StatementName, params: Params): void {
  const declared: readonly string[] = STATEMENTS[name].params;
  const sent = Object.keys(params);
  if (sent.length !== declared.length || sent.some((p) => !declared.includes(p))) {
    throw new Error(
      `statement ${name} takes [${declared.join(", ")}], was given [${sent.join(", ")}]`,
    );
  }
}

function neighborParams(i: number, q: NeighborQuery): Params {
  if (!ALL_RELATIONS.includes(q.relation))
    throw new Error(`unknown relation ${String(q.relation)}`);
  return {
    i: toInteger(i),
    id: q.id,
    asOf: toNeo4jDate(q.asOf),
    relation: q.relation,
    direction: q.direction,
    kinds: q.kinds ? [...q.kinds] : null,
    // An empty list stays empty: it matches nothing, as in the embedded store.
    systems: q.systems ? [...q.systems] : null,
    datedNeighbours: DATED_NEIGHBOUR_RELATIONS.has(q.relation),
    byScore: q.relation === Relation.PAIRED_WITH,
    inherited: q.inherited === true && INHERITED_KINDS.has(q.relation),
    inheritedKinds: [...(INHERITED_KINDS.get(q.relation) ?? [])],
    offset: toInteger(q.offset),
    limit: toInteger(q.limit),
  };
}

function closureParams(i: number, q: ClosureQuery): Params {
  return {
    i: toInteger(i),
    id: q.id,
    asOf: toNeo4jDate(q.asOf),
    maxDepth: toInteger(Math.min(q.maxDepth, MAX_WALK_DEPTH)),
    billableOnly: q.billableOnly,
    offset: toInteger(q.offset),
    limit: toInteger(q.limit),
  };
}

function successorParams(i: number, q: SuccessorQuery): Params {
  return {
    i: toInteger(i),
    id: q.id,
    asOf: toNeo4jDate(q.asOf),
    maxDepth: toInteger(Math.min(q.maxDepth, MAX_WALK_DEPTH)),
  };
}

function groupWalkEdges(
  records: readonly Neo4jRecord[],
  toEdge: (r: Neo4jRecord) => WalkEdge,
): Map<number, WalkEdge[]> {
  const byQuery = new Map<number, WalkEdge[]>();
  for (const r of records) {
    const i = toNumber(r.get("i"), "i");
    const list = byQuery.get(i);
    if (list) list.push(toEdge(r));
    else byQuery.set(i, [toEdge(r)]);
  }
  return byQuery;
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The codes whose hierarchy above a load must be read for the cycle check: its edges' parents. */
export function hierarchyParents(hierarchy: readonly GraphEdge[]): string[] {
  return [...new Set(hierarchy.map((e) => e.to))];
}

/** A row of hierarchy-above.cypher as the held edge it names. */
function heldHierarchyEdge(r: Neo4jRecord): GraphEdge {
  return edgeFromRelationship(
    asRelationship(r.get("edge"), "edge"),
    asString(r.get("child"), "child"),
    asString(r.get("parent"), "parent"),
  );
}

/** The same message as the embedded store, naming the first edge (in record order) with a missing end. */
function missingEndError(edges: readonly GraphEdge[], missing: ReadonlySet<string>): Error {
  for (const edge of edges) {
    for (const end of [edge.from, edge.to]) {
      if (missing.has(end))
        return new Error(`${edge.relation} edge ${edge.from} → ${edge.to}: no node ${end}`);
    }
  }
  return new Error(`edges name codes that are not in the graph: ${[...missing].join(", ")}`);
}

/** A string column of a record that may be absent (no row) or null. */
function optionalString(record: Neo4jRecord | undefined, key: string): string | null {
  const value: unknown = record?.get(key);
  return value === undefined || value === null ? null : asString(value, key);
}

/**
 * A schema statement that failed: Neo4j being unavailable stays StoreUnavailableError;
 * anything else names the statement, and a constraint that existing data breaks says how
 * to find the culprits (duplicate relationship keys can only come from loads that ran at
 * once before the constraint existed).
 */
function schemaStatementError(head: string, error: unknown, uri: string): unknown {
  const mapped = toStoreError(error, uri);
  if (mapped !== error || !(error instanceof Error)) return mapped;
  const duplicates =
    error instanceof neo4j.Neo4jError &&
    error.code === "Neo.ClientError.Schema.ConstraintCreationFailed"
      ? " Existing data breaks the constraint; for a relationship key, list the duplicates with " +
        "`MATCH ()-[r:TYPE]->() WITH r.key AS key, count(*) AS n WHERE n > 1 RETURN key, n`, " +
        "delete all but one of each, and run `codegraph db:migrate` again."
      : "";
  return new Error(`${head} failed: ${error.message.split("\n")[0]}.${duplicates}`, {
    cause: error,
  });
}
