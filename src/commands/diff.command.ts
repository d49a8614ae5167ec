import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { type Config, loadConfig } from "../config.js";
import { type CodeSystemId, parseSystemName } from "../domain/code-system.js";
import {
  type CodeChange,
  CodeChangeField,
  computeReleaseDiff,
  type ReleaseDiff,
} from "../import/release-diff.js";
import { assertNever } from "../domain/graph.js";
import { createLogger } from "../logger.js";
import { type GraphStore } from "../store/graph-store.js";
import { openMemoryStore } from "../store/memory/persistent-memory-store.js";
import { openStore } from "../store/open-store.js";

interface DiffOptions {
  readonly system: CodeSystemId;
  readonly from: string;
  readonly to: string;
  readonly dataDir?: string;
  readonly json?: boolean;
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description(
      "list the codes added, deleted and revised between two imported releases of a system",
    )
    .requiredOption(
      "--system <system>",
      "the code system (ICD10CM, ICD10PCS, HCPCS, CPT, ICD9CM)",
      systemName,
    )
    .requiredOption("--from <version>", "the earlier release, as imported (FY2025)")
    .requiredOption("--to <version>", "the later release (FY2026)")
    .option(
      "--data-dir <dir>",
      "embedded store: the data folder holding the imported graph (overrides CODEGRAPH_DATA_DIR)",
    )
    .option("--json", "print the diff as JSON")
    .action(async (options: DiffOptions) => {
      const config = loadConfig({
        ...process.env,
        ...(options.dataDir ? { CODEGRAPH_DATA_DIR: resolve(options.dataDir) } : {}),
      });
      const store = await openDiffStore(config);
      try {
        const diff = await computeReleaseDiff(store, {
          system: options.system,
          from: options.from,
          to: options.to,
        });
        console.log(options.json ? JSON.stringify(diff, null, 2) : formatDiff(diff));
      } finally {
        await store.close();
      }
    });
}

/** The diff as lines: a count line, then `+` added, `-` deleted, `~` revised, in code order. */
export function formatDiff(diff: ReleaseDiff): string {
  const lines = [
    `${diff.system} ${diff.from.version} (${diff.from.effective}) → ${diff.to.version} (${diff.to.effective}): ` +
      `${diff.added.length} added, ${diff.deleted.length} deleted, ${diff.revised.length} revised`,
  ];
  for (const c of diff.added)
    lines.push(`+ ${c.code.padEnd(9)} ${c.after!.title}${c.after!.billable ? "" : " [header]"}`);
  for (const c of diff.deleted) lines.push(`- ${c.code.padEnd(9)} ${c.before!.title}`);
  for (const c of diff.revised) lines.push(...revisionLines(c));
  return lines.join("\n");
}

function revisionLines(c: CodeChange): string[] {
  const before = c.before!;
  const after = c.after!;
  const out = [`~ ${c.code}`];
  for (const field of c.changes) {
    switch (field) {
      case CodeChangeField.TITLE:
        out.push(`    title:       ${before.title}`, `             → ${after.title}`);
        break;
      case CodeChangeField.SHORT_TITLE:
        out.push(
          `    short title: ${before.shortTitle ?? "(none)"}`,
          `             → ${after.shortTitle ?? "(none)"}`,
        );
        break;
      case CodeChangeField.BILLABLE:
        out.push(
          `    billable:    ${before.billable ? "yes" : "no (header)"} → ${after.billable ? "yes" : "no (header)"}`,
        );
        break;
      default:
        return assertNever(field);
    }
  }
  return out;
}

/**
 * The store to diff. The embedded store is diffed only over a saved graph: with none in
 * the data folder, serving would fall back to the bundled sample, whose releases are a
 * demo's — a diff of those would look like an answer about the real ones.
 */
async function openDiffStore(config: Config): Promise<GraphStore> {
  if (config.store !== "memory") return openStore(config, createLogger("warn"));
  const { store, source } = await openMemoryStore({
    dataDir: config.dataDir,
    seedDir: config.seedDir,
    fallback: "empty",
  });
  if (source === "empty") {
    throw new Error(
      `no imported graph in ${config.dataDir} (CODEGRAPH_DATA_DIR, or --data-dir): import the releases there first; the bundled sample is not diffed`,
    );
  }
  return store;
}

function systemName(value: string): CodeSystemId {
  const system = parseSystemName(value);
  if (!system)
    throw new InvalidArgumentError(
      "expected a code system: ICD10CM, ICD10PCS, HCPCS, CPT or ICD9CM",
    );
  return system;
}
