/**
 * `npm run bench:import`: wall time and peak RSS of importing the full release set into
 * the embedded store, then of restarting the server on the saved graph until /readyz
 * answers 200. Each half runs in a child process of its own; this one only measures.
 *
 *   files   ICD-10-CM FY2026 order file and tabular (FY2021), ICD-10-PCS FY2026 order
 *           file, HCPCS 2019, both GEMs (FY2018), ICD-9-CM v32 diagnosis and procedure
 *           titles, from ../shared/data; a file no registered parser recognises is left
 *           out and named.
 *   import  `bench/import-child.ts` under tsx (what `npm run codegraph import` runs):
 *           wall time inside the process and from spawn to exit, peak RSS
 *           (process.resourceUsage().maxRSS).
 *   restart the server compiled by tsc, as `npm start` runs it, on the saved data: time
 *           from spawn to the first /readyz 200, peak RSS (VmHWM) when ready and after
 *           the first search and hierarchy walk, which build the indexes a restart defers.
 *
 * Targets on the 2-core reference machine: import ≤ 20 s, restart ≤ 3 s, peak RSS ≤ 1 GB.
 * BENCH_SKIP_BUILD=1 reuses the last compiled server; BENCH_KEEP_DATA=1 keeps the data folder.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";
import { formatTable } from "../src/commands/text-table.js";
import { parserFor } from "../src/import/formats/index.js";
import { PROJECT_ROOT } from "../src/project-root.js";
import { GRAPH_FILE } from "../src/store/memory/graph-snapshot.js";

const DATA = join(PROJECT_ROOT, "../shared/data");
const FILES = [
  "icd10cm/2026/icd10cm_order_2026.txt",
  "icd10cm/tabular-2021/icd10cm_tabular_2021.xml",
  "icd10pcs/2026/icd10pcs_order_2026.txt",
  "hcpcs/2019/HCPC2019_CONTR_ANWEB.txt",
  "gems/2018_I10gem.txt",
  "gems/2018_I9gem.txt",
  "icd9cm/CMS32_DESC_LONG_DX.txt",
  "icd9cm/CMS32_DESC_LONG_SG.txt",
];
const TARGETS = { importMs: 20_000, restartMs: 3_000, rssMb: 1024 };
/** Where the server is compiled for the restart, apart from dist/ which others may be running. */
const BUILD_DIR = join(PROJECT_ROOT, "node_modules/.cache/codegraph-bench");

interface ImportResult {
  wallMs: number;
  peakRssMb: number;
  stages: Record<string, number>;
  nodes: number;
  edges: number;
  systems: { system: string; added: number; annotated: number; edgesAdded: number }[];
  files: { file: string; format: string; rows: number; status: string }[];
}

