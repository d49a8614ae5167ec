import neo4j, { type Integer, Node, Relationship } from "neo4j-driver";
import { beforeAll, describe, expect, it } from "vitest";
import { codeSystemNodes } from "../../src/domain/code-system.js";
import { addDays } from "../../src/domain/dates.js";
import { type CodeNode, type GraphRecords, versionAt } from "../../src/domain/graph.js";
import { Relation } from "../../src/domain/relationship.js";
import { searchTerms } from "../../src/domain/text.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import {
  asMap,
  asNode,
  codeFromNode,
  codeSystemRows,
  codeToRow,
  edgeFromRelationship,
  edgeToRow,
  fromNeo4jDate,
  OPEN_END,
  OPEN_START,
  type PropertyRow,
  RANKING_KEYS,
  rankingCandidateFromMap,
  RecordMappingError,
  releaseFromNode,
  releaseToRow,
  toNeo4jDate,
  toNumber,
} from "../../src/store/neo4j/record-mapping.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";
import { SEARCH_WORD_CODES } from "../fixtures/search-words.js";
import { withUnknownStarts } from "../support/unknown-starts.js";

/**
 * Record-to-domain mapping with the driver's own value types: nodes and relationships
 * built with the driver's Node and Relationship classes, integers as neo4j.int, dates as
 * the driver's Date, holding Integer fields as a driver with lossless integers returns
 * them. The properties are what Neo4j would store for the rows the adapter writes: a
 * null is no property at all.
 */

type Neo4jDate = InstanceType<typeof neo4j.types.Date>;

/** A written value as Neo4j hands it back: dates with Integer fields, the rest unchanged. */
function stored(value: unknown): unknown {
  if (neo4j.isDate(value)) {
    const d = value as Neo4jDate;
    return new neo4j.types.Date(neo4j.int(d.year), neo4j.int(d.month), neo4j.int(d.day));
  }
  if (Array.isArray(value)) return value.map(stored);
  return value;
}

/** The properties Neo4j holds after `SET n = row`: nulls are not stored. */
function storedProperties(row: PropertyRow): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, stored(v)]),
  );
}

let identity = 0;
const nextId = (): Integer => neo4j.int(++identity);

function codeNode(code: CodeNode): Node {
  const id = nextId();
  return new Node(id, ["Code"], storedProperties(codeToRow(code)), `4:test:${id.toString()}`);
}

let seed: GraphRecords;
let graphs: [string, GraphRecords][];
beforeAll(async () => {
  seed = await loadSeed(`${PROJECT_ROOT}/seed`);
  graphs = [
    ["contract graph", CONTRACT_GRAPH],
    ["bundled seed", seed],
    ["bundled seed, starts unknown", withUnknownStarts(seed)],
  ];
});

