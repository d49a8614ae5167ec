import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeLevel } from "../../src/domain/code-kind.js";
import { CodeStatus, statusAt } from "../../src/domain/code-status.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { addDays } from "../../src/domain/dates.js";
import { versionAt } from "../../src/domain/graph.js";
import { Direction, Relation } from "../../src/domain/relationship.js";
import { importFiles, type ImportRunResult } from "../../src/import/apply-imports.js";
import { MergeUnresolved } from "../../src/import/release-merge.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { type MemoryGraph } from "../../src/store/memory/memory-graph.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";

const DATA = join(PROJECT_ROOT, "../shared/data");
const CM2025 = join(DATA, "icd10cm/2025/icd10cm_order_2025.txt");
const CM2026 = join(DATA, "icd10cm/2026/icd10cm_order_2026.txt");
const TABULAR = join(DATA, "icd10cm/tabular-2021/icd10cm_tabular_2021.xml");
const CONVERSION = join(DATA, "icd10cm/conversion/conversion-FY2026.xlsx");
const GEM2018 = join(DATA, "gems/2018_I10gem.txt");
const present = [CM2025, CM2026, TABULAR, CONVERSION, GEM2018].every((f) => existsSync(f));
const ASKED = "2025-12-01";

/** Every category's parent on a date, through the graph's own ancestor walk. */
function categoryParents(graph: MemoryGraph): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const node of graph.codesOf(CodeSystemId.ICD10CM)) {
    if (node.level !== CodeLevel.CATEGORY || !versionAt(node, ASKED)) continue;
    const page = graph.closure({
      mode: "closure",
      id: node.id,
      asOf: ASKED,
      direction: Direction.OUT,
      maxDepth: 1,
      billableOnly: false,
      offset: 0,
      limit: 1,
    });
    out.set(node.id, page.items[0]?.node.id ?? null);
  }
  return out;
}

async function imported(runs: string[][]): Promise<{ graph: MemoryGraph; last: ImportRunResult }> {
  const store = new MemoryStore();
  let last: ImportRunResult | undefined;
  for (const files of runs) last = await importFiles(store, files);
  return { graph: store.current, last: last! };
}