if (!existsSync(DATA)) {
  console.error(`bench:import needs the official release files in ${DATA}, which is absent.`);
  process.exit(1);
}

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB; ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; node ${process.version}`,
);

// ── Which files can be read ──
const present: string[] = [];
const missing: string[] = [];
for (const relative of FILES) {
  const path = join(DATA, relative);
  if (!existsSync(path)) {
    missing.push(`${relative} (file absent)`);
    continue;
  }
  try {
    const parser = await parserFor(path);
    present.push(path);
    console.log(`  ${relative.padEnd(48)} ${parser.format}`);
  } catch {
    missing.push(`${relative} (no registered parser recognises it)`);
  }
}
if (missing.length > 0) console.log(`left out: ${missing.join("; ")}`);

const dataDir = mkdtempSync(join(tmpdir(), "codegraph-bench-import-"));
let server: ChildProcess | undefined;
try {
  // ── Import ──
  const spawned = performance.now();
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", "bench/import-child.ts", dataDir, ...present],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const importProcessMs = Math.round(performance.now() - spawned);
  const line = output.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`the import child printed no result:\n${output}`);
  const imported = JSON.parse(line.slice("RESULT ".length)) as ImportResult;
  const savedMb = statSync(join(dataDir, GRAPH_FILE)).size / 2 ** 20;

  // ── Restart ──
  let entry = join(BUILD_DIR, "src/main.js");
  if (process.env["BENCH_SKIP_BUILD"] !== "1" || !existsSync(entry)) {
    try {
      execFileSync(
        process.execPath,
        ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", BUILD_DIR],
        {
          cwd: PROJECT_ROOT,
          stdio: "ignore",
        },
      );
    } catch {
      // tsc emits despite type errors elsewhere in the tree; the entry's presence decides.
    }
  }
  const runtime = existsSync(entry) ? "node (tsc output)" : "tsx";
  const args = existsSync(entry) ? [entry] : ["--import", "tsx", (entry = "src/main.ts")];
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  server = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      CODEGRAPH_STORE: "memory",
      CODEGRAPH_DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<never>((_, reject) =>
    server!.once("exit", (code) => reject(new Error(`the server exited with ${code}`))),
  );
  await Promise.race([waitReady(base), exited]);
  const restartMs = Math.round(performance.now() - started);
  const readyRssMb = peakRssMb(server.pid!);

  const timed = async (query: string) => {
    const t = performance.now();
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
    return Math.round(performance.now() - t);
  };
  const firstSearchMs = await timed(
    '{ search(text: "type 2 diabetes", first: 10) { totalCount } }',
  );
  const secondSearchMs = await timed(
    '{ search(text: "fracture femur", first: 10) { totalCount } }',
  );
  const firstWalkMs = await timed(
    '{ code(code: "E11", system: ICD10CM) { descendants(first: 10) { totalCount } } }',
  );
  const warmRssMb = peakRssMb(server.pid!);
  server.kill("SIGTERM");
  await new Promise((resolve) => server!.once("exit", resolve));
  server = undefined;

  // ── Report ──
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mb = (x: number | null) => (x === null ? "n/a" : `${Math.round(x)} MB`);
  const ratio = (x: number | null, target: number) => (x === null ? "" : (x / target).toFixed(2));
  console.log();
  console.log(
    `imported ${present.length} files: ${imported.nodes.toLocaleString("en-US")} nodes, ${imported.edges.toLocaleString("en-US")} edges; saved graph ${savedMb.toFixed(1)} MB`,
  );
  console.log(
    `import stages: parse ${s(imported.stages["parse"] ?? 0)}, read store ${s(imported.stages["readStore"] ?? 0)}, merge ${s(imported.stages["merge"] ?? 0)}, index + save ${s(imported.stages["write"] ?? 0)}`,
  );
  console.log();
  const peakServer = Math.max(readyRssMb ?? 0, warmRssMb ?? 0) || null;
  console.log(
    formatTable(
      ["measure", "value", "target", "ratio"],
      [
        [
          "import, wall time in process",
          s(imported.wallMs),
          s(TARGETS.importMs),
          ratio(imported.wallMs, TARGETS.importMs),
        ],
        [
          "import, spawn to exit (tsx start included)",
          s(importProcessMs),
          s(TARGETS.importMs),
          ratio(importProcessMs, TARGETS.importMs),
        ],
        [
          "import, peak RSS",
          mb(imported.peakRssMb),
          mb(TARGETS.rssMb),
          ratio(imported.peakRssMb, TARGETS.rssMb),
        ],
        [
          `restart to /readyz 200 (${runtime})`,
          s(restartMs),
          s(TARGETS.restartMs),
          ratio(restartMs, TARGETS.restartMs),
        ],
        [
          "server peak RSS when ready",
          mb(readyRssMb),
          mb(TARGETS.rssMb),
          ratio(readyRssMb, TARGETS.rssMb),
        ],
        [
          "server peak RSS after first search and walk",
          mb(peakServer),
          mb(TARGETS.rssMb),
          ratio(peakServer, TARGETS.rssMb),
        ],
        ["first search after restart (builds the index)", s(firstSearchMs), "", ""],
        ["second search", s(secondSearchMs), "", ""],
        ["first descendants walk (builds subtree counts)", s(firstWalkMs), "", ""],
      ],
      [false, true, true, true],
    ),
  );
  if (missing.length > 0)
    console.log(`\nnot measured: ${missing.map((m) => basename(m)).join("; ")}`);
} finally {
  server?.kill("SIGKILL");
  if (process.env["BENCH_KEEP_DATA"] === "1") console.log(`data kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitReady(base: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A process's peak resident set so far (Linux VmHWM), in MB; null where /proc is not there. */
function peakRssMb(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}
