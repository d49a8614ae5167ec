import { basename, join, resolve } from "node:path";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { SingleBar } from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import { type Config, loadConfig } from "../config.js";
import { isIsoDate, today } from "../domain/dates.js";
import { applyImports, type ImportRunResult, parseFiles } from "../import/apply-imports.js";
import { PARSERS } from "../import/formats/index.js";
import { type ParsedFile } from "../import/records.js";
import { MASS_RETIREMENT_SHARE } from "../import/release-merge.js";
import { createLogger } from "../logger.js";
import { type GraphStore } from "../store/graph-store.js";
import { openMemoryStore } from "../store/memory/persistent-memory-store.js";
import { openStore } from "../store/open-store.js";
import { formatTable } from "./text-table.js";

interface ImportOptions {
  readonly format?: string;
  readonly version?: string;
  readonly effective?: string;
  readonly minSupport?: number;
  readonly label?: string;
  readonly dataDir?: string;
  readonly dryRun?: boolean;
  readonly allowMassRetirement?: boolean;
}

/** The lock an import into the embedded store holds on its data folder. */
const LOCK_FILE = "import.lock";

export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "import official release files into the graph, all or nothing: each file's format is recognised from its content; releases of a system go oldest first; re-importing a file changes nothing",
    )
    .argument(
      "<files...>",
      "release files (order files, tabular XML, HCPCS, GEMs, ICD-9-CM titles, conversion tables, CPT, claims)",
    )
    .option(
      "-f, --format <format>",
      `read every file as this format: ${PARSERS.map((p) => p.format).join(", ")}`,
    )
    .option(
      "--version <label>",
      "release label when the file name does not tell it (FY2026, 2019); applies to every file, so only with one release's files",
    )
    .option(
      "--effective <date>",
      "first day the release is in force, YYYY-MM-DD, when the label does not tell it; applies to every file, so only with one release's files",
      isoDate,
    )
    .option(
      "--min-support <n>",
      "claims pairings: fewest encounters for a pair to be kept",
      positiveInt,
    )
    .option(
      "--label <name>",
      "claims: the family a claims file is a snapshot of (default: its file name); a later file under the same label closes the pairings it no longer has",
    )
    .option(
      "--data-dir <dir>",
      "embedded store: the data folder to import into (overrides CODEGRAPH_DATA_DIR)",
    )
    .option("--dry-run", "read and merge, print what would change, write nothing")
    .option(
      "--allow-mass-retirement",
      `let a release retire more than ${MASS_RETIREMENT_SHARE * 100}% of the codes its system holds (refused otherwise: a file cut short looks like that)`,
    )
    .action(async (files: string[], options: ImportOptions) => {
      const config = loadConfig({
        ...process.env,
        ...(options.dataDir ? { CODEGRAPH_DATA_DIR: resolve(options.dataDir) } : {}),
      });
      await runImport(
        config,
        files.map((f) => resolve(f)),
        options,
      );
    });
}

/**
 * Reads every file with a progress bar, merges them into the configured store in one
 * load, and prints what changed per system. A broken file throws its SourceFileError
 * (`file:line: problem — "text"`) before anything is written.
 */
async function runImport(
  config: Config,
  files: readonly string[],
  options: ImportOptions,
): Promise<void> {
  const parsed = await readWithProgress(files, options, today(config.timeZone));
  const { store, release } = await openImportStore(config);
  try {
    const stage = progressLine();
    const result = await applyImports(store, parsed, {
      consume: true,
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.allowMassRetirement ? { allowMassRetirement: true } : {}),
      onStage: (s) =>
        stage(
          s === "reading-store"
            ? `reading what the ${store.name} store holds…`
            : s === "merging"
              ? "merging the releases…"
              : `writing into the ${store.name} store${config.store === "memory" ? ` (${config.dataDir})` : ""}…`,
        ),
    });
    stage(null);
    printResult(result, options.dryRun ?? false);
  } finally {
    await store.close();
    await release();
  }
}

