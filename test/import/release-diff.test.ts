import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { CodeKind, CodeLevel } from "../../src/domain/code-kind.js";
import { type CodeNode, type GraphRecords } from "../../src/domain/graph.js";
import { importFiles } from "../../src/import/apply-imports.js";
import { AddendaAction, parseIcd10cmAddenda } from "../support/icd10cm-addenda.js";
import {
  CodeChangeField,
  computeReleaseDiff,
  computeReleaseDiffs,
  diffCodes,
  type ReleaseDiff,
  ReversedReleasesError,
  UnknownReleaseError,
} from "../../src/import/release-diff.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { graphqlHarness } from "../support/graphql-harness.js";
import { compareWithAddenda } from "../support/addenda-comparison.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/icd10-order");

let store: MemoryStore;
let diff: ReleaseDiff;
beforeAll(async () => {
  store = new MemoryStore();
  await importFiles(store, [
    join(FIXTURES, "icd10cm_order_2025.txt"),
    join(FIXTURES, "icd10cm_order_2026.txt"),
  ]);
  diff = await computeReleaseDiff(store, {
    system: CodeSystemId.ICD10CM,
    from: "FY2025",
    to: "FY2026",
  });
});

describe("diffing two releases", () => {
  it("lists added, deleted and revised codes in code order, with their states", () => {
    expect(diff.added.map((c) => c.code)).toEqual([
      "B88.01",
      "B88.09",
      "E11.A",
      "S30.11",
      "S30.11XA",
    ]);
    expect(diff.deleted.map((c) => c.code)).toEqual(["S30.1XXA"]);
    expect(diff.revised.map((c) => [c.code, c.changes])).toEqual([
      ["B88.0", [CodeChangeField.BILLABLE]],
      ["L02.212", [CodeChangeField.TITLE, CodeChangeField.SHORT_TITLE]],
    ]);
    expect(diff.revised[0]).toMatchObject({
      before: { title: "Other acariasis", billable: true },
      after: { title: "Other acariasis", billable: false },
    });
    expect(diff.added[0]).toMatchObject({ before: null, after: { billable: true } });
    expect(diff.deleted[0]).toMatchObject({
      after: null,
      before: { title: "Contusion of abdominal wall, initial encounter" },
    });
    expect(diff.from).toMatchObject({ version: "FY2025", effective: "2024-10-01" });
  });

  it("agrees with the addenda written for the two fixture releases", async () => {
    const addenda = await parseIcd10cmAddenda(join(FIXTURES, "icd10cm_order_addenda_2026.txt"));
    expect(compareWithAddenda(diff, addenda)).toEqual({ missing: [], unexpected: [] });
    // The comparison sees a difference: drop one addition and it is missing.
    const lacking = {
      ...addenda,
      entries: addenda.entries.filter(
        (e) => !(e.action === AddendaAction.ADD && e.code === "E11A"),
      ),
    };
    expect(compareWithAddenda(diff, lacking).unexpected).toEqual([
      expect.stringMatching(/^added E11\.A \[1\] /),
    ]);
  });

  it("sees nothing between a release and itself, and refuses to diff backwards", async () => {
    const same = await computeReleaseDiff(store, {
      system: CodeSystemId.ICD10CM,
      from: "FY2026",
      to: "FY2026",
    });
    expect([same.added, same.deleted, same.revised]).toEqual([[], [], []]);
    const [back] = await computeReleaseDiffs(store, [
      { system: CodeSystemId.ICD10CM, from: "FY2026", to: "FY2025" },
    ]);
    expect(back).toBeInstanceOf(ReversedReleasesError);
    expect((back as ReversedReleasesError).message).toBe(
      "ICD10CM FY2026 (effective 2025-10-01) is newer than FY2025 (effective 2024-10-01): give the earlier release as from, the later as to",
    );
  });

  it("compares the states on two dates: what comes and goes between them drops out", () => {
    const nodes = [
      versioned("ICD10CM:A01", ["A", true, null, null]),
      versioned("ICD10CM:A02", ["B", true, "2020-01-01", null]),
      versioned("ICD10CM:A03", ["C", true, null, "2020-06-30"]),
      versioned("ICD10CM:A04", ["D", true, "2020-02-01", "2020-03-31"]),
      versioned("ICD10CM:A05", ["E", true, null, "2020-12-31"], ["E", false, "2021-01-01", null]),
      versioned("ICD10CM:A06", ["F", true, null, "2020-04-30"], ["F2", true, "2020-05-01", null]),
    ];
    const between = diffCodes(nodes, "2019-10-01", "2020-10-01");
    const all = [...between.added, ...between.deleted, ...between.revised].map(
      (c) => `${c.status} ${c.code} ${c.changes.join(",")}`,
    );
    expect(all).toEqual(["ADDED A02 ", "DELETED A03 ", "REVISED A06 TITLE"]);
  });

  it("names the releases the graph holds when asked for one it lacks", async () => {
    const [result] = await computeReleaseDiffs(store, [
      { system: CodeSystemId.ICD10CM, from: "FY2019", to: "FY2026" },
    ]);
    expect(result).toBeInstanceOf(UnknownReleaseError);
    expect((result as Error).message).toBe(
      'ICD10CM has no release "FY2019" in the graph; held: FY2025, FY2026',
    );
  });
});

