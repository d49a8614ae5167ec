import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { versionAt } from "../../src/domain/graph.js";
import { importFiles } from "../../src/import/apply-imports.js";
import {
  icd10cmOrderParser,
  icd10pcsOrderParser,
  PCS_SECTION_TITLES,
} from "../../src/import/formats/icd10-order.format.js";
import { parseIcd10cmAddenda } from "../support/icd10cm-addenda.js";
import { type ParsedFile } from "../../src/import/records.js";
import { computeReleaseDiff, type ReleaseDiff } from "../../src/import/release-diff.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { graphRecords, saveGraph } from "../../src/store/memory/graph-snapshot.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { openMemoryStore } from "../../src/store/memory/persistent-memory-store.js";
import { compareWithAddenda } from "../support/addenda-comparison.js";

const DATA = join(PROJECT_ROOT, "../shared/data");
const CM2025 = join(DATA, "icd10cm/2025/icd10cm_order_2025.txt");
const CM2026 = join(DATA, "icd10cm/2026/icd10cm_order_2026.txt");
const ADDENDA = join(DATA, "icd10cm/2026/icd10cm_order_addenda_2026.txt");
const PCS2026 = join(DATA, "icd10pcs/2026/icd10pcs_order_2026.txt");
const present = [CM2025, CM2026, ADDENDA, PCS2026].every((f) => existsSync(f));

/** What the file itself says: data lines, and how many carry valid flag 1 (column 15). */
function countFromFile(path: string): { rows: number; valid: number; lines: string[] } {
  const lines = readFileSync(path, "latin1")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  return { rows: lines.length, valid: lines.filter((l) => l[14] === "1").length, lines };
}

