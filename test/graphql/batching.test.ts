import { beforeAll, describe, expect, it } from "vitest";
import { CodeLevel } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type GraphRecords } from "../../src/domain/graph.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { type TraversalQuery } from "../../src/store/graph-store.js";
import { graphqlHarness } from "../support/graphql-harness.js";

let seed: GraphRecords;
let fifty: string[];
beforeAll(async () => {
  seed = await loadSeed(`${PROJECT_ROOT}/seed`);
  fifty = seed.codes
    .filter((c) => c.system === CodeSystemId.ICD10CM && c.level === CodeLevel.CODE)
    .slice(0, 50)
    .map((c) => c.code);
});

const WIDE = `query($codes: [String!]!) {
  codes(codes: $codes, system: ICD10CM) {
    status
    code {
      id
      parent { id }
      pairedWith(first: 5) { totalCount edges { kind node { id } } }
      replacedBy { code { id } effective }
    }
  }
}`;

describe("one store call per level", () => {
  it("answers 50 codes with parent, pairedWith and replacedBy in two calls: the codes, then all their edges", async () => {
    const api = await graphqlHarness(seed);
    const { data, errors } = await api.run(WIDE, { codes: fifty });
    expect(errors).toBeUndefined();
    const answers = data!["codes"] as {
      status: string;
      code: { parent: unknown; pairedWith: { totalCount: number } };
    }[];
    expect(answers).toHaveLength(50);
    expect(answers.every((a) => a.code.parent !== null)).toBe(true);
    expect(answers.some((a) => a.code.pairedWith.totalCount > 0)).toBe(true);

    expect(api.calls.map((c) => [c.method, c.keys.length])).toEqual([
      ["getCodes", 50],
      ["traverse", 150],
    ]);
    const walks = api.calls[1]!.keys as TraversalQuery[];
    const byField = (relation: string, direction: string) =>
      walks.filter(
        (q) => q.mode === "neighbors" && q.relation === relation && q.direction === direction,
      ).length;
    expect([
      byField("SUBSET_OF", "OUT"),
      byField("PAIRED_WITH", "BOTH"),
      byField("REPLACES", "IN"),
    ]).toEqual([50, 50, 50]);
  });

  it("adds one call per further level, however wide", async () => {
    const api = await graphqlHarness(seed);
    const { errors } = await api.run(
      `query($codes: [String!]!) { codes(codes: $codes, system: ICD10CM) { code {
        parent { parent { id title } }
        pairedWith(first: 5) { edges { node { parent { id } ancestors { id } } } }
      } } }`,
      { codes: fifty },
    );
    expect(errors).toBeUndefined();
    expect(api.calls.map((c) => c.method)).toEqual(["getCodes", "traverse", "traverse"]);
  });

  it("asks the store once for repeated keys within a request, and again in the next request", async () => {
    const api = await graphqlHarness(seed);
    const twice = [...fifty.slice(0, 5), ...fifty.slice(0, 5)];
    await api.run(WIDE, { codes: twice });
    expect(api.calls.map((c) => [c.method, c.keys.length])).toEqual([
      ["getCodes", 5],
      ["traverse", 15],
    ]);
    await api.run(WIDE, { codes: twice });
    expect(api.calls.map((c) => c.method)).toEqual([
      "getCodes",
      "traverse",
      "getCodes",
      "traverse",
    ]);
  });

  it("batches search results' fields the same way", async () => {
    const api = await graphqlHarness(seed);
    const { errors } = await api.run(
      `{ search(text: "diabetes", first: 50) { totalCount nodes { parent { id } replacedBy { effective } } } }`,
    );
    expect(errors).toBeUndefined();
    expect(api.calls.map((c) => c.method)).toEqual(["search", "traverse"]);
  });
});