describe("codes", () => {
  it("read back exactly as written, for every code of the contract graph and the seed", () => {
    for (const [name, graph] of graphs) {
      for (const code of graph.codes)
        expect(codeFromNode(codeNode(code)), `${name} ${code.id}`).toEqual(code);
    }
    expect(seed.codes.length).toBeGreaterThan(400);
  });

  it("are written with property types Neo4j can store: no maps, no lists of maps, one type per list", () => {
    const storable = (v: unknown): boolean =>
      typeof v === "string" ||
      typeof v === "boolean" ||
      (typeof v === "number" && Number.isFinite(v)) ||
      neo4j.isInt(v) ||
      neo4j.isDate(v);
    for (const code of seed.codes) {
      for (const [key, value] of Object.entries(codeToRow(code))) {
        if (value === null) continue;
        if (Array.isArray(value)) {
          expect(value.every(storable), `${code.id}.${key}`).toBe(true);
          expect(
            new Set(value.map((v) => (neo4j.isDate(v) ? "date" : typeof v))).size,
            `${code.id}.${key}`,
          ).toBeLessThanOrEqual(1);
        } else {
          expect(storable(value), `${code.id}.${key}`).toBe(true);
        }
      }
    }
  });

  it("carry version spans the statements can test: the version valid on a date is the one versionAt finds", () => {
    // What the statements compute from the parallel lists, here with the driver's dates:
    // last([k IN range(...) WHERE versionFrom[k] <= d AND d <= versionTo[k] | versionBillable[k]]).
    const inForce = (row: PropertyRow, date: string): boolean | undefined => {
      const from = row.versionFrom as Neo4jDate[];
      const to = row.versionTo as Neo4jDate[];
      const billable = row.versionBillable as boolean[];
      const found = from
        .map((_, k) => k)
        .filter((k) => from[k]!.toString() <= date && date <= to[k]!.toString())
        .map((k) => billable[k]!);
      return found[found.length - 1];
    };
    for (const [, graph] of graphs) {
      for (const code of graph.codes) {
        const row = codeToRow(code);
        const dates = new Set([
          OPEN_START,
          OPEN_END,
          "1978-12-31",
          "1979-01-01",
          "2012-06-01",
          "2015-09-30",
          "2015-10-01",
          "2026-11-25",
        ]);
        for (const v of code.versions) {
          for (const edge of [v.validFrom, v.validTo]) {
            if (edge) for (const d of [addDays(edge, -1), edge, addDays(edge, 1)]) dates.add(d);
          }
        }
        for (const date of dates)
          expect(inForce(row, date), `${code.id} on ${date}`).toBe(versionAt(code, date)?.billable);
      }
    }
  });

  it("index every title, short title and synonym as its search terms, for the full-text index", () => {
    const e11 = CONTRACT_GRAPH.codes.find((c) => c.id === "ICD10CM:E11")!;
    const row = codeToRow(e11);
    expect(row.titleTexts).toEqual(["type 2 diabetes mellitus"]);
    expect(row.synonymTexts).toEqual([
      "diabetes mellitus due to insulin secretory defect",
      "insulin resistant diabetes mellitus",
    ]);
    for (const code of seed.codes) {
      const texts = codeToRow(code).titleTexts as string[];
      for (const v of code.versions)
        expect(texts, code.id).toContain(searchTerms(v.title).join(" "));
    }
    const g30 = codeToRow(SEARCH_WORD_CODES.find((c) => c.id === "ICD10CM:G30")!);
    expect([g30.titleTexts, g30.synonymTexts]).toEqual([
      ["alzheimers alzheimer disease"],
      ["alzheimers alzheimer dementia senile and presenile forms"],
    ]);
  });

  it("read back as search candidates from the ranking projection: the code, attributes aside", () => {
    // `n {.id, ...}` gives every key named, null for an absent property.
    const projection = (code: CodeNode) => {
      const properties = storedProperties(codeToRow(code));
      return Object.fromEntries(RANKING_KEYS.map((k) => [k, properties[k] ?? null]));
    };
    for (const [name, graph] of graphs) {
      for (const code of graph.codes)
        expect(rankingCandidateFromMap(projection(code)), `${name} ${code.id}`).toEqual({
          ...code,
          attributes: {},
        });
    }
    const code = seed.codes[0]!;
    expect(() => rankingCandidateFromMap({ ...projection(code), attributes: "{}" })).toThrow(
      /search candidate: unexpected attributes/,
    );
  });

  it("names the code and the property when a stored value has the wrong shape", () => {
    const code = CONTRACT_GRAPH.codes[0]!;
    const node = codeNode(code);
    const broken = new Node(
      node.identity,
      node.labels,
      { ...node.properties, versions: "[{" },
      node.elementId,
    );
    expect(() => codeFromNode(broken)).toThrow(RecordMappingError);
    expect(() => codeFromNode(broken)).toThrow(`Code ${code.id}: versions: not JSON`);
    const badSystem = new Node(
      node.identity,
      node.labels,
      { ...node.properties, system: "SNOMED" },
      node.elementId,
    );
    expect(() => codeFromNode(badSystem)).toThrow(/unknown code system "SNOMED"/);
  });

  it("keep open version ends open: stored as the system's first day and the end sentinel, read back as null", () => {
    const base = CONTRACT_GRAPH.codes.find((c) => c.id === "ICD10CM:Z79.4")!;
    const open: CodeNode = {
      ...base,
      versions: [{ ...base.versions[0]!, validFrom: null }, ...base.versions.slice(1)],
    };
    const row = codeToRow(open);
    expect(row.validFrom).toBeNull();
    // An unknown start is stored as the system's first day: no ICD-10-CM code is valid in 2012.
    expect((row.versionFrom as Neo4jDate[]).map(String)).toEqual(["2015-10-01", "2024-10-01"]);
    expect((row.versionTo as Neo4jDate[]).map(String)).toEqual(["2024-09-30", OPEN_END]);
    expect(codeFromNode(codeNode(open))).toEqual(open);
  });

  it("take an absent list as empty, as neo4j-admin imports write them", () => {
    const code = CONTRACT_GRAPH.codes.find(
      (c) => c.synonyms.length === 0 && c.noMapTo.length === 0,
    )!;
    const properties = storedProperties(codeToRow(code));
    delete properties.synonyms;
    delete properties.noMapTo;
    expect(codeFromNode(new Node(nextId(), ["Code"], properties, "4:test:x"))).toEqual(code);
  });
});

