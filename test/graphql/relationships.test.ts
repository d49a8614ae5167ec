import { beforeAll, describe, expect, it } from "vitest";
import { GRAPHQL_GRAPH } from "../fixtures/graphql-graph.js";
import { graphqlHarness, type Harness } from "../support/graphql-harness.js";

let api: Harness;
beforeAll(async () => {
  api = await graphqlHarness(GRAPHQL_GRAPH);
});

async function data(query: string, variables?: Record<string, unknown>) {
  const result = await api.run(query, variables);
  expect(result.errors).toBeUndefined();
  return result.data as Record<string, any>;
}

describe("hierarchy", () => {
  it("walks up: parent and ancestors nearest first", async () => {
    const d = await data(`{ code(code: "E11.65") {
      parent { id level parent { id level } }
      ancestors { id level }
      top: ancestors(maxDepth: 1) { id }
    } }`);
    expect(d["code"]).toEqual({
      parent: {
        id: "ICD10CM:E11.6",
        level: "SUBCATEGORY",
        parent: { id: "ICD10CM:E11", level: "CATEGORY" },
      },
      ancestors: [
        { id: "ICD10CM:E11.6", level: "SUBCATEGORY" },
        { id: "ICD10CM:E11", level: "CATEGORY" },
        { id: "ICD10CM:E08-E13", level: "BLOCK" },
        { id: "ICD10CM:E00-E89", level: "CHAPTER" },
      ],
      top: [{ id: "ICD10CM:E11.6" }],
    });
  });

  it("walks down: children of the date, in code order, paged with cursors", async () => {
    const page1 = await data(
      `{ code(code: "E11") { children(first: 2) { totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } } } }`,
    );
    const first = page1["code"].children;
    expect(first.totalCount).toBe(4);
    expect(first.nodes.map((n: { id: string }) => n.id)).toEqual([
      "ICD10CM:E11.6",
      "ICD10CM:E11.8",
    ]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await data(
      `query($after: String) { code(code: "E11") { children(first: 2, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } } }`,
      { after: first.pageInfo.endCursor },
    );
    const second = page2["code"].children;
    expect(second.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      "ICD10CM:E11.9",
      "ICD10CM:E11.A",
    ]);
    expect(second.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
    const before = await data(
      `{ code(code: "E11", asOf: "2025-06-01") { children { totalCount } } }`,
    );
    expect(before["code"].children.totalCount).toBe(3);
  });

  it("lists descendants with their depth, billable only when asked", async () => {
    const d = await data(`{ code(code: "E11") {
      all: descendants { totalCount edges { depth node { id } } }
      billable: descendants(billableOnly: true) { totalCount nodes { id billable } }
      shallow: descendants(maxDepth: 1) { totalCount }
    } }`);
    expect(d["code"].all.totalCount).toBe(6);
    expect(d["code"].all.edges.slice(0, 2)).toEqual([
      { depth: 1, node: { id: "ICD10CM:E11.6" } },
      { depth: 2, node: { id: "ICD10CM:E11.65" } },
    ]);
    expect(d["code"].billable.nodes.every((n: { billable: boolean }) => n.billable)).toBe(true);
    expect(d["code"].billable.totalCount).toBe(4);
    expect(d["code"].shallow.totalCount).toBe(4);
  });

  it("shows a deleted code's hierarchy as it stood on its last valid day", async () => {
    const d = await data(`{ code(code: "E11.8", asOf: "2025-01-01") { children { totalCount } } }`);
    expect(d["code"].children.totalCount).toBe(0);
    const later = await data(`{ code(code: "E11.8") { status children { nodes { id } } } }`);
    expect(later["code"]).toEqual({
      status: "HEADER",
      children: { nodes: [{ id: "ICD10CM:E11.81" }] },
    });
  });
});

describe("pairings", () => {
  it("lists pairings both ways, strongest first, with their evidence", async () => {
    const d = await data(`{ code(code: "E11.9") { pairedWith { totalCount edges {
      kind direction source score support confidence reverseConfidence lift node { id }
      inheritedFrom { id } } } } }`);
    const edges = d["code"].pairedWith.edges;
    expect(d["code"].pairedWith.totalCount).toBe(6);
    expect(
      edges.map((e: any) => [e.node.id, e.kind, e.direction, e.score, e.inheritedFrom?.id]),
    ).toEqual([
      ["CPT:83036", "SUPPORTS", "OUTGOING", 0.9, undefined],
      ["HCPCS:A4253", "SUPPORTS", "OUTGOING", 0.75, undefined],
      ["CPT:82947", "SUPPORTS", "OUTGOING", 0.6, undefined],
      ["CPT:83036", "OBSERVED", "OUTGOING", 0.42, undefined],
      // E11's "use additional code" notes apply to every code below it.
      ["ICD10CM:Z79.4", "USE_ADDITIONAL_CODE", "OUTGOING", null, "ICD10CM:E11"],
      ["ICD10CM:Z79.84", "USE_ADDITIONAL_CODE", "OUTGOING", null, "ICD10CM:E11"],
    ]);
    expect(edges[3]).toMatchObject({
      source: "claims",
      support: 120,
      confidence: 0.42,
      reverseConfidence: 0.3,
      lift: 2.1,
    });
  });

  it("leaves the notes of the codes above out when asked to", async () => {
    const d = await data(`{ code(code: "E11.9") {
      pairedWith(inherited: false) { totalCount edges { inheritedFrom { id } } }
      excludes(inherited: false) { code { id } }
      all: excludes { code { id } kind direction note inheritedFrom { id title } }
    } }`);
    expect(d["code"].pairedWith.totalCount).toBe(4);
    expect(d["code"].pairedWith.edges.every((e: any) => e.inheritedFrom === null)).toBe(true);
    expect(d["code"].excludes).toEqual([]);
    expect(d["code"].all).toEqual([
      {
        code: { id: "ICD10CM:E10" },
        kind: "EXCLUDES1",
        direction: "OUTGOING",
        note: "type 1 diabetes mellitus (E10.-)",
        inheritedFrom: { id: "ICD10CM:E11", title: "Type 2 diabetes mellitus" },
      },
    ]);
  });

  it("filters by kind and system", async () => {
    const d = await data(
      `{ code(code: "E11") { pairedWith(kind: [USE_ADDITIONAL_CODE]) { edges { kind direction node { id title } } } } }`,
    );
    expect(d["code"].pairedWith.edges.map((e: any) => e.node.id)).toEqual([
      "ICD10CM:Z79.4",
      "ICD10CM:Z79.84",
    ]);
    const bySystem = await data(
      `{ code(code: "E11.9") { pairedWith(system: [HCPCS]) { totalCount } } }`,
    );
    expect(bySystem["code"].pairedWith.totalCount).toBe(1);
  });

  it("shows the instruction from the target's side as incoming", async () => {
    const d = await data(
      `{ code(code: "Z79.4") { pairedWith { edges { kind direction node { id } } } } }`,
    );
    expect(d["code"].pairedWith.edges).toEqual([
      { kind: "USE_ADDITIONAL_CODE", direction: "INCOMING", node: { id: "ICD10CM:E11" } },
    ]);
  });
});

describe("succession, crosswalks, exclusions", () => {
  it("links replaced and replacing codes with dates, and follows chains to valid successors", async () => {
    const d = await data(`{
      old: code(code: "E72.53") { replacedBy { code { id status } effective source } successors { id } }
      new: code(code: "E72.539") { replaces { code { id status } effective } }
      icd9: code(code: "250.02") { successors { id status } }
    }`);
    expect(d["old"]).toEqual({
      replacedBy: [
        {
          code: { id: "ICD10CM:E72.539", status: "VALID" },
          effective: "2025-10-01",
          source: "conversion FY2026",
        },
      ],
      successors: [{ id: "ICD10CM:E72.539" }],
    });
    expect(d["new"].replaces).toEqual([
      { code: { id: "ICD10CM:E72.53", status: "DELETED" }, effective: "2025-10-01" },
    ]);
    expect(d["icd9"].successors).toEqual([{ id: "ICD10CM:E72.539", status: "VALID" }]);
  });

  it("maps ICD-9-CM and ICD-10-CM both ways with decoded GEM flags", async () => {
    const d = await data(`{
      i9: code(code: "250.02") { mapsTo { target { id } approximate noMap combination scenario choiceList source } }
      i10: code(code: "E11.9") { mapsTo(system: ICD9CM) { target { id } } mappedFrom { target { id } approximate } }
    }`);
    expect(d["i9"].mapsTo).toEqual([
      {
        target: { id: "ICD10CM:E11.65" },
        approximate: true,
        noMap: false,
        combination: false,
        scenario: 0,
        choiceList: 0,
        source: "GEM 2018 I9→I10",
      },
    ]);
    expect(d["i10"].mapsTo).toEqual([{ target: { id: "ICD9CM:250.00" } }]);
    expect(d["i10"].mappedFrom).toEqual([{ target: { id: "ICD9CM:250.00" }, approximate: false }]);
  });

  it("answers a no-map entry with a null target", async () => {
    const d = await data(`{ code(code: "799.9") { mapsTo { target { id } noMap approximate } } }`);
    expect(d["code"].mapsTo).toEqual([{ target: null, noMap: true, approximate: true }]);
  });

  it("lists exclusion notes both ways", async () => {
    const d = await data(
      `{ e11: code(code: "E11") { excludes { kind direction note code { id } } } e10: code(code: "E10") { excludes(kind: EXCLUDES1) { direction code { id } } } }`,
    );
    expect(d["e11"].excludes).toEqual([
      {
        kind: "EXCLUDES1",
        direction: "OUTGOING",
        note: "type 1 diabetes mellitus (E10.-)",
        code: { id: "ICD10CM:E10" },
      },
    ]);
    expect(d["e10"].excludes).toEqual([{ direction: "INCOMING", code: { id: "ICD10CM:E11" } }]);
  });
});

describe("code systems", () => {
  it("lists systems, families and how they relate", async () => {
    const d = await data(
      `{ codeSystems { id system isFamily publicDomain subsetOf { id } members { id } replaces { system { id } effective } replacedBy { system { id } } } }`,
    );
    const byId = Object.fromEntries(d["codeSystems"].map((s: any) => [s.id, s]));
    expect(byId["CPT"]).toMatchObject({
      system: "CPT",
      publicDomain: false,
      subsetOf: [{ id: "HCPCS" }],
    });
    expect(byId["HCPCS"].members).toEqual([{ id: "CPT" }]);
    expect(byId["PROCEDURE_CODES"]).toMatchObject({ isFamily: true, system: null });
    expect(byId["PROCEDURE_CODES"].members.map((m: any) => m.id)).toEqual([
      "HCPCS",
      "ICD10PCS",
      "ICD9CM",
    ]);
    expect(byId["ICD10CM"].replaces).toEqual([
      { system: { id: "ICD9CM" }, effective: "2015-10-01" },
    ]);
    expect(byId["ICD9CM"].replacedBy.map((r: any) => r.system.id)).toEqual(["ICD10CM", "ICD10PCS"]);
  });

  it("counts codes and lists releases", async () => {
    const d = await data(
      `{ codeSystem(id: "ICD10CM") { all: codeCount today: codeCount(asOf: "2026-11-25") billable: codeCount(asOf: "2026-11-25", billableOnly: true) releases { version effective } } other: codeSystem(id: "SNOMED") { id } }`,
    );
    expect(d["codeSystem"]).toEqual({
      all: 17,
      today: 16,
      billable: 9,
      releases: [
        { version: "FY2025", effective: "2024-10-01" },
        { version: "FY2026", effective: "2025-10-01" },
      ],
    });
    expect(d["other"]).toBeNull();
    const spelled = await data(
      `{ a: codeSystem(id: "icd10cm") { id } b: codeSystem(id: "ICD-10-CM") { id } }`,
    );
    expect(spelled).toEqual({ a: { id: "ICD10CM" }, b: { id: "ICD10CM" } });
  });

  it("links each code to its system", async () => {
    const d = await data(
      `{ code(code: "CPT:83036") { codeSystem { id name subsetOf { id subsetOf { id } } } } }`,
    );
    expect(d["code"].codeSystem).toMatchObject({
      id: "CPT",
      subsetOf: [{ id: "HCPCS", subsetOf: [{ id: "PROCEDURE_CODES" }] }],
    });
  });
});
