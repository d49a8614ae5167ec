import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type GraphRecords } from "../../src/domain/graph.js";
import { Direction, PairingKind, Relation } from "../../src/domain/relationship.js";
import {
  type ClosureQuery,
  type GraphStore,
  type NeighborQuery,
  SearchMatchKind,
  type SearchQuery,
  type TraversalPage,
} from "../../src/store/graph-store.js";
import { CONTRACT_GRAPH, FY2025, FY2026 } from "../fixtures/contract-graph.js";

/** Opens an empty store of the adapter under test; `dispose` removes whatever it wrote. */
export interface StoreHarness {
  open(): Promise<GraphStore>;
  dispose(store: GraphStore): Promise<void>;
}

const TODAY = "2026-11-25";
const BEFORE_FY2026 = "2025-06-01";

const ids = (page: TraversalPage) => page.items.map((i) => i.node.id);

function neighbors(
  id: string,
  relation: Relation,
  direction: Direction,
  extra: Partial<NeighborQuery> = {},
): NeighborQuery {
  return {
    mode: "neighbors",
    id,
    asOf: TODAY,
    relation,
    direction,
    kinds: null,
    systems: null,
    offset: 0,
    limit: 100,
    ...extra,
  };
}

function closure(
  id: string,
  direction: Direction.OUT | Direction.IN,
  extra: Partial<ClosureQuery> = {},
): ClosureQuery {
  return {
    mode: "closure",
    id,
    asOf: TODAY,
    direction,
    maxDepth: 10,
    billableOnly: false,
    offset: 0,
    limit: 100,
    ...extra,
  };
}

function search(text: string, extra: Partial<SearchQuery> = {}): SearchQuery {
  return { text, systems: null, billableOnly: false, asOf: TODAY, offset: 0, limit: 50, ...extra };
}

/**
 * The behaviour every GraphStore adapter must have. Each adapter's test file calls this
 * with a harness; the Neo4j run is skipped where no NEO4J_URI is set.
 */