describe("edges", () => {
  it("read back exactly as written, for every edge of both graphs and every relation", () => {
    const seen = new Set<Relation>();
    for (const [name, graph] of graphs) {
      for (const edge of graph.edges) {
        const row = edgeToRow(edge);
        const rel = new Relationship(
          nextId(),
          nextId(),
          nextId(),
          edge.relation,
          storedProperties(row.props),
          "5:test:1",
          "4:test:2",
          "4:test:3",
        );
        expect(edgeFromRelationship(rel, row.from, row.to), `${name} ${row.key}`).toEqual(edge);
        seen.add(edge.relation);
      }
    }
    expect([...seen].sort()).toEqual(Object.values(Relation).sort());
  });

  it("store GEM flags as five properties, the numbers as INTEGER", () => {
    const mapsTo = CONTRACT_GRAPH.edges.find(
      (e) => e.relation === Relation.MAPS_TO && e.flags.approximate,
    )!;
    const { props, key } = edgeToRow(mapsTo);
    expect(key).toBe("MAPS_TO|ICD9CM:250.02|ICD10CM:E11.65|10000");
    expect(props).toMatchObject({ approximate: true, noMap: false, combination: false });
    expect(neo4j.isInt(props.scenario) && neo4j.isInt(props.choiceList)).toBe(true);
  });

  it("refuse a relationship type outside the enum", () => {
    const rel = new Relationship(
      nextId(),
      nextId(),
      nextId(),
      "KNOWS",
      { source: "x", key: "k" },
      "5:t:1",
      "4:t:2",
      "4:t:3",
    );
    expect(() => edgeFromRelationship(rel, "a", "b")).toThrow(
      /relationship type: expected one of SUBSET_OF/,
    );
  });
});

describe("releases and code systems", () => {
  it("read releases back exactly as written", () => {
    for (const [, graph] of graphs) {
      for (const release of graph.releases) {
        const node = new Node(
          nextId(),
          ["Release"],
          storedProperties(releaseToRow(release)),
          "4:test:r",
        );
        expect(releaseFromNode(node)).toEqual(release);
      }
    }
  });

  it("write every code system and family, with their SUBSET_OF and REPLACES links", () => {
    const rows = codeSystemRows();
    const infos = codeSystemNodes();
    expect(rows.systems.map((s) => s.id)).toEqual(infos.map((s) => s.id));
    expect(rows.subsets).toHaveLength(infos.reduce((n, s) => n + s.subsetOf.length, 0));
    expect(rows.replacements).toContainEqual(
      expect.objectContaining({ from: "ICD10CM", to: "ICD9CM", key: "REPLACES|ICD10CM|ICD9CM" }),
    );
    const icd9 = rows.systems.find((s) => s.id === "ICD9CM")!;
    expect(fromNeo4jDate(icd9.endedOn, "endedOn")).toBe("2015-09-30");
  });
});

describe("values at the edge", () => {
  it("turn Integer into number, and refuse to lose digits", () => {
    expect(toNumber(neo4j.int(42), "n")).toBe(42);
    expect(toNumber(neo4j.int("9007199254740991"), "n")).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toNumber(neo4j.int("9007199254740993"), "total")).toThrow(
      "total: 9007199254740993 does not fit a JavaScript number",
    );
    expect(toNumber(0.42, "score")).toBe(0.42);
    expect(toNumber(BigInt(7), "n")).toBe(7);
    expect(() => toNumber("7", "n")).toThrow(RecordMappingError);
  });

  it("turn DATE into an ISO date, with Integer or number fields, padded", () => {
    expect(
      fromNeo4jDate(new neo4j.types.Date(neo4j.int(2025), neo4j.int(10), neo4j.int(1)), "d"),
    ).toBe("2025-10-01");
    expect(fromNeo4jDate(new neo4j.types.Date(0, 1, 1), "d")).toBe(OPEN_START);
    expect(fromNeo4jDate(new neo4j.types.Date(979, 2, 3), "d")).toBe("0979-02-03");
    expect(() => fromNeo4jDate(new neo4j.types.Date(10000, 1, 1), "d")).toThrow(
      /outside 0000-9999/,
    );
    expect(() => fromNeo4jDate("2025-10-01", "validFrom")).toThrow(
      "validFrom: expected a DATE, found string",
    );
    expect(() => fromNeo4jDate(neo4j.types.DateTime.fromStandardDate(new Date(0)), "d")).toThrow(
      /expected a DATE/,
    );
  });

  it("turn ISO dates into DATE values and back", () => {
    for (const iso of ["2015-10-01", "0000-01-01", "9999-12-31", "2024-02-29"]) {
      const date = toNeo4jDate(iso);
      expect(neo4j.isDate(date)).toBe(true);
      expect(date.toString()).toBe(iso);
      expect(fromNeo4jDate(stored(date), "d")).toBe(iso);
    }
    for (const bad of ["2025-02-30", "2023-02-29", "1900-02-29", "2025-13-01", "2025-1-01", ""]) {
      expect(() => toNeo4jDate(bad), bad).toThrow(RecordMappingError);
    }
    expect(toNeo4jDate("2000-02-29").toString()).toBe("2000-02-29");
  });

  it("check record values before trusting them", () => {
    expect(() => asNode({ properties: {} }, "n")).toThrow("n: expected a node, found Object");
    const node = codeNode(CONTRACT_GRAPH.codes[0]!);
    expect(asNode(node, "n")).toBe(node);
    expect(() => asMap(node, "row")).toThrow(/expected a map, found Node/);
  });
});