describe.skipIf(!present)(
  present
    ? "ICD-10-CM FY2025/FY2026 order files, FY2021 tabular and FY2026 conversion table, merged"
    : `ICD-10-CM full merge: skipped, ${DATA} is absent (a fresh clone has no ../shared)`,
  () => {
    describe("every category has its block, whichever file comes first", () => {
      let together: { graph: MemoryGraph; last: ImportRunResult };
      let parents: Map<string, string | null>;
      beforeAll(async () => {
        together = await imported([[CM2025, CM2026, TABULAR]]);
        parents = categoryParents(together.graph);
      }, 60_000);

      it("places every category the FY2021 tabular or a block's range holds under a block", () => {
        const withoutBlock = [...parents]
          .filter(([, p]) => p === null || together.graph.nodes.get(p)!.level !== CodeLevel.BLOCK)
          .map(([id]) => id)
          .sort();
        // Categories newer than the FY2021 tabular that no FY2021 block's range holds.
        expect(withoutBlock).toEqual(["ICD10CM:I1A", "ICD10CM:I5A", "ICD10CM:J4A", "ICD10CM:QA0"]);
        expect(parents.size).toBeGreaterThan(1_900);
        expect(parents.get("ICD10CM:C4A")).toBe("ICD10CM:C43-C44");
        expect(parents.get("ICD10CM:M1A")).toBe("ICD10CM:M05-M14");
        expect(parents.get("ICD10CM:W44")).toBe("ICD10CM:W20-W49");
        expect(parents.get("ICD10CM:U09")).toBe("ICD10CM:U00-U49");
        expect(parents.get("ICD10CM:Z58")).toBe("ICD10CM:Z55-Z65");
      });

      it("reports each category left without a block", () => {
        expect(together.last.hierarchy).toEqual([
          { reason: MergeUnresolved.NO_BLOCK, count: 3, examples: ["I1A", "I5A", "J4A"] },
          { reason: MergeUnresolved.NO_PARENT, count: 1, examples: ["QA0"] },
        ]);
      });

      it.each([
        ["the tabular in a run before the order files", [[TABULAR], [CM2025], [CM2026]]],
        ["the tabular in a run after them", [[CM2025, CM2026], [TABULAR]]],
        ["the tabular between the two releases", [[CM2025], [TABULAR], [CM2026]]],
      ])(
        "gives the same parents with %s",
        async (_name, runs) => {
          const other = await imported(runs);
          expect(categoryParents(other.graph)).toEqual(parents);
        },
        60_000,
      );
    });

    describe("the FY2026 conversion table", () => {
      let graph: MemoryGraph;
      let result: ImportRunResult;
      beforeAll(async () => {
        const store = new MemoryStore();
        await importFiles(store, [CM2025]);
        // With the tabular, so that the blocks some rows name ("Codes in Categories T15-T19") are held.
        result = await importFiles(store, [CM2026, TABULAR, CONVERSION]);
        graph = store.current;
      }, 60_000);

      it("records a succession only where the previous code is out of use on the new one's first day", () => {
        const replaces = [...graph.edges.values()].filter((e) => e.relation === Relation.REPLACES);
        expect(replaces.length).toBeGreaterThan(0);
        for (const edge of replaces) {
          if (edge.relation !== Relation.REPLACES) continue;
          const old = graph.nodes.get(edge.to)!;
          // Reportable the day before; deleted, or a header from then on.
          expect(statusAt(old, addDays(edge.effective, -1)), edge.to).toBe(CodeStatus.VALID);
          expect(statusAt(old, edge.effective), edge.to).not.toBe(CodeStatus.VALID);
        }
        expect(replaces).toHaveLength(1_736);
        // A04.7 turned into a header when A04.71 and A04.72 came (FY2018): a succession.
        expect(
          replaces
            .filter((e) => e.to === "ICD10CM:A04.7")
            .map((e) => e.from)
            .sort(),
        ).toEqual(["ICD10CM:A04.71", "ICD10CM:A04.72"]);
        const notSuccessions = result.files
          .flatMap((f) => f.unresolved)
          .find((u) => u.reason === MergeUnresolved.NOT_A_SUCCESSION)!;
        expect(notSuccessions.count).toBeGreaterThan(1_000);
      });

      it("makes no succession to a block or to a code that was a header the day before; the new code keeps it as previouslyCodedAs", () => {
        const to = (from: string) =>
          [...graph.edges.values()]
            .filter((e) => e.relation === Relation.REPLACES && e.from === `ICD10CM:${from}`)
            .map((e) => e.to);
        const previously = (id: string) =>
          graph.nodes.get(`ICD10CM:${id}`)!.attributes["previouslyCodedAs"];
        // Rows 5378 (block T15-T19), 1519 (T36-T50), 2823 (I63, a header since 2015),
        // 5658 (Z13.8, a header since 2015), 1075 (H33.2, a header since 2015).
        expect(to("W44.A0XA")).toEqual([]);
        expect(previously("W44.A0XA")).toBe("T15-T19");
        expect(to("K59.03")).toEqual([]);
        expect(previously("K59.03")).toBe("K59.09,T36-T50");
        expect(to("P91.821")).toEqual([]);
        expect(previously("P91.821")).toBe("I63,P91.88");
        expect(to("Z13.30")).toEqual([]);
        expect(previously("Z13.30")).toBe("Z13.8");
        expect(to("H44.2C1")).not.toContain("ICD10CM:H33.2");
        expect(previously("H44.2C1")?.split(",")).toContain("H33.2");
        const blocks = [...graph.edges.values()].filter(
          (e) =>
            e.relation === Relation.REPLACES && graph.nodes.get(e.to)!.level === CodeLevel.BLOCK,
        );
        expect(blocks).toEqual([]);
        // Rows 862, 1195, 4694: G90.8, I20.8 and J82 were billable until their children
        // came (2024, 2023, 2020), after G90.B, I20.2 and U07.0: split off, not successors.
        expect(to("G90.B")).toEqual([]);
        expect(previously("G90.B")).toBe("G90.8");
        expect(to("I20.2")).toEqual([]);
        expect(previously("I20.2")).toBe("I20.0,I20.1,I20.8");
        expect(to("U07.0")).toEqual([]);
        expect(previously("U07.0")?.split(",")).toContain("J82");
        const reasons = Object.fromEntries(
          result.files.flatMap((f) => f.unresolved).map((u) => [u.reason, u.count]),
        );
        expect(reasons[MergeUnresolved.NOT_REPORTABLE_BEFORE]).toBe(156);
        expect(reasons[MergeUnresolved.NOT_A_SUCCESSION]).toBe(3_283);
      });

      it("leaves A41.59, still valid, unreplaced; A41.54 keeps it as previouslyCodedAs", () => {
        const a4159 = [...graph.edges.values()].filter(
          (e) => e.relation === Relation.REPLACES && e.to === "ICD10CM:A41.59",
        );
        expect(a4159).toEqual([]);
        expect(versionAt(graph.nodes.get("ICD10CM:A41.59")!, ASKED)).toBeDefined();
        expect(graph.nodes.get("ICD10CM:A41.54")!.attributes["previouslyCodedAs"]).toBe("A41.59");
      });

      it("splits a header that was a billable leaf until its first child came: F50.81 billable 2016-10-01 to 2024-09-30", () => {
        const versions = (id: string) =>
          graph.nodes
            .get(`ICD10CM:${id}`)!
            .versions.map((v) => [v.billable ? "billable" : "header", v.validFrom, v.validTo]);
        expect(versions("F50.81")).toEqual([
          ["billable", "2016-10-01", "2024-09-30"],
          ["header", "2024-10-01", null],
        ]);
        expect(statusAt(graph.nodes.get("ICD10CM:F50.81")!, "2020-06-01")).toBe(CodeStatus.VALID);
        // Every code the tables date that is a header today, and was not when it came.
        const split = [
          "F50.81",
          "K35.20",
          "K35.21",
          "O00.10",
          "O00.11",
          "O00.20",
          "O00.21",
          "Q66.21",
          "Q66.22",
          "Z05.8",
          "Z29.8",
          "Z91.A4",
          "Z91.A5",
          "Z91.A9",
        ];
        for (const id of split) {
          const [first, second] = versions(id);
          expect([first![0], second![0], second![1]], id).toEqual([
            "billable",
            "header",
            addDays(first![2]!, 1),
          ]);
        }
        // A code older than the tables that one names as a previous code (A04.7 for A04.71)
        // was billable until its children came; one new with its children (D48.11) was not.
        expect(versions("A04.7")).toEqual([
          ["billable", null, "2017-09-30"],
          ["header", "2017-10-01", null],
        ]);
        expect(versions("D48.11")).toEqual([["header", null, null]]);
      });

      it("agrees with the FY2018 GEM, which lists every code billable then: none billable the GEM lacks, and only C83.39 and H36, which no row names, still headers", () => {
        // The GEM's source column, undotted: every billable ICD-10-CM code of FY2018.
        const gem = new Set(
          readFileSync(GEM2018, "latin1")
            .split(/\r?\n/)
            .filter((l) => l.trim() !== "")
            .map((l) => l.split(/\s+/)[0]!),
        );
        const billableNotInGem: string[] = [];
        const headerInGem: string[] = [];
        for (const node of graph.codesOf(CodeSystemId.ICD10CM)) {
          if (node.level === CodeLevel.BLOCK || node.level === CodeLevel.CHAPTER) continue;
          const status = statusAt(node, "2018-06-01");
          const listed = gem.has(node.code.replace(".", ""));
          if (status === CodeStatus.VALID && !listed) billableNotInGem.push(node.code);
          if (status === CodeStatus.HEADER && listed) headerInGem.push(node.code);
        }
        expect(billableNotInGem).toEqual([]);
        expect(headerInGem.sort()).toEqual(["C83.39", "H36"]);
        // Split under a child header new with its own children (D48.11, J82.8), and on the
        // first release's own day (G90.8: G90.81 and G90.89 came in FY2025).
        for (const [id, day] of [
          ["D48.1", "2023-10-01"],
          ["J82", "2020-10-01"],
          ["G90.8", "2024-10-01"],
        ] as const) {
          expect(versionAt(graph.nodes.get(`ICD10CM:${id}`)!, day)?.billable, id).toBe(false);
          expect(versionAt(graph.nodes.get(`ICD10CM:${id}`)!, addDays(day, -1))?.billable, id).toBe(
            true,
          );
        }
      });

      it("dates codes the first release left without a start: A41.54 from 2023-10-01, with its hierarchy edge", () => {
        const a4154 = graph.nodes.get("ICD10CM:A41.54")!;
        expect(a4154.versions[0]!.validFrom).toBe("2023-10-01");
        const up = [...graph.edges.values()].filter(
          (e) => e.relation === Relation.SUBSET_OF && e.from === "ICD10CM:A41.54",
        );
        expect(up.map((e) => [e.to, e.validFrom])).toEqual([["ICD10CM:A41.5", "2023-10-01"]]);
        // Codes in ICD-10-CM from its first day are not in the tables and stay unknown.
        expect(graph.nodes.get("ICD10CM:A00.0")!.versions[0]!.validFrom).toBeNull();
      });
    });
  },
);
