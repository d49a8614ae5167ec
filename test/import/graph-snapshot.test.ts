import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { Direction } from "../../src/domain/relationship.js";
import { type GraphRecords } from "../../src/domain/graph.js";
import { importFiles } from "../../src/import/apply-imports.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import {
  decodeGraph,
  encodeGraph,
  GRAPH_FILE,
  GraphSaveError,
  GraphFileError,
  loadSavedGraph,
  saveGraph,
} from "../../src/store/memory/graph-snapshot.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";
import { type MemoryStore } from "../../src/store/memory/memory-store.js";
import { openMemoryStore } from "../../src/store/memory/persistent-memory-store.js";
import { openStore } from "../../src/store/open-store.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";

const SEED = join(PROJECT_ROOT, "seed");
const CM2025 = join(PROJECT_ROOT, "test/fixtures/import/icd10-order/icd10cm_order_2025.txt");

/** Records in a canonical order, so two graphs compare by content. */
function canonical(records: GraphRecords) {
  const graph = MemoryGraph.empty().withRecords(records);
  return {
    codes: [...graph.nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...graph.edges.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e),
    releases: graph.releases,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "codegraph-data-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the saved graph file", () => {
  it("gives back exactly the graph it was written from: every edge kind, versions, synonyms, attributes", async () => {
    for (const records of [CONTRACT_GRAPH, await loadSeed(SEED)]) {
      const back = decodeGraph(encodeGraph(records), "test");
      expect(canonical(back)).toEqual(canonical(records));
    }
  });

  it("is written whole or not at all: no temporary file is left, and it reads back", async () => {
    await saveGraph(dir, CONTRACT_GRAPH);
    expect(readdirSync(dir)).toEqual([GRAPH_FILE]);
    expect(canonical((await loadSavedGraph(dir))!)).toEqual(canonical(CONTRACT_GRAPH));
    // A second save replaces the first.
    await saveGraph(dir, { codes: CONTRACT_GRAPH.codes, edges: [], releases: [] });
    expect((await loadSavedGraph(dir))!.edges).toEqual([]);
    expect(readdirSync(dir)).toEqual([GRAPH_FILE]);
  });

  it("keeps the graph saved before when a save fails midway, and says where and that it was kept", async () => {
    const folder = mkdtempSync(join(tmpdir(), "codegraph-save-fail-"));
    try {
      await saveGraph(folder, CONTRACT_GRAPH);
      const before = readFileSync(join(folder, GRAPH_FILE), "utf8");
      // An edge naming a node the records lack fails the write after the nodes are out.
      const broken = {
        ...CONTRACT_GRAPH,
        edges: [...CONTRACT_GRAPH.edges, { ...CONTRACT_GRAPH.edges[0]!, to: "ICD10CM:Z99.99" }],
      };
      const error = await saveGraph(folder, broken).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GraphSaveError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^cannot save the graph into ${folder}: .*the graph saved there before was kept`,
        ),
      );
      expect(readFileSync(join(folder, GRAPH_FILE), "utf8")).toBe(before);
      expect(readdirSync(folder)).toEqual([GRAPH_FILE]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("leaves no temporary file when the final rename fails", async () => {
    const folder = mkdtempSync(join(tmpdir(), "codegraph-save-rename-"));
    try {
      // A folder where the file should go: the data is written, the rename cannot be.
      mkdirSync(join(folder, GRAPH_FILE, "occupied"), { recursive: true });
      await expect(saveGraph(folder, CONTRACT_GRAPH)).rejects.toThrow(GraphSaveError);
      expect(readdirSync(folder)).toEqual([GRAPH_FILE]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("is absent in a fresh data folder", async () => {
    expect(await loadSavedGraph(join(dir, "nothing-here"))).toBeNull();
  });

  it("stops with a clear message when corrupt, truncated, foreign or of another version", async () => {
    const text = encodeGraph(CONTRACT_GRAPH);
    const cases: [string, RegExp][] = [
      [text.slice(0, text.length / 2), /is not a readable saved graph .* import again/],
      ['{"hello": 1}', /is not a codegraph saved graph/],
      [
        text.replace('"version":1', '"version":99'),
        /format version 99; this build reads version 1/,
      ],
      [text.replace(/"counts":\{"nodes":\d+/, '"counts":{"nodes":1'), /counts say/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(join(dir, GRAPH_FILE), content);
      const error = await loadSavedGraph(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphFileError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(join(dir, GRAPH_FILE));
    }
  });
});

describe("a graph from a saved file", () => {
  it("is the graph a load of the same records builds, its edge keys made on first use", () => {
    const saved = MemoryGraph.fromSaved(decodeGraph(encodeGraph(CONTRACT_GRAPH), "test"));
    const loaded = MemoryGraph.empty().withRecords(CONTRACT_GRAPH);
    expect(saved.nodes).toEqual(loaded.nodes);
    expect(saved.edges).toEqual(loaded.edges);
    expect(saved.releases).toEqual(loaded.releases);
    const walk = {
      mode: "closure",
      id: "ICD10CM:E11",
      asOf: "2025-10-01",
      direction: Direction.IN,
      maxDepth: 5,
      billableOnly: false,
      offset: 0,
      limit: 100,
    } as const;
    expect(saved.closure(walk)).toEqual(loaded.closure(walk));
    const search = {
      text: "diabetes",
      systems: null,
      billableOnly: false,
      asOf: null,
      offset: 0,
      limit: 20,
    };
    expect(saved.search(search)).toEqual(loaded.search(search));
  });

  it("refuses, when its edges are keyed, a file altered to hold an edge twice", () => {
    const twice = { ...CONTRACT_GRAPH, edges: [...CONTRACT_GRAPH.edges, CONTRACT_GRAPH.edges[0]!] };
    const graph = MemoryGraph.fromSaved(twice);
    expect(() => graph.edges).toThrow(/holds the edge SUBSET_OF\|.* twice/);
  });
});

describe("the embedded store over a data folder", () => {
  it("imports into an empty graph (not the sample) and saves it; a restart serves what was saved", async () => {
    const opened = await openMemoryStore({ dataDir: dir, seedDir: SEED, fallback: "empty" });
    expect(opened.source).toBe("empty");
    await importFiles(opened.store, [CM2025]);
    expect(existsSync(join(dir, GRAPH_FILE))).toBe(true);

    const restarted = await openMemoryStore({ dataDir: dir, seedDir: SEED, fallback: "seed" });
    expect(restarted.source).toBe("saved");
    expect(canonical(graphOf(restarted.store))).toEqual(canonical(graphOf(opened.store)));
    expect(restarted.store.current.codesOf(CodeSystemId.CPT)).toEqual([]);
  });

  it("serves the sample when nothing was saved, and never writes over it", async () => {
    const opened = await openMemoryStore({ dataDir: dir, seedDir: SEED, fallback: "seed" });
    expect(opened.source).toBe("seed");
    expect(opened.store.current.nodes.size).toBeGreaterThan(400);
    await opened.store.load({ codes: [], edges: [], releases: [] });
    expect(existsSync(join(dir, GRAPH_FILE))).toBe(false);
  });

  it("is what openStore serves when the data folder holds a saved graph, and start-up fails on a corrupt one", async () => {
    const config = loadConfig({ CODEGRAPH_DATA_DIR: dir });
    const logger = pino({ level: "silent" });
    expect(((await openStore(config, logger)) as MemoryStore).current.nodes.size).toBeGreaterThan(
      400,
    );
    await saveGraph(dir, CONTRACT_GRAPH);
    const lines: Record<string, unknown>[] = [];
    const recording = pino(
      { level: "info" },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const store = (await openStore(config, recording)) as MemoryStore;
    expect(store.current.nodes.size).toBe(CONTRACT_GRAPH.codes.length);
    // Built as a saved graph (no load's checks), and logged without keying its edges.
    expect(lines.find((l) => l["msg"] === "loaded the saved graph")).toMatchObject({
      codes: CONTRACT_GRAPH.codes.length,
      edges: CONTRACT_GRAPH.edges.length,
    });
    expect((store.current as unknown as { edgeMap?: unknown }).edgeMap).toBeUndefined();
    writeFileSync(join(dir, GRAPH_FILE), readFileSync(join(dir, GRAPH_FILE), "utf8").slice(0, 100));
    await expect(openStore(config, logger)).rejects.toThrow(GraphFileError);
  });
});

function graphOf(store: MemoryStore): GraphRecords {
  const g = store.current;
  return { codes: [...g.nodes.values()], edges: [...g.edges.values()], releases: g.releases };
}