describe("GraphQL releaseDiff", () => {
  let records: GraphRecords;
  beforeAll(() => {
    const g = store.current;
    records = { codes: [...g.nodes.values()], edges: [...g.edges.values()], releases: g.releases };
  });

  const QUERY = `query($system: CodeSystemId!, $from: String!, $to: String!) {
    releaseDiff(system: $system, from: $from, to: $to) {
      system from { version effective } to { version }
      counts { added deleted revised }
      added { id code status before { title } after { title shortTitle billable } changes }
      deleted { code status before { title billable } after { title } }
      revised { code status changes before { title shortTitle billable } after { title shortTitle billable } }
    }
  }`;

  it("answers with typed lists and counts", async () => {
    const api = await graphqlHarness(records);
    const { data, errors } = await api.run(QUERY, {
      system: "ICD10CM",
      from: "FY2025",
      to: "FY2026",
    });
    expect(errors).toBeUndefined();
    const result = data!["releaseDiff"] as Record<string, unknown>;
    expect(result).toMatchObject({
      system: "ICD10CM",
      from: { version: "FY2025", effective: "2024-10-01" },
      to: { version: "FY2026" },
      counts: { added: 5, deleted: 1, revised: 2 },
    });
    expect((result["added"] as unknown[])[2]).toEqual({
      id: "ICD10CM:E11.A",
      code: "E11.A",
      status: "ADDED",
      before: null,
      after: {
        title: "Type 2 diabetes mellitus without complications in remission",
        shortTitle: "Type 2 diabetes mellitus without complications in remission",
        billable: true,
      },
      changes: [],
    });
    expect(
      (result["revised"] as { code: string; changes: string[] }[]).map((r) => [r.code, r.changes]),
    ).toEqual([
      ["B88.0", ["BILLABLE"]],
      ["L02.212", ["TITLE", "SHORT_TITLE"]],
    ]);
  });

  it("refuses a release the graph does not hold as BAD_USER_INPUT, naming those it holds", async () => {
    const api = await graphqlHarness(records);
    const { data, errors } = await api.run(QUERY, {
      system: "ICD10CM",
      from: "FY2019",
      to: "FY2026",
    });
    expect(data).toBeNull();
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "UNKNOWN_RELEASE",
      version: "FY2019",
      held: ["FY2025", "FY2026"],
    });
  });

  it("refuses reversed releases (from newer than to) as BAD_USER_INPUT rather than swap additions and deletions", async () => {
    const api = await graphqlHarness(records);
    const { data, errors } = await api.run(QUERY, {
      system: "ICD10CM",
      from: "FY2026",
      to: "FY2025",
    });
    expect(data).toBeNull();
    expect(errors![0]!.message).toMatch(/FY2026 \(effective 2025-10-01\) is newer than FY2025/);
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "OUT_OF_RANGE",
      argumentName: "from",
      value: "FY2026",
    });
    await expect(
      computeReleaseDiff(store, { system: CodeSystemId.ICD10CM, from: "FY2026", to: "FY2025" }),
    ).rejects.toThrow(ReversedReleasesError);
  });

  it("reads the releases once for two diffs in one request", async () => {
    const api = await graphqlHarness(records);
    const { errors } = await api.run(`{
      a: releaseDiff(system: ICD10CM, from: "FY2025", to: "FY2026") { counts { added } }
      b: releaseDiff(system: ICD10CM, from: "FY2025", to: "FY2025") { counts { added } }
    }`);
    expect(errors).toBeUndefined();
    expect(api.calls.filter((c) => c.method === "listReleases")).toEqual([
      { method: "listReleases", keys: [CodeSystemId.ICD10CM] },
    ]);
  });
});

function versioned(
  id: string,
  ...versions: [string, boolean, string | null, string | null][]
): CodeNode {
  return {
    id,
    system: CodeSystemId.ICD10CM,
    code: id.slice(id.indexOf(":") + 1),
    kind: CodeKind.DIAGNOSIS,
    level: CodeLevel.CODE,
    versions: versions.map(([title, billable, validFrom, validTo]) => ({
      title,
      shortTitle: null,
      billable,
      validFrom,
      validTo,
    })),
    synonyms: [],
    noMapTo: [],
    attributes: {},
  };
}
