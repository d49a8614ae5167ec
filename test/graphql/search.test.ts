import { beforeAll, describe, expect, it } from "vitest";
import { GRAPHQL_GRAPH } from "../fixtures/graphql-graph.js";
import { withSearchWordCodes } from "../fixtures/search-words.js";
import { graphqlHarness, type Harness } from "../support/graphql-harness.js";

let api: Harness;
/** The same graph with codes searched by possessives and letter-only modifiers. */
let typed: Harness;
beforeAll(async () => {
  api = await graphqlHarness(GRAPHQL_GRAPH);
  typed = await graphqlHarness(withSearchWordCodes(GRAPHQL_GRAPH));
});

const query = `query($t: String!, $s: [CodeSystemId!], $b: Boolean, $i: Boolean, $d: Date, $first: Int, $after: String) {
  search(text: $t, systems: $s, billableOnly: $b, includeInactive: $i, asOf: $d, first: $first, after: $after) {
    totalCount
    edges { cursor node { id } search { score matchedOn matchedText } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function search(variables: Record<string, unknown>, on: Harness = api) {
  const { data, errors } = await on.run(query, variables);
  expect(errors).toBeUndefined();
  return data!["search"] as {
    totalCount: number;
    edges: {
      cursor: string;
      node: { id: string };
      search: { score: number; matchedOn: string; matchedText: string | null };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe("search", () => {
  it("ranks the exact code, then codes it begins", async () => {
    const result = await search({ t: "e11.6" });
    expect(result.edges.map((e) => [e.node.id, e.search.matchedOn])).toEqual([
      ["ICD10CM:E11.6", "CODE"],
      ["ICD10CM:E11.65", "CODE_PREFIX"],
    ]);
    expect(result.edges[0]!.search.score).toBeGreaterThan(result.edges[1]!.search.score);
  });

  it("finds words in titles and synonyms, saying which matched", async () => {
    const words = await search({ t: "hyperglycemia" });
    expect(words.edges.map((e) => [e.node.id, e.search.matchedOn, e.search.matchedText])).toEqual([
      ["ICD10CM:E11.65", "TITLE", "Type 2 diabetes mellitus with hyperglycemia"],
    ]);
    const synonym = await search({ t: "insulin secretory" });
    expect(synonym.edges[0]).toMatchObject({
      node: { id: "ICD10CM:E11" },
      search: { matchedOn: "SYNONYM" },
    });
  });

  it("filters by system and billable, and leaves out inactive codes unless asked", async () => {
    const strips = await search({ t: "glucose", s: ["HCPCS"] });
    expect(strips.edges.map((e) => e.node.id)).toEqual(["HCPCS:A4253"]);
    const active = await search({ t: "diabetes mellitus without", s: ["ICD9CM"] });
    expect(active.totalCount).toBe(0);
    const inactive = await search({ t: "diabetes mellitus without", s: ["ICD9CM"], i: true });
    expect(inactive.edges.map((e) => e.node.id).sort()).toEqual(["ICD9CM:250.00", "ICD9CM:250.02"]);
    const past = await search({ t: "diabetes mellitus without", s: ["ICD9CM"], d: "2015-01-01" });
    expect(past.totalCount).toBe(2);
    const billable = await search({ t: "type 2 diabetes", b: true, first: 100 });
    expect(billable.edges.map((e) => e.node.id)).not.toContain("ICD10CM:E11");
  });

  it("narrows to the system a SYSTEM: prefix names", async () => {
    const icd9 = await search({ t: "ICD9CM:250", i: true });
    expect(icd9.edges.map((e) => e.node.id)).toEqual(["ICD9CM:250.00", "ICD9CM:250.02"]);
    const none = await search({ t: "ICD9CM:E11" });
    expect(none.totalCount).toBe(0);
    const cm = await search({ t: "icd-10-cm:e11.6" });
    expect(cm.edges[0]!.node.id).toBe("ICD10CM:E11.6");
  });

  it("keeps billableOnly to codes reportable on the date, includeInactive or not", async () => {
    const result = await search({ t: "E11.8", b: true, i: true, d: "2026-01-01" });
    expect(result.edges.map((e) => e.node.id)).not.toContain("ICD10CM:E11.8");
  });

  it("sends scores in hundredths", async () => {
    const result = await search({ t: "diabetes", first: 100 });
    for (const edge of result.edges)
      expect(Math.round(edge.search.score * 100) / 100).toBe(edge.search.score);
  });

  it("treats an empty systems list as no system", async () => {
    expect((await search({ t: "diabetes", s: [] })).totalCount).toBe(0);
  });

  it("pages through results with cursors", async () => {
    const first = await search({ t: "diabetes", first: 3 });
    const second = await search({ t: "diabetes", first: 3, after: first.pageInfo.endCursor });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const ids = [...first.edges, ...second.edges].map((e) => e.node.id);
    expect(new Set(ids).size).toBe(6);
    const all = await search({ t: "diabetes", first: 100 });
    expect(all.edges.map((e) => e.node.id).slice(0, 6)).toEqual(ids);
  });

  it("refuses empty and oversized text", async () => {
    for (const t of ["   ", "x".repeat(201)]) {
      const { errors } = await api.run(query, { t });
      expect(errors![0]!.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        reason: "OUT_OF_RANGE",
        argumentName: "text",
      });
    }
  });
});

describe("search as people type", () => {
  const top = async (t: string, more: Record<string, unknown> = {}) =>
    (await search({ t, ...more }, typed)).edges.map((e) => [
      e.node.id,
      e.search.matchedOn,
      e.search.score,
    ]);

  it("finds a possessive however it is spelled, as a whole word, with the same score", async () => {
    for (const spellings of [
      ["alzheimers", "alzheimer", "alzheimer's", "Alzheimer’s", "ALZHEIMERS"],
      ["alzheimers disease", "alzheimer disease", "alzheimer's disease", "Alzheimer’s disease"],
    ]) {
      const pages = await Promise.all(spellings.map((t) => top(t)));
      for (const [i, page] of pages.entries()) {
        expect(
          page.map(([id]) => id),
          spellings[i],
        ).toEqual(["ICD10CM:G30", "ICD10CM:G30.9"]);
        expect(page, spellings[i]).toEqual(pages[0]);
        expect(page[0]![1]).toBe("TITLE");
      }
    }
    // A non-last word is whole-word only, so "alzheimers" there must be an indexed word.
    expect((await top("alzheimers dis")).map(([id]) => id)).toEqual([
      "ICD10CM:G30",
      "ICD10CM:G30.9",
    ]);
    expect((await top("crohns")).map(([id]) => id)).toEqual(["ICD10CM:K50"]);
    expect((await top("crohn's disease regional")).map(([id]) => id)).toEqual(["ICD10CM:K50"]);
  });

  it("finds an eponym ICD-10-CM writes without the possessive people type", async () => {
    for (const t of ["downs syndrome", "down's syndrome", "down syndrome", "downs"]) {
      expect(
        (await top(t)).map(([id]) => id),
        t,
      ).toEqual(["ICD10CM:Q90", "ICD10CM:Q90.9"]);
    }
    // The spelling as typed ranks above the other one.
    const all = await top("downs syndrome", { i: true });
    expect(all.map(([id]) => id)).toEqual(["ICD9CM:758.0", "ICD10CM:Q90", "ICD10CM:Q90.9"]);
    expect(all[0]![2]).toBeGreaterThan(all[1]![2] as number);
  });

  it("finds letter-only codes, the HCPCS modifiers, by their code first", async () => {
    for (const t of ["LT", "lt", " Lt ", "HCPCS:lt"]) {
      expect((await top(t))[0]!.slice(0, 2), t).toEqual(["HCPCS:LT", "CODE"]);
    }
    expect(await top("KX")).toEqual([["HCPCS:KX", "CODE", 1000]]);
    // Letters only name that code, never every code they begin: BP is the modifier and the
    // ICD-10-PCS body system, not the body system's tables and codes.
    expect((await top("bp")).map(([id, on]) => [id, on])).toEqual([
      ["HCPCS:BP", "CODE"],
      ["ICD10PCS:BP", "CODE"],
    ]);
    expect((await top("bp0"))[1]).toEqual(["ICD10PCS:BP00ZZZ", "CODE_PREFIX", 496]);
  });

  it("reads a stop word that is also a modifier as the modifier alone: no title floods in", async () => {
    // AS's short title "Assistant at surgery service" holds "at": stop words find no titles.
    expect(await top("at")).toEqual([["HCPCS:AT", "CODE", 1000]]);
    expect(await top("AS")).toEqual([["HCPCS:AS", "CODE", 1000]]);
    expect(await top("of the")).toEqual([]);
  });

  it("finds a block or chapter by its range", async () => {
    for (const t of ["E08-E13", "e08-e13", "ICD10CM:E08-E13"]) {
      expect((await top(t))[0], t).toEqual(["ICD10CM:E08-E13", "CODE", 1000]);
    }
    expect((await top("E00-E89"))[0]).toEqual(["ICD10CM:E00-E89", "CODE", 1000]);
  });

  it("reads one code typed with stray spaces as that code, as code() does", async () => {
    for (const t of ["E11 .9", "e11 9", " E 11.9 ", "ICD10CM: E11 .9"]) {
      expect((await top(t))[0], t).toEqual(["ICD10CM:E11.9", "CODE", 1000]);
    }
    expect(await top("e11 .6")).toEqual(await top("e11.6"));
    expect((await top("E08 - E13"))[0]).toEqual(["ICD10CM:E08-E13", "CODE", 1000]);
    // Two characters with a space are words: "a 4" is not every HCPCS A4 code.
    expect(await top("a 4")).toEqual([]);
  });
});