describe.skipIf(!present)(
  present
    ? "official ICD-10-CM FY2025/FY2026 and ICD-10-PCS FY2026 order files"
    : `official ICD-10 order files: skipped, ${DATA} is absent (a fresh clone has no ../shared)`,
  () => {
    describe("parsing", () => {
      let cm: ParsedFile;
      let pcs: ParsedFile;
      beforeAll(async () => {
        [cm, pcs] = await Promise.all([
          icd10cmOrderParser.parse(CM2026, {}),
          icd10pcsOrderParser.parse(PCS2026, {}),
        ]);
      });

      it("reads every ICD-10-CM FY2026 row: 98,186 = 74,719 billable + 23,467 headers", () => {
        const file = countFromFile(CM2026);
        expect(cm.rows).toBe(file.rows);
        expect(cm.codes.filter((c) => c.billable)).toHaveLength(file.valid);
        expect(cm.codes.filter((c) => !c.billable)).toHaveLength(file.rows - file.valid);
        expect([file.rows, file.valid, file.rows - file.valid]).toEqual([98_186, 74_719, 23_467]);
        expect(new Set(cm.codes.map((c) => c.id)).size).toBe(file.rows);
        expect(cm.snapshot).toMatchObject({ version: "FY2026", effective: "2025-10-01" });
      });

      it("levels ICD-10-CM codes by length and flag", () => {
        const byLevel = (level: CodeLevel) => cm.codes.filter((c) => c.level === level).length;
        const lengths = countFromFile(CM2026).lines.map((l) => l.slice(6, 13).trim().length);
        expect(byLevel(CodeLevel.CATEGORY)).toBe(lengths.filter((n) => n === 3).length);
        expect(byLevel(CodeLevel.SUBCATEGORY) + byLevel(CodeLevel.CODE)).toBe(
          lengths.filter((n) => n > 3).length,
        );
        expect(cm.codes.every((c) => c.level !== CodeLevel.CODE || c.billable)).toBe(true);
      });

      it("reads every ICD-10-PCS FY2026 row: 80,029 = 79,115 codes + 914 tables, and derives sections and body systems", () => {
        const file = countFromFile(PCS2026);
        expect([file.rows, file.valid, file.rows - file.valid]).toEqual([80_029, 79_115, 914]);
        expect(pcs.rows).toBe(file.rows);
        const count = (level: CodeLevel) => pcs.codes.filter((c) => c.level === level).length;
        const tables = file.lines
          .filter((l) => l.slice(6, 13).trim().length === 3)
          .map((l) => l.slice(6, 9));
        expect(count(CodeLevel.CODE)).toBe(file.valid);
        expect(count(CodeLevel.CATEGORY)).toBe(tables.length);
        expect(count(CodeLevel.BLOCK)).toBe(new Set(tables.map((t) => t.slice(0, 2))).size);
        expect(count(CodeLevel.CHAPTER)).toBe(17);
      });

      it("names sections as their tables do: outside section 0 every table title begins with its section's title", () => {
        const tables = countFromFile(PCS2026).lines.filter(
          (l) => l.slice(6, 13).trim().length === 3,
        );
        const wrong = tables.filter(
          (l) => l[6] !== "0" && !l.slice(77).startsWith(`${PCS_SECTION_TITLES[l[6]!]}, `),
        );
        expect(wrong).toEqual([]);
      });
    });

    describe("FY2025 then FY2026 into the embedded store", () => {
      let store: MemoryStore;
      let diff: ReleaseDiff;
      let dataDir: string;
      beforeAll(async () => {
        dataDir = mkdtempSync(join(tmpdir(), "codegraph-full-"));
        store = new MemoryStore();
        await importFiles(store, [CM2025]);
        await importFiles(store, [CM2026, PCS2026]);
        diff = await computeReleaseDiff(store, {
          system: CodeSystemId.ICD10CM,
          from: "FY2025",
          to: "FY2026",
        });
      });
      afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

      it("agrees with the official FY2026 addenda, entry for entry", async () => {
        const addenda = await parseIcd10cmAddenda(ADDENDA);
        expect(compareWithAddenda(diff, addenda)).toEqual({ missing: [], unexpected: [] });
        // The addenda count by code and flag: a billable code turned header is one of their
        // code deletions and one of their header additions, and one revision here.
        const flagChanges = diff.revised.filter(
          (c) => c.before!.billable !== c.after!.billable,
        ).length;
        const { Codes: codes, Headers: headers } = addenda.summary;
        expect(diff.added.length + flagChanges).toBe(codes!["additions"]! + headers!["additions"]!);
        expect(diff.deleted.length + flagChanges).toBe(
          codes!["deletions"]! + headers!["deletions"]!,
        );
        expect(diff.revised.length - flagChanges).toBe(
          codes!["revisions"]! + headers!["revisions"]!,
        );
      });

      it("holds each release as the files say on its effective date", async () => {
        const count = (asOf: string, billable: boolean) =>
          store.current
            .codesOf(CodeSystemId.ICD10CM)
            .filter((n) => versionAt(n, asOf)?.billable === billable).length;
        const fy2025 = countFromFile(CM2025);
        const fy2026 = countFromFile(CM2026);
        expect(count("2025-09-30", true)).toBe(fy2025.valid);
        expect(count("2025-09-30", false)).toBe(fy2025.rows - fy2025.valid);
        expect(count("2025-10-01", true)).toBe(fy2026.valid);
        expect(count("2025-10-01", false)).toBe(fy2026.rows - fy2026.valid);
      });

      it("saves and restarts to the same graph, and a server on it is ready and answers releaseDiff", async () => {
        await saveGraph(dataDir, graphRecords(store.current));
        const reopened = await openMemoryStore({
          dataDir,
          seedDir: join(PROJECT_ROOT, "seed"),
          fallback: "seed",
        });
        expect(reopened.source).toBe("saved");
        expect(reopened.store.current.nodes.size).toBe(store.current.nodes.size);
        expect(reopened.store.current.edges.size).toBe(store.current.edges.size);
        expect(reopened.store.current.nodes.get("ICD10CM:B88.0")).toEqual(
          store.current.nodes.get("ICD10CM:B88.0"),
        );

        const server = await startServer(dataDir);
        try {
          expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
          const response = await fetch(`${server.url}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              query:
                '{ releaseDiff(system: ICD10CM, from: "FY2025", to: "FY2026") { counts { added deleted revised } } }',
            }),
          });
          const body = (await response.json()) as { data: { releaseDiff: { counts: unknown } } };
          expect(body.data.releaseDiff.counts).toEqual({
            added: diff.added.length,
            deleted: diff.deleted.length,
            revised: diff.revised.length,
          });
        } finally {
          await server.stop();
        }
      });
    });
  },
);

/** `npm start`'s entry on a data folder, on a free port; resolves once it serves. */
async function startServer(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      CODEGRAPH_STORE: "memory",
      CODEGRAPH_DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stopped = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const port = /"port":(\d+),"msg":"codegraph is serving/.exec(out)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await stopped;
    },
  };
}
