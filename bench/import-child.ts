/**
 * The import half of `npm run bench:import`, run as its own process so that its peak
 * RSS is the import's alone: imports the files named on the command line into a fresh
 * embedded store saved in the given data folder, as `codegraph import` does, and prints
 * one `RESULT {json}` line with its timings, peak RSS and counts.
 *
 *   tsx bench/import-child.ts <data-dir> <file>...
 */
import { importFiles } from "../src/import/apply-imports.js";
import { openMemoryStore } from "../src/store/memory/persistent-memory-store.js";
import { PROJECT_ROOT } from "../src/project-root.js";

const [dataDir, ...files] = process.argv.slice(2);
if (!dataDir || files.length === 0) {
  console.error("usage: import-child.ts <data-dir> <file>...");
  process.exit(2);
}

const started = performance.now();
const stages: Record<string, number> = {};
let stageStart = started;
let stageName = "parse";
const stage = (next: string) => {
  const now = performance.now();
  stages[stageName] = Math.round(now - stageStart);
  stageName = next;
  stageStart = now;
};

const { store } = await openMemoryStore({
  dataDir,
  seedDir: `${PROJECT_ROOT}/seed`,
  fallback: "empty",
});
const result = await importFiles(store, files, { onStage: stage });
stage("done");
const wallMs = Math.round(performance.now() - started);

console.log(
  `RESULT ${JSON.stringify({
    wallMs,
    // resourceUsage().maxRSS is in kilobytes.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    // "write" covers building the new graph's indexes and saving it to the data folder.
    stages: {
      parse: stages["parse"],
      readStore: stages["reading-store"],
      merge: stages["merging"],
      write: stages["writing"],
    },
    nodes: store.current.nodes.size,
    edges: store.current.edges.size,
    systems: result.systems,
    files: result.files.map((f) => ({
      file: f.file,
      format: f.format,
      rows: f.rows,
      status: f.status,
    })),
  })}`,
);
