import { beforeAll, describe, expect, it } from "vitest";
import { type GraphRecords } from "../../src/domain/graph.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { GRAPHQL_GRAPH } from "../fixtures/graphql-graph.js";
import { graphqlHarness, type Harness } from "../support/graphql-harness.js";

let api: Harness;
beforeAll(async () => {
  api = await graphqlHarness(GRAPHQL_GRAPH);
});

describe("code", () => {
  it("finds a code however it is typed, with the system detected", async () => {
    for (const typed of ["E11.9", "e119", " E11.9", "ICD10CM:E11.9", "icd-10-cm:e119"]) {
      const { data, errors } = await api.run(
        `query($c: String!) { code(code: $c) { id code system title status billable level kind } }`,
        { c: typed },
      );
      expect(errors, typed).toBeUndefined();
      expect(data?.["code"], typed).toEqual({
        id: "ICD10CM:E11.9",
        code: "E11.9",
        system: "ICD10CM",
        title: "Type 2 diabetes mellitus without complications",
        status: "VALID",
        billable: true,
        level: "CODE",
        kind: "DIAGNOSIS",
      });
    }
  });

  it("answers null for a well-formed code the graph does not hold", async () => {
    const { data, errors } = await api.run(`{ code(code: "E11.0") { id } }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ code: null });
  });

  it("refuses what cannot be a code with BAD_USER_INPUT naming the value and the expected form", async () => {
    const { data, errors } = await api.run(`{ code(code: "E1.19", system: ICD10CM) { id } }`);
    expect(data).toEqual({ code: null });
    expect(errors).toHaveLength(1);
    expect(errors![0]!.message).toContain('"E1.19"');
    expect(errors![0]!.message).toMatch(/dot follows the third character/);
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "INVALID_CODE",
      argumentName: "code",
      value: "E1.19",
    });
    expect(errors![0]!.extensions!["expected"]).toMatch(/E11\.9/);
  });

  it("refuses a code of the wrong system", async () => {
    const { errors } = await api.run(`{ code(code: "ICD9CM:250.00", system: ICD10CM) { id } }`);
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "SYSTEM_MISMATCH",
    });
    const { errors: wrongShape } = await api.run(`{ code(code: "99213", system: HCPCS) { id } }`);
    expect(wrongShape![0]!.message).toMatch(/CPT \(Level I\)/);
  });

  it("says when a code is ambiguous between systems' readings the graph holds", async () => {
    const { errors } = await api.run(`{ code(code: "3610") { id } }`);
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "AMBIGUOUS_CODE",
      candidates: ["ICD9CM:361.0", "ICD9CM:36.10"],
    });
    const { data } = await api.run(`{ code(code: "36.10") { id kind } }`);
    expect(data).toEqual({ code: { id: "ICD9CM:36.10", kind: "PROCEDURE" } });
  });

  it("picks the reading valid on the date when several are held", async () => {
    const today = await api.run(`{ code(code: "E030") { id } }`);
    const before = await api.run(`{ code(code: "E030", asOf: "2014-06-01") { id } }`);
    expect(today.data).toEqual({ code: { id: "ICD10CM:E03.0" } });
    expect(before.data).toEqual({ code: { id: "ICD9CM:E030" } });
    const { data } = await api.run(
      `{ codes(codes: ["E030", "3610"]) { status code { id } candidates } }`,
    );
    expect(data).toEqual({
      codes: [
        { status: "VALID", code: { id: "ICD10CM:E03.0" }, candidates: [] },
        { status: "AMBIGUOUS", code: null, candidates: ["ICD9CM:361.0", "ICD9CM:36.10"] },
      ],
    });
  });

  it("picks the only reading the graph holds", async () => {
    // A4253 also reads as ICD-10-CM A42.53, which the graph does not hold.
    const { data } = await api.run(
      `{ code(code: "a4253") { id system kind attributes { name value } } }`,
    );
    expect(data).toEqual({
      code: {
        id: "HCPCS:A4253",
        system: "HCPCS",
        kind: "SUPPLY_OR_SERVICE",
        attributes: [
          { name: "actionCode", value: "N" },
          { name: "betos", value: "D1A" },
        ],
      },
    });
  });
});

describe("asOf", () => {
  const query = `query($c: String!, $d: Date) { code(code: $c, asOf: $d) { id title status billable asOf validFrom validTo } }`;

  it("defaults to today", async () => {
    const { data } = await api.run(query, { c: "Z79.4" });
    expect(data?.["code"]).toMatchObject({ asOf: "2026-11-25", status: "VALID" });
  });

  it("shows the title in force on the date: revised titles keep their history", async () => {
    const before = await api.run(query, { c: "Z79.4", d: "2020-01-01" });
    const after = await api.run(query, { c: "Z79.4", d: "2025-01-01" });
    expect(before.data?.["code"]).toMatchObject({
      title: "Long term (current) use of insulin",
      validFrom: "2015-10-01",
      validTo: null,
    });
    expect(after.data?.["code"]).toMatchObject({
      title: "Long term (current) use of insulin and injectable non-insulin antidiabetic drugs",
    });
    const { data } = await api.run(
      `{ code(code: "Z79.4") { versions { title validFrom validTo billable } } }`,
    );
    expect(data?.["code"]).toEqual({
      versions: [
        {
          title: "Long term (current) use of insulin",
          validFrom: "2015-10-01",
          validTo: "2024-09-30",
          billable: true,
        },
        {
          title: "Long term (current) use of insulin and injectable non-insulin antidiabetic drugs",
          validFrom: "2024-10-01",
          validTo: null,
          billable: true,
        },
      ],
    });
  });

  it("tells a code that turned into a header", async () => {
    const fy25 = await api.run(query, { c: "E11.8", d: "2025-09-30" });
    const fy26 = await api.run(query, { c: "E11.8", d: "2025-10-01" });
    expect(fy25.data?.["code"]).toMatchObject({ status: "VALID", billable: true });
    expect(fy26.data?.["code"]).toMatchObject({ status: "HEADER", billable: false });
  });

  it("tells deleted and not-yet-valid codes", async () => {
    const deleted = await api.run(query, { c: "E72.53" });
    const future = await api.run(query, { c: "E11.A", d: "2025-01-01" });
    expect(deleted.data?.["code"]).toMatchObject({
      status: "DELETED",
      billable: false,
      validTo: "2025-09-30",
    });
    expect(future.data?.["code"]).toMatchObject({
      status: "NOT_YET_VALID",
      billable: false,
      validFrom: "2025-10-01",
    });
  });

  it("never counts a code valid before its system was in use, even with an unknown start", async () => {
    const unknownStart: GraphRecords = {
      ...GRAPHQL_GRAPH,
      codes: GRAPHQL_GRAPH.codes.map((c) =>
        c.id === "ICD10CM:E11.9" ? { ...c, versions: [{ ...c.versions[0]!, validFrom: null }] } : c,
      ),
    };
    const other = await graphqlHarness(unknownStart);
    const at = (d: string) => other.run(query, { c: "E11.9", d });
    expect((await at("2012-06-01")).data?.["code"]).toMatchObject({
      status: "NOT_YET_VALID",
      validFrom: null,
    });
    expect((await at("2015-10-01")).data?.["code"]).toMatchObject({ status: "VALID" });
    const search = await other.run(`{ search(text: "E11.9", asOf: "2012-06-01") { totalCount } }`);
    expect(search.data).toEqual({ search: { totalCount: 0 } });
  });

  it("refuses a malformed date", async () => {
    const { errors } = await api.run(`{ code(code: "E11.9", asOf: "2025-02-30") { id } }`);
    expect(errors![0]!.extensions!["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(errors![0]!.message).toMatch(/2025-02-30/);
  });
});

describe("codes", () => {
  const query = `query($codes: [String!]!, $d: Date, $s: CodeSystemId) {
    codes(codes: $codes, asOf: $d, system: $s) { input status message candidates code { id } replacedBy { code { id } effective source } }
  }`;

  it("answers each input in order with its status", async () => {
    const { data, errors } = await api.run(query, {
      codes: ["e119", "E11", "E72.53", "E11.A", "E11.0", "E1.19", "3610", "HCPCS:LT", "E11.9"],
      d: "2026-01-01",
    });
    expect(errors).toBeUndefined();
    const answers = data!["codes"] as {
      input: string;
      status: string;
      code: { id: string } | null;
      candidates: string[];
    }[];
    expect(answers.map((a) => [a.input, a.status, a.code?.id ?? null])).toEqual([
      ["e119", "VALID", "ICD10CM:E11.9"],
      ["E11", "HEADER", "ICD10CM:E11"],
      ["E72.53", "DELETED", "ICD10CM:E72.53"],
      ["E11.A", "VALID", "ICD10CM:E11.A"],
      ["E11.0", "UNKNOWN", null],
      ["E1.19", "INVALID", null],
      ["3610", "AMBIGUOUS", null],
      ["HCPCS:LT", "VALID", "HCPCS:LT"],
      ["E11.9", "VALID", "ICD10CM:E11.9"],
    ]);
    expect(answers[6]!.candidates).toEqual(["ICD9CM:361.0", "ICD9CM:36.10"]);
  });

  it("gives the replacement of a deleted code, and a message for everything not VALID", async () => {
    const { data } = await api.run(query, { codes: ["E72.53", "E11", "E1.19", "E11.9"] });
    const [deleted, header, invalid, valid] = data!["codes"] as {
      message: string | null;
      replacedBy: unknown[];
    }[];
    expect(deleted!.replacedBy).toEqual([
      { code: { id: "ICD10CM:E72.539" }, effective: "2025-10-01", source: "conversion FY2026" },
    ]);
    expect(deleted!.message).toMatch(/not valid on 2026-11-25: valid until 2025-09-30/);
    expect(header!.message).toMatch(/header/);
    expect(invalid!.message).toMatch(/dot follows the third character/);
    // The fixture's newest ICD-10-CM release is FY2026; the tests' today is in FY2027.
    expect(valid!.message).toBe(
      "the newest ICD10CM release imported (FY2026) covers through 2026-09-30: a later release may have changed this code on 2026-11-25",
    );
  });

  it("answers a code with a modifier appended as what it is", async () => {
    const { data } = await api.run(`{ codes(codes: ["A4253 LT", "99213-25"]) { status message } }`);
    expect(data!["codes"]).toEqual([
      {
        // Also ICD-10-CM A42.53LT, which the graph does not hold.
        status: "UNKNOWN",
        message: expect.stringContaining(
          "is well-formed but not in the graph; if it is a code with modifiers, ask for A4253 and LT separately",
        ),
      },
      {
        status: "INVALID",
        message: expect.stringContaining(
          '"99213-25" is a code with a modifier appended: ask for 99213 and 25 separately',
        ),
      },
    ]);
  });

  it("says when the newest release imported does not cover the date: the answer may be out of date", async () => {
    const covered = `query($codes: [String!]!, $asOf: Date) {
      codes(codes: $codes, asOf: $asOf) { input status message coveredByRelease }
      codeSystems { id coveredThrough }
    }`;
    const inFy2026 = await api.run(covered, { codes: ["E11.9", "E11.0"], asOf: "2026-06-01" });
    expect(inFy2026.data!["codes"]).toEqual([
      { input: "E11.9", status: "VALID", message: null, coveredByRelease: true },
      {
        input: "E11.0",
        status: "UNKNOWN",
        message: "ICD10CM:E11.0 is well-formed but not in the graph",
        coveredByRelease: true,
      },
    ]);
    const today = await api.run(covered, { codes: ["E11.9", "E11.0", "E1.19", "250.00", "3610"] });
    const answers = today.data!["codes"] as { message: string; coveredByRelease: boolean }[];
    expect(answers.map((a) => a.coveredByRelease)).toEqual([false, false, null, true, null]);
    // An unknown code may be one a later release added.
    expect(answers[1]!.message).toBe(
      "ICD10CM:E11.0 is well-formed but not in the graph; the newest ICD10CM release imported (FY2026) covers through 2026-09-30: a later release may have changed this code on 2026-11-25",
    );
    // ICD-9-CM is frozen: nothing later can change it.
    expect(answers[3]!.message).toMatch(/^ICD9CM:250.00 is not valid on 2026-11-25: ICD9CM ended/);
    expect(today.data!["codeSystems"]).toEqual(
      expect.arrayContaining([
        { id: "ICD10CM", coveredThrough: "2026-09-30" },
        { id: "ICD9CM", coveredThrough: null },
        { id: "PROCEDURE_CODES", coveredThrough: null },
      ]),
    );
  });

  it("applies the system to every input", async () => {
    const { data } = await api.run(query, { codes: ["3610", "250.00"], s: "ICD9CM" });
    expect((data!["codes"] as { status: string }[]).map((a) => a.status)).toEqual([
      "AMBIGUOUS",
      "DELETED",
    ]);
  });

  it("refuses a batch over the limit, naming the limit", async () => {
    const small = await graphqlHarness(GRAPHQL_GRAPH, { limits: { maxBatchSize: 3 } });
    const { errors } = await small.run(query, { codes: ["E11.9", "E11", "E10", "E11.65"] });
    expect(errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "BATCH_TOO_LARGE",
      max: 3,
    });
  });
});

describe("subsumes", () => {
  const query = `query($a: String!, $b: String!) { subsumes(a: $a, b: $b) }`;

  it.each([
    ["E11", "E11.65", "SUBSUMES"],
    ["E11.65", "E11", "SUBSUMED_BY"],
    ["E08-E13", "E11.9", "SUBSUMES"],
    ["E00-E89", "E11.65", "SUBSUMES"],
    ["E11.9", "e119", "EQUIVALENT"],
    ["E10", "E11.9", "NOT_SUBSUMED"],
    ["E11.9", "ICD9CM:250.00", "NOT_SUBSUMED"],
  ])("%s vs %s → %s", async (a, b, outcome) => {
    const { data, errors } = await api.run(query, { a, b });
    expect(errors).toBeUndefined();
    expect(data).toEqual({ subsumes: outcome });
  });

  it("answers on the date asked: a code not valid yet then is in no hierarchy", async () => {
    const before = await api.run(`{ subsumes(a: "E11", b: "E11.A", asOf: "2025-01-01") }`);
    const after = await api.run(`{ subsumes(a: "E11", b: "E11.A", asOf: "2025-10-01") }`);
    const deleted = await api.run(`{ subsumes(a: "E72.53", b: "E72.53") }`);
    expect([before.data, after.data]).toEqual([
      { subsumes: "NOT_SUBSUMED" },
      { subsumes: "SUBSUMES" },
    ]);
    expect(deleted.data).toEqual({ subsumes: "EQUIVALENT" });
  });

  it("answers retired codes in the hierarchy of the last day both were valid", async () => {
    const seed = await graphqlHarness(await loadSeed(`${PROJECT_ROOT}/seed`));
    const run = async (q: string) => (await seed.run(q)).data;
    // ICD-9-CM ended on 2015-09-30: asked about today, its hierarchy as it last stood.
    expect(await run(`{ subsumes(a: "ICD9CM:250", b: "ICD9CM:250.00") }`)).toEqual({
      subsumes: "SUBSUMES",
    });
    expect(
      await run(`{ subsumes(a: "ICD9CM:250.00", b: "ICD9CM:249", asOf: "2010-01-01") }`),
    ).toEqual({ subsumes: "NOT_SUBSUMED" });
    // Never valid together: a retired ICD-9-CM category and an ICD-10-CM code.
    expect(await run(`{ subsumes(a: "ICD9CM:250", b: "ICD10CM:E11.9") }`)).toEqual({
      subsumes: "NOT_SUBSUMED",
    });
    // A retired code's message sends to its crosswalks, not to successions it has none of.
    const d = await run(`{ codes(codes: ["250.00"]) { status message } }`);
    expect(d!["codes"]).toEqual([
      {
        status: "DELETED",
        message: expect.stringContaining("ICD9CM ended on 2015-09-30; see code.mapsTo"),
      },
    ]);
  });

  it("walks the whole chain whatever the walk-depth setting", async () => {
    const shallow = await graphqlHarness(GRAPHQL_GRAPH, { limits: { maxTraversalDepth: 1 } });
    const { data } = await shallow.run(`{ subsumes(a: "E00-E89", b: "E11.65") }`);
    expect(data).toEqual({ subsumes: "SUBSUMES" });
  });

  it("uses the hierarchy of the date asked", async () => {
    const { data } = await api.run(`{ subsumes(a: "E11.8", b: "E11.81", asOf: "2026-01-01") }`);
    expect(data).toEqual({ subsumes: "SUBSUMES" });
  });

  it("answers CODE_NOT_FOUND for a code the graph does not hold", async () => {
    const { errors } = await api.run(query, { a: "E11", b: "E11.0" });
    expect(errors![0]!.extensions).toMatchObject({ code: "CODE_NOT_FOUND", value: "E11.0" });
  });
});