async function readWithProgress(
  files: readonly string[],
  options: ImportOptions,
  day: string,
): Promise<ParsedFile[]> {
  const interactive = process.stderr.isTTY === true;
  let bar: SingleBar | undefined;
  let started = 0;
  let current = "";
  let rows = 0;
  try {
    const parsed = await parseFiles(files, {
      ...(options.format !== undefined ? { format: options.format } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.effective !== undefined ? { effective: options.effective } : {}),
      ...(options.minSupport !== undefined ? { minSupport: options.minSupport } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
      today: day,
      onFile: (path, parser) => {
        finishFile(bar, interactive, { path: current, started, rows });
        current = path;
        rows = 0;
        started = performance.now();
        bar = new SingleBar({
          format: `${basename(path)} (${parser.format}) [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
          hideCursor: true,
          etaBuffer: 50,
        });
        if (interactive) bar.start(1, 0, { rows: 0, rate: 0 });
      },
      onProgress: (_path, p) => {
        rows = p.rows;
        if (!interactive || !bar) return;
        const seconds = Math.max((performance.now() - started) / 1000, 0.001);
        bar.setTotal(Math.max(p.totalBytes, 1));
        bar.update(p.bytes, {
          rows: p.rows.toLocaleString("en-US"),
          rate: Math.round(p.rows / seconds).toLocaleString("en-US"),
        });
      },
    });
    finishFile(bar, interactive, { path: current, started, rows });
    return parsed;
  } catch (error) {
    if (interactive) bar?.stop();
    throw error;
  }
}

/** Closes a file's bar; without a terminal, prints one line for the file instead. */
function finishFile(
  bar: SingleBar | undefined,
  interactive: boolean,
  file: { path: string; started: number; rows: number },
): void {
  if (!bar) return;
  if (interactive) {
    bar.stop();
    return;
  }
  const seconds = (performance.now() - file.started) / 1000;
  console.error(
    `read ${basename(file.path)}: ${file.rows.toLocaleString("en-US")} rows in ${seconds.toFixed(1)} s`,
  );
}

/** One status line that replaces itself on a terminal. */
function progressLine(): (text: string | null) => void {
  const interactive = process.stderr.isTTY === true;
  return (text) => {
    if (interactive) process.stderr.write(`\r\u001b[2K${text ?? ""}`);
    else if (text) console.error(text);
  };
}

/**
 * The store to import into. The embedded store starts from the saved graph of the data
 * folder, else from an empty graph (never from the sample), saves the result there, and
 * holds a lock file so two imports cannot overwrite each other's work.
 */
async function openImportStore(
  config: Config,
): Promise<{ store: GraphStore; release: () => Promise<void> }> {
  if (config.store !== "memory") {
    return { store: await openStore(config, createLogger("warn")), release: async () => {} };
  }
  const release = await lockDataDir(config.dataDir);
  try {
    const { store } = await openMemoryStore({
      dataDir: config.dataDir,
      seedDir: config.seedDir,
      fallback: "empty",
    });
    return { store, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Takes the data folder's import lock: a file created only if absent, holding this
 * process's id. A lock left by an import that crashed would otherwise block every later
 * one: when the process it names is gone (on this machine), the lock is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = await lockHolder(path);
      if (attempt === 0 && holder !== undefined && !isRunning(holder)) {
        // Stale: its import ended without removing it. One retry, so that two imports
        // finding the same stale lock cannot both take it.
        await rm(path, { force: true });
        continue;
      }
      throw new Error(
        `another import holds ${path}${holder !== undefined ? ` (process ${holder}, still running)` : ""}; wait for it, or remove the file if no import is running`,
        { cause: error },
      );
    }
  }
}

/** The process id a lock file names, or undefined when it names none. */
async function lockHolder(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process of this id exists (signal 0 checks without signalling). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function printResult(result: ImportRunResult, dryRun: boolean): void {
  const n = (x: number) => x.toLocaleString("en-US");
  console.log();
  console.log(
    formatTable(
      ["file", "format", "release", "rows", "status"],
      result.files.map((f) => [
        basename(f.file),
        f.format,
        f.release
          ? `${f.release.system} ${f.release.version} (${f.release.effective})`
          : "supplement",
        n(f.rows),
        f.status === "already-imported"
          ? "already imported: nothing to do"
          : dryRun
            ? "merged (dry run)"
            : "merged",
      ]),
      [false, false, false, true, false],
    ),
  );
  console.log();
  if (result.systems.length > 0) {
    console.log(
      formatTable(
        [
          "system",
          "added",
          "changed",
          "retired",
          "unchanged",
          "annotated",
          "edges added",
          "edges closed",
        ],
        result.systems.map((s) => [
          s.system,
          n(s.added),
          n(s.changed),
          n(s.retired),
          n(s.unchanged),
          n(s.annotated),
          n(s.edgesAdded),
          n(s.edgesClosed),
        ]),
        [false, true, true, true, true, true, true, true],
      ),
    );
    console.log();
  }
  for (const f of result.files) {
    for (const u of f.unresolved) {
      console.log(
        `${basename(f.file)}: ${n(u.count)} unresolved (${u.reason}), e.g. ${u.examples.slice(0, 3).join("; ")}`,
      );
    }
  }
  for (const u of result.hierarchy) {
    console.log(`hierarchy: ${n(u.count)} ${u.reason}, e.g. ${u.examples.slice(0, 5).join(", ")}`);
  }
  const { codes, edges, releases } = result.records;
  const plural = (count: number, word: string) => `${n(count)} ${word}${count === 1 ? "" : "s"}`;
  const what = `${plural(codes, "code")}, ${plural(edges, "edge")}, ${plural(releases, "release")}`;
  if (dryRun) console.log(`dry run: would write ${what}; nothing was written`);
  else if (result.written) console.log(`wrote ${what}`);
  else console.log("nothing changed: the graph already holds these files");
}

function isoDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError("expected a date YYYY-MM-DD");
  return value;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}
