import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerDiff } from "../../src/commands/diff.command.js";
import { lockDataDir, registerImport } from "../../src/commands/import.command.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { GRAPH_FILE } from "../../src/store/memory/graph-snapshot.js";

const run = promisify(execFile);
const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/icd10-order");

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `codegraph ...` as a user runs it, in its own process. */
async function codegraph(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", ...args],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CODEGRAPH_STORE: "memory", LOG_LEVEL: "warn" },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * The same commands in this process (a process costs a second or two to start): output
 * as printed, and the error the command ends with, which `src/cli.ts` prints and exits 1 on.
 */
async function inProcess(...args: string[]): Promise<CliResult & { error: unknown }> {
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerImport(program);
  registerDiff(program);
  const out: string[] = [];
  const err: string[] = [];
  const log = vi
    .spyOn(console, "log")
    .mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi
    .spyOn(console, "error")
    .mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    await program.parseAsync(args, { from: "user" });
    return { code: 0, stdout: out.join("\n"), stderr: err.join("\n"), error: undefined };
  } catch (e) {
    return { code: 1, stdout: out.join("\n"), stderr: err.join("\n"), error: e };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("codegraph import and diff", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "codegraph-cli-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("stops on a broken file with file:line: problem — text, exit 1, and saves nothing", async () => {
    const result = await codegraph(
      "import",
      "--data-dir",
      dataDir,
      join(FIXTURES, "icd10cm_order_2025.txt"),
      join(FIXTURES, "broken_flag_2026.txt"),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'broken_flag_2026.txt:4: column 15 must hold the valid flag 0 or 1, found "2" — "00004 B880    2 Other acariasis',
    );
    expect(existsSync(join(dataDir, GRAPH_FILE))).toBe(false);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("imports, prints a summary per system, and saves the graph", async () => {
    const result = await inProcess(
      "import",
      "--data-dir",
      dataDir,
      join(FIXTURES, "icd10cm_order_2025.txt"),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /icd10cm_order_2025\.txt\s+icd10cm-order\s+ICD10CM FY2025 \(2024-10-01\)\s+17\s+merged/,
    );
    expect(result.stdout).toMatch(/ICD10CM\s+17\s+0\s+0\s+0\s+0\s+11\s+0/);
    expect(result.stdout).toContain("wrote 17 codes, 11 edges, 1 release");
    expect(readdirSync(dataDir)).toEqual([GRAPH_FILE]);
  });

  it("says which files were imported before, and merges the rest", async () => {
    const result = await inProcess(
      "import",
      "--data-dir",
      dataDir,
      join(FIXTURES, "icd10cm_order_2026.txt"),
      join(FIXTURES, "icd10cm_order_2025.txt"),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/icd10cm_order_2025\.txt .* already imported: nothing to do/);
    expect(result.stdout).toMatch(/icd10cm_order_2026\.txt .* merged/);
    expect(result.stdout).toMatch(/ICD10CM\s+5\s+2\s+1\s+14\s/);
  });

  it("refuses an out-of-order release with a clear message", async () => {
    const result = await inProcess(
      "import",
      "--version",
      "FY2024",
      "--data-dir",
      dataDir,
      join(FIXTURES, "icd10cm_order_2025.txt"),
    );
    expect(result.code).toBe(1);
    expect(String(result.error)).toMatch(
      /ICD10CM FY2024 \(effective 2023-10-01\) is not newer than FY2026 .* import releases oldest first/,
    );
    expect(readdirSync(dataDir)).toEqual([GRAPH_FILE]);
  });

  it("diffs two imported releases", async () => {
    const result = await inProcess(
      "diff",
      "--data-dir",
      dataDir,
      "--system",
      "icd-10-cm",
      "--from",
      "FY2025",
      "--to",
      "FY2026",
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "ICD10CM FY2025 (2024-10-01) → FY2026 (2025-10-01): 5 added, 1 deleted, 2 revised",
    );
    expect(lines).toContain("- S30.1XXA  Contusion of abdominal wall, initial encounter");
    expect(lines).toContain("    billable:    yes → no (header)");
  });

  it("refuses to diff an empty data folder rather than diff the bundled sample", async () => {
    const empty = mkdtempSync(join(tmpdir(), "codegraph-cli-empty-"));
    try {
      const result = await inProcess(
        "diff",
        "--data-dir",
        empty,
        "--system",
        "ICD10CM",
        "--from",
        "FY2025",
        "--to",
        "FY2026",
      );
      expect(result.code).toBe(1);
      expect(String(result.error)).toMatch(
        new RegExp(`no imported graph in ${empty} .*the bundled sample is not diffed`),
      );
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("takes over an import lock whose process is gone, and refuses one whose process runs", async () => {
    const folder = mkdtempSync(join(tmpdir(), "codegraph-cli-lock-"));
    try {
      // A process that has exited: its id names no running process.
      const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
      writeFileSync(join(folder, "import.lock"), `${dead}\n`);
      const release = await lockDataDir(folder);
      expect(readFileSync(join(folder, "import.lock"), "utf8")).toBe(`${process.pid}\n`);
      // Held by a running process (this one): refused, naming it.
      await expect(lockDataDir(folder)).rejects.toThrow(
        new RegExp(
          `another import holds .*import\\.lock \\(process ${process.pid}, still running\\)`,
        ),
      );
      await release();
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("refuses a release that would retire a large share of a system, unless --allow-mass-retirement", async () => {
    const folder = mkdtempSync(join(tmpdir(), "codegraph-cli-mass-"));
    try {
      // 300 billable categories A00 … C99; the "FY2026" file holds the first 150 lines.
      const lines = ["A", "B", "C"]
        .flatMap((letter) =>
          Array.from({ length: 100 }, (_, i) => `${letter}${String(i).padStart(2, "0")}`),
        )
        .map((c, i) => {
          const title = `Category ${c}`;
          return `${String(i + 1).padStart(5, "0")} ${c.padEnd(7)} 1 ${title.padEnd(60)} ${title}\r\n`;
        });
      const fy2025 = join(folder, "icd10cm_order_2025.txt");
      const fy2026 = join(folder, "icd10cm_order_2026.txt");
      writeFileSync(fy2025, lines.join(""));
      writeFileSync(fy2026, lines.slice(0, 150).join(""));
      const data = join(folder, "data");
      expect((await inProcess("import", "--data-dir", data, fy2025)).code).toBe(0);
      const saved = readFileSync(join(data, GRAPH_FILE));

      const refused = await inProcess("import", "--data-dir", data, fy2026);
      expect(refused.code).toBe(1);
      expect(String(refused.error)).toContain(
        "icd10cm_order_2026.txt: ICD10CM FY2026 would retire 150 of the 300 ICD10CM codes the graph holds (50.0%)",
      );
      expect(String(refused.error)).toContain("import it again with --allow-mass-retirement");
      expect(readFileSync(join(data, GRAPH_FILE))).toEqual(saved);

      const allowed = await inProcess(
        "import",
        "--allow-mass-retirement",
        "--data-dir",
        data,
        fy2026,
      );
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toMatch(/ICD10CM\s+0\s+0\s+150\s+150\s/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("refuses --effective for files of two systems, before reading them, and saves nothing", async () => {
    const folder = mkdtempSync(join(tmpdir(), "codegraph-cli-options-"));
    try {
      const result = await inProcess(
        "import",
        "--effective",
        "2025-10-01",
        "--data-dir",
        folder,
        join(FIXTURES, "icd10cm_order_2026.txt"),
        join(PROJECT_ROOT, "test/fixtures/import/hcpcs-annual/valid-2019.txt"),
      );
      expect(result.code).toBe(1);
      expect(String(result.error)).toMatch(
        /--effective 2025-10-01 applies to every file of a run, and these files are not one release: .*; run them separately, each with its own --effective$/,
      );
      expect(result.stderr).toBe("");
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("rejects a bad option value before reading anything", async () => {
    const program = new Command()
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerImport(program);
    await expect(
      program.parseAsync(["import", "--effective", "2025-13-01", "x.txt"], { from: "user" }),
    ).rejects.toThrow(/expected a date YYYY-MM-DD/);
    await expect(
      program.parseAsync(["import", "--min-support", "0", "x.txt"], { from: "user" }),
    ).rejects.toThrow(/expected a whole number of at least 1/);
  });
});