export function graphStoreContract(
  name: string,
  harness: StoreHarness,
  records: GraphRecords = CONTRACT_GRAPH,
): void {
  describe(`GraphStore contract: ${name}`, () => {
    let store: GraphStore;

    beforeAll(async () => {
      store = await harness.open();
      await store.load(records);
    });

    afterAll(async () => {
      if (store) await harness.dispose(store);
    });

    describe("getCodes", () => {
      it("answers in key order, null for unknown ids, repeated keys repeated", async () => {
        const found = await store.getCodes([
          "ICD10CM:E11.9",
          "ICD10CM:E99.99",
          "CPT:83036",
          "ICD10CM:E11.9",
        ]);
        expect(found.map((n) => n?.id ?? null)).toEqual([
          "ICD10CM:E11.9",
          null,
          "CPT:83036",
          "ICD10CM:E11.9",
        ]);
      });

      it("returns nodes exactly as loaded: versions, synonyms, attributes, no-map systems", async () => {
        const wanted = [
          "ICD10CM:E11.8",
          "ICD10CM:E11",
          "HCPCS:A4253",
          "ICD9CM:799.9",
          "ICD10CM:Z79.4",
        ];
        const found = await store.getCodes(wanted);
        for (const [i, id] of wanted.entries()) {
          expect(found[i]).toEqual(records.codes.find((c) => c.id === id));
        }
      });

      it("answers an empty batch with an empty list", async () => {
        expect(await store.getCodes([])).toEqual([]);
      });
    });

    describe("traverse: neighbours", () => {
      it("finds the parent along SUBSET_OF out", async () => {
        const [page] = await store.traverse([
          neighbors("ICD10CM:E11.9", Relation.SUBSET_OF, Direction.OUT),
        ]);
        expect(ids(page!)).toEqual(["ICD10CM:E11"]);
        expect(page!.items[0]!.direction).toBe(Direction.OUT);
        expect(page!.items[0]!.edge?.relation).toBe(Relation.SUBSET_OF);
      });

      it("lists children in code order, only those valid on the date", async () => {
        const [today, before] = await store.traverse([
          neighbors("ICD10CM:E11", Relation.SUBSET_OF, Direction.IN),
          neighbors("ICD10CM:E11", Relation.SUBSET_OF, Direction.IN, { asOf: BEFORE_FY2026 }),
        ]);
        expect(ids(today!)).toEqual([
          "ICD10CM:E11.6",
          "ICD10CM:E11.8",
          "ICD10CM:E11.9",
          "ICD10CM:E11.A",
        ]);
        expect(ids(before!)).toEqual(["ICD10CM:E11.6", "ICD10CM:E11.8", "ICD10CM:E11.9"]);
      });

      it("pages with offset and limit and counts the whole list", async () => {
        const [first, second] = await store.traverse([
          neighbors("ICD10CM:E11", Relation.SUBSET_OF, Direction.IN, { limit: 2 }),
          neighbors("ICD10CM:E11", Relation.SUBSET_OF, Direction.IN, { offset: 2, limit: 2 }),
        ]);
        expect(first!.totalCount).toBe(4);
        expect(second!.totalCount).toBe(4);
        expect([...ids(first!), ...ids(second!)]).toEqual([
          "ICD10CM:E11.6",
          "ICD10CM:E11.8",
          "ICD10CM:E11.9",
          "ICD10CM:E11.A",
        ]);
      });

      it("walks both directions of PAIRED_WITH, strongest first, with each edge's direction", async () => {
        const [page] = await store.traverse([
          neighbors("CPT:83036", Relation.PAIRED_WITH, Direction.BOTH),
        ]);
        expect(
          page!.items.map((i) => [
            i.node.id,
            i.direction,
            i.edge && "kind" in i.edge ? i.edge.kind : null,
          ]),
        ).toEqual([
          ["ICD10CM:E11.9", Direction.IN, PairingKind.SUPPORTS],
          ["ICD10CM:E11.9", Direction.IN, PairingKind.OBSERVED],
          ["ICD10CM:E11.65", Direction.OUT, PairingKind.OBSERVED],
        ]);
      });

      it("keeps every field of an edge", async () => {
        const [page] = await store.traverse([
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.OUT, {
            kinds: [PairingKind.OBSERVED],
          }),
        ]);
        expect(page!.items.map((i) => i.edge)).toEqual(
          records.edges.filter(
            (e) =>
              e.relation === Relation.PAIRED_WITH &&
              e.from === "ICD10CM:E11.9" &&
              e.kind === PairingKind.OBSERVED,
          ),
        );
      });

      it("filters by edge kind and by neighbour system", async () => {
        const [byKind, bySystem] = await store.traverse([
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.BOTH, {
            kinds: [PairingKind.SUPPORTS],
          }),
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.BOTH, {
            systems: [CodeSystemId.HCPCS],
          }),
        ]);
        expect(ids(byKind!)).toEqual(["CPT:83036", "HCPCS:A4253", "CPT:82947"]);
        expect(ids(bySystem!)).toEqual(["HCPCS:A4253"]);
      });

      it("follows REPLACES and MAPS_TO with their data", async () => {
        const [replacedBy, mapsTo] = await store.traverse([
          neighbors("ICD10CM:E72.53", Relation.REPLACES, Direction.IN),
          neighbors("ICD9CM:250.02", Relation.MAPS_TO, Direction.OUT),
        ]);
        expect(ids(replacedBy!)).toEqual(["ICD10CM:E72.539"]);
        expect(replacedBy!.items[0]!.edge).toMatchObject({
          relation: Relation.REPLACES,
          effective: FY2026,
        });
        expect(mapsTo!.items[0]!.edge).toMatchObject({
          relation: Relation.MAPS_TO,
          flags: {
            approximate: true,
            noMap: false,
            combination: false,
            scenario: 0,
            choiceList: 0,
          },
        });
      });

      it("lists pairings and exclusions only with codes valid on the date", async () => {
        const [before, after] = await store.traverse([
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.BOTH, { asOf: "1999-06-01" }),
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.BOTH, { asOf: TODAY }),
        ]);
        // The CPT codes of the fixture are valid from 2000-01-01, HCPCS A4253 from 1993.
        expect(ids(before!)).toEqual(["HCPCS:A4253"]);
        expect(after!.totalCount).toBe(4);
      });

      it("adds, when asked, the notes of the codes above: tabular instructions and exclusions, after the code's own", async () => {
        const [pairings, exclusions, inbound, plain] = await store.traverse([
          neighbors("ICD10CM:E11.65", Relation.PAIRED_WITH, Direction.BOTH, { inherited: true }),
          neighbors("ICD10CM:E11.9", Relation.EXCLUDES, Direction.BOTH, { inherited: true }),
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.IN, { inherited: true }),
          neighbors("ICD10CM:E11.65", Relation.PAIRED_WITH, Direction.BOTH),
        ]);
        const rows = (page: TraversalPage) =>
          page.items.map((i) => [
            i.node.id,
            i.direction,
            i.depth,
            i.edge?.from,
            i.inheritedFrom?.id ?? null,
          ]);
        // Scored pairings first; then unscored ones, nearest bearer first: E11's "use
        // additional code" notes reach E11.65 two levels up.
        expect(rows(pairings!)).toEqual([
          ["CPT:83036", Direction.IN, 1, "CPT:83036", null],
          ["ICD10CM:Z79.4", Direction.OUT, 3, "ICD10CM:E11", "ICD10CM:E11"],
          ["ICD10CM:Z79.84", Direction.OUT, 3, "ICD10CM:E11", "ICD10CM:E11"],
        ]);
        expect(pairings!.totalCount).toBe(3);
        expect(rows(exclusions!)).toEqual([
          ["ICD10CM:E10", Direction.OUT, 2, "ICD10CM:E11", "ICD10CM:E11"],
        ]);
        expect(exclusions!.items[0]!.edge).toEqual(
          records.edges.find((e) => e.relation === Relation.EXCLUDES),
        );
        // Notes are inherited leaving the code only; without the flag, none.
        expect(rows(inbound!)).toEqual([]);
        expect(ids(plain!)).toEqual(["CPT:83036"]);
      });

      it("inherits instructions only, never another code's supporting or claims pairings", async () => {
        const [page] = await store.traverse([
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.OUT, {
            inherited: true,
            kinds: [PairingKind.SUPPORTS, PairingKind.USE_ADDITIONAL_CODE],
          }),
        ]);
        expect(page!.items.map((i) => [i.node.id, i.depth])).toEqual([
          ["CPT:83036", 1],
          ["HCPCS:A4253", 1],
          ["CPT:82947", 1],
          ["ICD10CM:Z79.4", 2],
          ["ICD10CM:Z79.84", 2],
        ]);
      });

      it("matches nothing with an empty filter list", async () => {
        const [noKinds, noSystems] = await store.traverse([
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.BOTH, { kinds: [] }),
          neighbors("ICD10CM:E11.9", Relation.PAIRED_WITH, Direction.BOTH, { systems: [] }),
        ]);
        expect([noKinds!.totalCount, noSystems!.totalCount]).toEqual([0, 0]);
      });

      it("answers an unknown id with an empty page", async () => {
        const [page] = await store.traverse([
          neighbors("ICD10CM:Q99.99", Relation.SUBSET_OF, Direction.IN),
        ]);
        expect(page).toEqual({ totalCount: 0, items: [] });
      });
    });

    describe("traverse: closures and successors", () => {
      it("lists ancestors nearest first, with depth, up to maxDepth", async () => {
        const [all, two] = await store.traverse([
          closure("ICD10CM:E11.65", Direction.OUT),
          closure("ICD10CM:E11.65", Direction.OUT, { maxDepth: 2 }),
        ]);
        expect(ids(all!)).toEqual([
          "ICD10CM:E11.6",
          "ICD10CM:E11",
          "ICD10CM:E08-E13",
          "ICD10CM:E00-E89",
        ]);
        expect(all!.items.map((i) => i.depth)).toEqual([1, 2, 3, 4]);
        expect(ids(two!)).toEqual(["ICD10CM:E11.6", "ICD10CM:E11"]);
      });

      it("lists descendants each before its children, siblings in code order", async () => {
        const [page] = await store.traverse([closure("ICD10CM:E08-E13", Direction.IN)]);
        expect(ids(page!)).toEqual([
          "ICD10CM:E10",
          "ICD10CM:E11",
          "ICD10CM:E11.6",
          "ICD10CM:E11.65",
          "ICD10CM:E11.8",
          "ICD10CM:E11.81",
          "ICD10CM:E11.9",
          "ICD10CM:E11.A",
        ]);
        expect(page!.totalCount).toBe(8);
      });

      it("pages descendants and counts them on any date", async () => {
        const [page, before, billable, shallow] = await store.traverse([
          closure("ICD10CM:E11", Direction.IN, { offset: 1, limit: 2 }),
          closure("ICD10CM:E11", Direction.IN, { asOf: BEFORE_FY2026 }),
          closure("ICD10CM:E11", Direction.IN, { billableOnly: true }),
          closure("ICD10CM:E11", Direction.IN, { maxDepth: 1 }),
        ]);
        expect(ids(page!)).toEqual(["ICD10CM:E11.65", "ICD10CM:E11.8"]);
        expect(page!.totalCount).toBe(6);
        expect(ids(before!)).toEqual([
          "ICD10CM:E11.6",
          "ICD10CM:E11.65",
          "ICD10CM:E11.8",
          "ICD10CM:E11.9",
        ]);
        expect(ids(billable!)).toEqual([
          "ICD10CM:E11.65",
          "ICD10CM:E11.81",
          "ICD10CM:E11.9",
          "ICD10CM:E11.A",
        ]);
        expect(ids(shallow!)).toEqual([
          "ICD10CM:E11.6",
          "ICD10CM:E11.8",
          "ICD10CM:E11.9",
          "ICD10CM:E11.A",
        ]);
        expect(billable!.totalCount).toBe(4);
      });

      it("follows replacements until codes valid on the date", async () => {
        const [chain, direct, none] = await store.traverse([
          { mode: "successors", id: "ICD9CM:250.02", asOf: TODAY, maxDepth: 10 },
          { mode: "successors", id: "ICD10CM:E72.53", asOf: TODAY, maxDepth: 10 },
          { mode: "successors", id: "ICD10CM:E11.9", asOf: TODAY, maxDepth: 10 },
        ]);
        expect(ids(chain!)).toEqual(["ICD10CM:E72.539"]);
        expect(chain!.items[0]!.depth).toBe(2);
        expect(ids(direct!)).toEqual(["ICD10CM:E72.539"]);
        expect(ids(none!)).toEqual([]);
      });

      it("gives a code valid on the date no successors, and follows only replacements in force", async () => {
        const [valid, notYet] = await store.traverse([
          // E72.53 is valid until 2025-09-30; its replacement takes effect on 2025-10-01.
          { mode: "successors", id: "ICD10CM:E72.53", asOf: BEFORE_FY2026, maxDepth: 10 },
          // 250.02 ended in 2015; E72.539 is not in force before FY2026.
          { mode: "successors", id: "ICD9CM:250.02", asOf: BEFORE_FY2026, maxDepth: 10 },
        ]);
        expect(ids(valid!)).toEqual([]);
        expect(ids(notYet!)).toEqual(["ICD10CM:E72.53"]);
      });

      it("answers a mixed batch in key order", async () => {
        const pages = await store.traverse([
          closure("ICD10CM:E11.9", Direction.OUT, { maxDepth: 1 }),
          neighbors("ICD10CM:E11", Relation.EXCLUDES, Direction.OUT),
          { mode: "successors", id: "ICD10CM:E72.53", asOf: TODAY, maxDepth: 10 },
          neighbors("ICD10CM:E11.9", Relation.MAPS_TO, Direction.OUT),
        ]);
        expect(pages.map(ids)).toEqual([
          ["ICD10CM:E11"],
          ["ICD10CM:E10"],
          ["ICD10CM:E72.539"],
          ["ICD9CM:250.00"],
        ]);
      });
    });

    describe("search", () => {
      it("puts the exact code first, typed any way", async () => {
        for (const text of ["E11.9", "e119", "E11.9 ", "icd10cm:e11.9", "E11 .9", "e 11 9"]) {
          const [page] = await store.search([search(text)]);
          expect(page!.items[0]!.node.id, text).toBe("ICD10CM:E11.9");
          expect(page!.items[0]!.matchedOn, text).toBe(SearchMatchKind.CODE);
        }
      });

      it("finds whole codes without a digit: modifiers, blocks and chapters", async () => {
        const pages = await store.search(["LT", "lt", "E08-E13", "e00-e89"].map((t) => search(t)));
        expect(pages.map((p) => [p.items[0]!.node.id, p.items[0]!.matchedOn])).toEqual([
          ["HCPCS:LT", SearchMatchKind.CODE],
          ["HCPCS:LT", SearchMatchKind.CODE],
          ["ICD10CM:E08-E13", SearchMatchKind.CODE],
          ["ICD10CM:E00-E89", SearchMatchKind.CODE],
        ]);
      });

      it("finds codes by prefix", async () => {
        const [page] = await store.search([search("E11.6")]);
        expect(page!.items.map((i) => i.node.id)).toEqual(["ICD10CM:E11.6", "ICD10CM:E11.65"]);
        expect(page!.items[1]!.matchedOn).toBe(SearchMatchKind.CODE_PREFIX);
      });

      it("keeps a typed dot where it was typed: e11.6 is not HCPCS E1160", async () => {
        const [undotted, dotted] = await store.search([search("A425"), search("A42.5")]);
        expect(undotted!.items.map((i) => i.node.id)).toEqual(["HCPCS:A4253"]);
        expect(dotted!.items).toEqual([]);
      });

      it("finds titles holding all words, the last one as a prefix", async () => {
        const [page] = await store.search([search("type 2 diabetes hyperglyc")]);
        expect(page!.items.map((i) => i.node.id)).toEqual(["ICD10CM:E11.65"]);
        expect(page!.items[0]!.matchedOn).toBe(SearchMatchKind.TITLE);
      });

      it("ranks the short general title above the long specific ones", async () => {
        const [page] = await store.search([search("type 2 diabetes mellitus")]);
        expect(page!.items[0]!.node.id).toBe("ICD10CM:E11");
        expect(page!.totalCount).toBe(7);
      });

      it("finds synonyms and says so", async () => {
        const [page] = await store.search([search("insulin resistant")]);
        expect(page!.items.map((i) => [i.node.id, i.matchedOn])).toEqual([
          ["ICD10CM:E11", SearchMatchKind.SYNONYM],
        ]);
        expect(page!.items[0]!.matchedText).toBe("insulin resistant diabetes (mellitus)");
      });

      it("filters by system, billable and date", async () => {
        const [systems, billable, inactive, all] = await store.search([
          search("glucose", { systems: [CodeSystemId.HCPCS] }),
          search("type 2 diabetes", { billableOnly: true, limit: 100 }),
          search("diabetes mellitus without", { asOf: TODAY }),
          search("diabetes mellitus without", { asOf: null }),
        ]);
        expect(systems!.items.map((i) => i.node.id)).toEqual(["HCPCS:A4253"]);
        expect(billable!.items.every((i) => i.node.id !== "ICD10CM:E11")).toBe(true);
        expect(billable!.items.map((i) => i.node.id)).toContain("ICD10CM:E11.9");
        expect(inactive!.items.some((i) => i.node.system === CodeSystemId.ICD9CM)).toBe(false);
        expect(all!.items.map((i) => i.node.id)).toEqual(
          expect.arrayContaining(["ICD9CM:250.00", "ICD9CM:250.02", "ICD10CM:E11.9"]),
        );
      });

      it("pages results and counts them all", async () => {
        const [one, two] = await store.search([
          search("diabetes", { limit: 2 }),
          search("diabetes", { offset: 2, limit: 2 }),
        ]);
        expect(one!.totalCount).toBe(two!.totalCount);
        expect(one!.totalCount).toBeGreaterThan(4);
        const seen = [...one!.items, ...two!.items].map((i) => i.node.id);
        expect(new Set(seen).size).toBe(4);
      });

      it("reads a last word as a prefix from three characters on, and stop words alone as nothing", async () => {
        const [two, three, stop] = await store.search([
          search("ty"),
          search("typ"),
          search("of the"),
        ]);
        expect(two!.totalCount).toBe(0);
        expect(three!.totalCount).toBeGreaterThan(5);
        expect(stop).toEqual({ totalCount: 0, items: [] });
      });

      it("finds nothing for words no code holds", async () => {
        const [page] = await store.search([search("xylophone")]);
        expect(page).toEqual({ totalCount: 0, items: [] });
      });
    });

    describe("counts, releases, scans", () => {
      it("counts codes per system, on a date, billable only", async () => {
        const counts = await store.countCodes([
          { system: CodeSystemId.ICD10CM, asOf: null, billableOnly: false },
          { system: CodeSystemId.ICD10CM, asOf: TODAY, billableOnly: false },
          { system: CodeSystemId.ICD10CM, asOf: BEFORE_FY2026, billableOnly: false },
          { system: CodeSystemId.ICD10CM, asOf: TODAY, billableOnly: true },
          { system: CodeSystemId.ICD9CM, asOf: TODAY, billableOnly: false },
          { system: CodeSystemId.ICD10PCS, asOf: null, billableOnly: false },
        ]);
        expect(counts).toEqual([16, 15, 12, 8, 0, 0]);
      });

      it("lists releases per system, oldest first", async () => {
        const [cm, pcs] = await store.listReleases([CodeSystemId.ICD10CM, CodeSystemId.ICD10PCS]);
        expect(cm!.map((r) => [r.version, r.effective])).toEqual([
          ["FY2025", FY2025],
          ["FY2026", FY2026],
        ]);
        expect(pcs).toEqual([]);
      });

      it("scans a system's codes in code order, in chunks", async () => {
        const chunks: string[][] = [];
        for await (const chunk of store.scanCodes(CodeSystemId.ICD9CM, 3))
          chunks.push(chunk.map((c) => c.id));
        expect(chunks).toEqual([
          ["ICD9CM:250.00", "ICD9CM:250.02", "ICD9CM:799.9"],
          ["ICD9CM:V58.67"],
        ]);
      });
    });

    describe("load", () => {
      it("is idempotent: loading the same records again changes nothing", async () => {
        const before = await snapshot(store);
        await store.load(records);
        expect(await snapshot(store)).toEqual(before);
      });

      it("rejects an edge to a missing node and keeps what was there", async () => {
        const before = await snapshot(store);
        const broken: GraphRecords = {
          codes: [{ ...records.codes[0]!, id: "ICD10CM:E11.99", code: "E11.99" }],
          edges: [{ ...records.edges[0]!, from: "ICD10CM:E11.99", to: "ICD10CM:E77.77" }],
          releases: [],
        };
        await expect(store.load(broken)).rejects.toThrow(/E77\.77/);
        expect(await snapshot(store)).toEqual(before);
        expect(await store.getCodes(["ICD10CM:E11.99"])).toEqual([null]);
      });

      it("refuses a load whose hierarchy would hold a cycle on some date, naming it, and keeps what was there", async () => {
        const before = await snapshot(store);
        const under = (from: string, to: string) => ({
          relation: Relation.SUBSET_OF as const,
          from,
          to,
          source: "cycle test",
          validFrom: null,
          validTo: null,
        });
        await expect(
          store.load({ codes: [], edges: [under("ICD10CM:E11", "ICD10CM:E11.65")], releases: [] }),
        ).rejects.toThrow(
          "the hierarchy would hold a cycle on 2015-10-01: ICD10CM:E11 → ICD10CM:E11.65 → " +
            "ICD10CM:E11.6 → ICD10CM:E11 (SUBSET_OF edges from cycle test, fixture); nothing was loaded",
        );
        // Two loaded edges, joined by held ones; D71.9 is under D71 from FY2026.
        await expect(
          store.load({
            codes: [],
            edges: [
              under("ICD10CM:E00-E89", "ICD10CM:D71.9"),
              under("ICD10CM:D71", "ICD10CM:E11.65"),
            ],
            releases: [],
          }),
        ).rejects.toThrow(/^the hierarchy would hold a cycle on 2025-10-01: .*nothing was loaded$/);
        expect(await snapshot(store)).toEqual(before);
      });

      it("accepts hierarchy edges that loop only across time, never on one date", async () => {
        // D71.9 is under D71 from FY2026; this puts D71 under D71.9 before FY2017 only.
        await store.load({
          codes: [],
          edges: [
            {
              relation: Relation.SUBSET_OF,
              from: "ICD10CM:D71",
              to: "ICD10CM:D71.9",
              source: "cycle test",
              validFrom: null,
              validTo: "2016-09-30",
            },
          ],
          releases: [],
        });
        const [in2016, today] = await store.traverse([
          closure("ICD10CM:D71", Direction.OUT, { asOf: "2016-06-01" }),
          closure("ICD10CM:D71.9", Direction.OUT),
        ]);
        expect(ids(in2016!)).toEqual(["ICD10CM:D71.9"]);
        expect(ids(today!)).toEqual(["ICD10CM:D71"]);
      });

      it("replaces a node by id", async () => {
        const original = records.codes.find((c) => c.id === "CPT:82947")!;
        const revised = {
          ...original,
          versions: [{ ...original.versions[0]!, title: "Glucose, blood, quantitative" }],
        };
        await store.load({ codes: [revised], edges: [], releases: [] });
        expect((await store.getCodes(["CPT:82947"]))[0]).toEqual(revised);
        await store.load({ codes: [original], edges: [], releases: [] });
        expect((await store.getCodes(["CPT:82947"]))[0]).toEqual(original);
      });
    });

    describe("hierarchy history", () => {
      it("keeps two spans of one child → parent edge, opened by two files, each on its own dates", async () => {
        // A code listed FY2017-FY2019, dropped, listed again from FY2022: the edge of its
        // return is a second edge (its key names the file that opened it), and the first
        // keeps its dates.
        const template = records.codes.find((c) => c.id === "ICD10CM:E11.9")!;
        const back = {
          ...template,
          id: "ICD10CM:E11.0",
          code: "E11.0",
          versions: [
            { ...template.versions[0]!, validFrom: "2016-10-01", validTo: "2019-09-30" },
            { ...template.versions[0]!, validFrom: "2021-10-01", validTo: null },
          ],
        };
        const span = (source: string, validFrom: string, validTo: string | null) => ({
          relation: Relation.SUBSET_OF as const,
          from: "ICD10CM:E11.0",
          to: "ICD10CM:E11",
          source,
          validFrom,
          validTo,
        });
        await store.load({
          codes: [back],
          edges: [
            span("icd10cm_order_2017.txt", "2016-10-01", "2019-09-30"),
            span("icd10cm_order_2022.txt", "2021-10-01", null),
          ],
          releases: [],
        });
        const up = (asOf: string) => closure("ICD10CM:E11.0", Direction.OUT, { asOf, maxDepth: 1 });
        const down = (asOf: string) => closure("ICD10CM:E11", Direction.IN, { asOf, maxDepth: 1 });
        const [in2018, in2020, in2023, under2018, under2020] = await store.traverse([
          up("2018-06-01"),
          up("2020-06-01"),
          up("2023-06-01"),
          down("2018-06-01"),
          down("2020-06-01"),
        ]);
        expect(ids(in2018!)).toEqual(["ICD10CM:E11"]);
        expect(in2018!.items[0]!.edge!.source).toBe("icd10cm_order_2017.txt");
        expect(ids(in2020!)).toEqual([]);
        expect(ids(in2023!)).toEqual(["ICD10CM:E11"]);
        expect(in2023!.items[0]!.edge!.source).toBe("icd10cm_order_2022.txt");
        expect(ids(under2018!)).toContain("ICD10CM:E11.0");
        expect(ids(under2020!)).not.toContain("ICD10CM:E11.0");
      });

      it("walks a child listed under its parent by two sources as two children, each with its subtree, in key order", async () => {
        const listed = records.edges.find(
          (e) =>
            e.relation === Relation.SUBSET_OF &&
            e.from === "ICD10CM:E11.8" &&
            e.to === "ICD10CM:E11",
        )!;
        // The same dates from a second source, whose key sorts before the fixture's.
        await store.load({ codes: [], edges: [{ ...listed, source: "addenda" }], releases: [] });
        const [down, up] = await store.traverse([
          closure("ICD10CM:E11", Direction.IN),
          closure("ICD10CM:E11.81", Direction.OUT),
        ]);
        const underE118 = down!.items
          .filter((i) => i.node.id.startsWith("ICD10CM:E11.8"))
          .map((i) => [i.node.id, i.edge!.source, i.depth]);
        expect(underE118).toEqual([
          ["ICD10CM:E11.8", "addenda", 1],
          ["ICD10CM:E11.81", listed.source, 2],
          ["ICD10CM:E11.8", listed.source, 1],
          ["ICD10CM:E11.81", listed.source, 2],
        ]);
        expect(down!.totalCount).toBe(down!.items.length);
        expect(up!.items.map((i) => [i.node.id, i.edge!.source])).toEqual([
          ["ICD10CM:E11.8", listed.source],
          ["ICD10CM:E11", "addenda"],
          ["ICD10CM:E08-E13", listed.source],
          ["ICD10CM:E00-E89", listed.source],
        ]);
      });
    });

    it("reports itself ready", async () => {
      expect(await store.health()).toEqual({ ready: true, reason: null });
    });
  });
}

/** Everything a client could read, to compare a store before and after a load. */
async function snapshot(store: GraphStore): Promise<unknown> {
  const systems = Object.values(CodeSystemId);
  const codes: unknown[] = [];
  for (const system of systems)
    for await (const chunk of store.scanCodes(system)) codes.push(...chunk);
  const ids = codes.map((c) => (c as { id: string }).id);
  const pages = await store.traverse(
    ids.flatMap((id) =>
      Object.values(Relation).flatMap((relation) =>
        ["2020-01-01", TODAY].map((asOf) => neighbors(id, relation, Direction.BOTH, { asOf })),
      ),
    ),
  );
  const counts = await store.countCodes(
    systems.map((system) => ({ system, asOf: null, billableOnly: false })),
  );
  return {
    codes,
    edges: pages.map((p) => p.items.map((i) => i.edge)),
    counts,
    releases: await store.listReleases(systems),
  };
}
