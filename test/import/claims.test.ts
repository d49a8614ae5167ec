import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PairedWithEdge } from "../../src/domain/graph.js";
import { PairingKind, Relation } from "../../src/domain/relationship.js";
import {
  claimsEncountersParser,
  claimsPairsParser,
  BELOW_MIN_SUPPORT,
  DEFAULT_MIN_SUPPORT,
} from "../../src/import/formats/claims.format.js";
import { FormatId, type FormatParser, type ParsedFile } from "../../src/import/records.js";
import { SourceFileError } from "../../src/import/source-file-error.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { parserFor } from "../../src/import/formats/index.js";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/import/claims");
const fixture = (name: string) => join(FIXTURES, name);

/** The edges' numbers keyed `from → to`. */
function stats(parsed: ParsedFile): Map<string, PairedWithEdge> {
  return new Map(parsed.edges.map((e) => [`${e.from} → ${e.to}`, e as PairedWithEdge]));
}

async function failure(parser: FormatParser, name: string): Promise<SourceFileError> {
  try {
    await parser.parse(fixture(name), {});
  } catch (error) {
    if (error instanceof SourceFileError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

// ── A synthetic claims extract ───────────────────────────────────────────────────────

/** mulberry32: a small seeded generator, so the extract is the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A code as written in the file (system, code) and the node id the parser must give it. */
interface Planted {
  readonly system: string;
  readonly code: string;
  readonly id: string;
}

const VISIT: Planted = { system: "CPT", code: "99213", id: "CPT:99213" };
const DIABETES: Planted = { system: "ICD-10-CM", code: "e11.9", id: "ICD10CM:E11.9" };
const STRIPS: Planted = { system: "HCPCS", code: "A4253", id: "HCPCS:A4253" };
const ICD9_DIABETES: Planted = { system: "ICD9CM-DX", code: "25000", id: "ICD9CM:250.00" };
const RARE_VISIT: Planted = { system: "cpt", code: "99214", id: "CPT:99214" };
const INSULIN: Planted = { system: "ICD10CM", code: "Z79.4", id: "ICD10CM:Z79.4" };
/** Noise never uses a planted code, so the planted counts are known exactly. */
const NOISE_PROCEDURES: readonly Planted[] = [
  { system: "HCPCS", code: "G0008", id: "HCPCS:G0008" },
  { system: "ICD10PCS", code: "0016070", id: "ICD10PCS:0016070" },
  { system: "ICD9CM", code: "36.10", id: "ICD9CM:36.10" },
  { system: "ICD9CM-PX", code: "8701", id: "ICD9CM:87.01" },
];
const NOISE_DIAGNOSES: readonly Planted[] = [
  { system: "ICD10CM", code: "I10", id: "ICD10CM:I10" },
  { system: "ICD10CM", code: "J45909", id: "ICD10CM:J45.909" },
  { system: "ICD10CM", code: "N18.3", id: "ICD10CM:N18.3" },
  { system: "ICD9", code: "401.9", id: "ICD9CM:401.9" },
];
const ENCOUNTERS = 1_000;

/**
 * Encounters 1-300 carry the visit and diabetes, 301-400 the visit alone, 401-500
 * diabetes alone; 501-510 test strips with ICD-9-CM diabetes; 511-514 the rare visit with
 * insulin use. Every encounter also gets one to three noise codes (so all 1,000 are in the file), some listed twice, and
 * the rows are shuffled: the file is neither sorted nor grouped.
 */
function syntheticExtract(seed: number): {
  rows: [string, Planted][];
  byEncounter: Map<string, Set<string>>;
} {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const rows: [string, Planted][] = [];
  for (let n = 1; n <= ENCOUNTERS; n++) {
    const id = `enc-${n}`;
    const planted: Planted[] = [];
    if (n <= 400) planted.push(VISIT);
    if (n <= 300 || (n > 400 && n <= 500)) planted.push(DIABETES);
    if (n > 500 && n <= 510) planted.push(STRIPS, ICD9_DIABETES);
    if (n > 510 && n <= 514) planted.push(RARE_VISIT, INSULIN);
    const noise = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      random() < 0.5 ? pick(NOISE_PROCEDURES) : pick(NOISE_DIAGNOSES),
    );
    for (const code of [...planted, ...noise]) {
      rows.push([id, code]);
      if (random() < 0.1) rows.push([id, code]);
    }
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const byEncounter = new Map<string, Set<string>>();
  for (const [enc, code] of rows) {
    if (!byEncounter.has(enc)) byEncounter.set(enc, new Set());
    byEncounter.get(enc)!.add(code.id);
  }
  return { rows, byEncounter };
}

const isProcedure = (id: string) =>
  [...NOISE_PROCEDURES, VISIT, STRIPS, RARE_VISIT].some((p) => p.id === id);

/** The statistics by brute force over whole encounters: the definition, independent of the parser. */
function bruteForce(byEncounter: Map<string, Set<string>>, minSupport: number) {
  const out = new Map<
    string,
    { support: number; confidence: number; reverseConfidence: number; lift: number }
  >();
  const encounters = [...byEncounter.values()];
  const with_ = (id: string) => encounters.filter((e) => e.has(id)).length;
  const ids = [...new Set(encounters.flatMap((e) => [...e]))];
  for (const p of ids.filter(isProcedure)) {
    for (const d of ids.filter((id) => !isProcedure(id))) {
      const support = encounters.filter((e) => e.has(p) && e.has(d)).length;
      if (support < minSupport) continue;
      const [np, nd] = [with_(p), with_(d)];
      out.set(`${p} → ${d}`, {
        support,
        confidence: support / np,
        reverseConfidence: support / nd,
        lift: (support * encounters.length) / (np * nd),
      });
    }
  }
  return out;
}

describe("claims encounters: a synthetic extract generated in a temp dir", () => {
  let dir: string;
  let path: string;
  let extract: ReturnType<typeof syntheticExtract>;
  let parsed: ParsedFile;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "codegraph-claims-"));
    path = join(dir, "extract.csv");
    extract = syntheticExtract(20_240_501);
    const lines = extract.rows.map(([enc, code]) => `${enc},${code.system},${code.code}`);
    writeFileSync(path, `encounter_id,system,code\n${lines.join("\n")}\n`);
    parsed = await claimsEncountersParser.parse(path, {});
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads every row, and counts each encounter once", () => {
    expect(parsed).toMatchObject({ format: FormatId.CLAIMS_ENCOUNTERS, snapshot: null, codes: [] });
    expect(parsed.rows).toBe(extract.rows.length);
    expect(extract.byEncounter.size).toBe(ENCOUNTERS);
  });

  it("gives the planted pair its exact numbers: 300 of 400 visits, 300 of 400 diabetes, 1,000 encounters", () => {
    expect(stats(parsed).get("CPT:99213 → ICD10CM:E11.9")).toEqual({
      relation: Relation.PAIRED_WITH,
      kind: PairingKind.OBSERVED,
      from: "CPT:99213",
      to: "ICD10CM:E11.9",
      support: 300,
      confidence: 0.75,
      reverseConfidence: 0.75,
      lift: (300 * 1_000) / (400 * 400),
      score: 0.75,
      note: null,
      source: expect.stringMatching(/^claims: extract\.csv \d{4}-\d{2}-\d{2}$/),
      validFrom: null,
      validTo: null,
      line: expect.any(Number),
    });
    expect(stats(parsed).get("HCPCS:A4253 → ICD9CM:250.00")).toMatchObject({
      support: 10,
      confidence: 1,
      reverseConfidence: 1,
      lift: 100,
    });
  });

  it("leaves out pairs under the minimum support (default 5), keeps them when it is lowered", async () => {
    expect(DEFAULT_MIN_SUPPORT).toBe(5);
    expect(stats(parsed).has("CPT:99214 → ICD10CM:Z79.4")).toBe(false);
    const lowered = await claimsEncountersParser.parse(path, { minSupport: 4 });
    expect(stats(lowered).get("CPT:99214 → ICD10CM:Z79.4")).toMatchObject({
      support: 4,
      confidence: 1,
      lift: 250,
    });
    expect(parsed.edges.every((e) => (e as PairedWithEdge).support! >= 5)).toBe(true);
  });

  it("counts the pairs it leaves out under the minimum support, so none goes unreported", () => {
    const all = bruteForce(extract.byEncounter, 1).size;
    const kept = bruteForce(extract.byEncounter, 5).size;
    expect(all - kept).toBeGreaterThan(0);
    const below = parsed.unresolved.find((u) => u.reason === BELOW_MIN_SUPPORT)!;
    expect(below.count).toBe(all - kept);
    expect(below.examples[0]).toMatch(/^\d+: \S+ → \S+ on [1-4] of at least 5$/);
  });

  it("is a snapshot of its label as of its date: --label names the family, --effective dates it", async () => {
    const dated = await claimsEncountersParser.parse(path, {
      label: "warehouse extract",
      effective: "2025-06-01",
    });
    expect(dated.scope).toMatchObject({
      family: "claims: warehouse extract",
      version: "2025-06-01",
      effective: "2025-06-01",
      relations: [Relation.PAIRED_WITH],
    });
    expect(dated.edges.every((e) => e.source === "claims: warehouse extract 2025-06-01")).toBe(
      true,
    );
    // Without a label the family is the file's name.
    expect(parsed.scope!.family).toBe("claims: extract.csv");
  });

  it("agrees with a brute-force count over whole encounters, noise included", () => {
    const expected = bruteForce(extract.byEncounter, 5);
    const got = stats(parsed);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      const edge = got.get(key)!;
      expect(edge.support).toBe(want.support);
      expect(edge.confidence).toBeCloseTo(want.confidence, 12);
      expect(edge.reverseConfidence).toBeCloseTo(want.reverseConfidence, 12);
      expect(edge.lift).toBeCloseTo(want.lift, 12);
      expect(edge.score).toBe(edge.confidence);
    }
    // The noise pairs are many, so the comparison is not vacuous.
    expect(expected.size).toBeGreaterThan(10);
  });

  it("refuses a minimum support that is not a whole number of encounters", async () => {
    await expect(claimsEncountersParser.parse(path, { minSupport: 0 })).rejects.toThrow(
      /at least 1/,
    );
  });
});

describe("claims encounters: small fixture", () => {
  it("normalises systems and codes, counts repeats once, and reads ICD-9-CM by its side", async () => {
    const parsed = await claimsEncountersParser.parse(fixture("encounters-small.csv"), {
      minSupport: 1,
    });
    expect(parsed.rows).toBe(9);
    expect(
      parsed.edges.map((e) => {
        const p = e as PairedWithEdge;
        return [p.from, p.to, p.support, p.confidence, p.reverseConfidence, p.lift];
      }),
    ).toEqual([
      ["CPT:99213", "ICD10CM:E11.9", 2, 1, 1, 2],
      ["HCPCS:A4253", "ICD9CM:361.0", 1, 1, 1, 4],
      ["ICD9CM:36.10", "ICD9CM:361.0", 1, 1, 1, 4],
    ]);
  });
});

describe("claims pairs: pre-counted", () => {
  it("without marginals, takes them from the file's own pair counts (repeated pairs added up)", async () => {
    const parsed = await claimsPairsParser.parse(fixture("pairs-sums.csv"), {
      effective: "2025-01-01",
    });
    expect(parsed.rows).toBe(5);
    const visit = stats(parsed).get("CPT:99213 → ICD10CM:E11.9")!;
    // n(99213) = 35 + 10, n(E11.9) = 35 + 20, N = 35 + 10 + 20 + 7.
    expect(visit.support).toBe(35);
    expect(visit.confidence).toBeCloseTo(35 / 45, 12);
    expect(visit.reverseConfidence).toBeCloseTo(35 / 55, 12);
    expect(visit.lift).toBeCloseTo((35 * 72) / (45 * 55), 12);
    // The column decides an undotted ICD-9-CM code's side.
    expect(stats(parsed).get("ICD9CM:36.10 → ICD9CM:361.0")).toMatchObject({
      support: 7,
      confidence: 1,
    });
    expect(stats(parsed).get("CPT:99213 → ICD10CM:I10")).toMatchObject({ support: 10 });
    expect(parsed.edges.every((e) => e.source === "claims: pairs-sums.csv 2025-01-01")).toBe(true);
  });

  it("with stated marginals and total, uses them", async () => {
    const parsed = await claimsPairsParser.parse(fixture("pairs-marginals.csv"), {});
    expect(stats(parsed).get("CPT:99213 → ICD10CM:E11.9")).toMatchObject({
      support: 30,
      confidence: 0.3,
      reverseConfidence: 0.375,
      lift: 3.75,
    });
    // No marginal stated for A4253: its own pair counts.
    expect(stats(parsed).get("HCPCS:A4253 → ICD10CM:E11.9")).toMatchObject({
      support: 20,
      confidence: 1,
      reverseConfidence: 0.25,
      lift: 12.5,
    });
  });

  it("applies the minimum support", async () => {
    const parsed = await claimsPairsParser.parse(fixture("pairs-sums.csv"), { minSupport: 11 });
    expect(parsed.edges.map((e) => `${e.from} → ${e.to}`)).toEqual([
      "CPT:99213 → ICD10CM:E11.9",
      "HCPCS:A4253 → ICD10CM:E11.9",
    ]);
  });
});

describe("claims: broken files stop with file, line and text", () => {
  const cases: [string, FormatParser, string, number, RegExp][] = [
    [
      "unknown system",
      claimsEncountersParser,
      "unknown-system.csv",
      3,
      /unknown code system "SNOMED"/,
    ],
    [
      "ambiguous ICD-9-CM",
      claimsEncountersParser,
      "ambiguous-icd9.csv",
      2,
      /could be diagnosis 361\.0 or procedure 36\.10/,
    ],
    [
      "a modifier",
      claimsEncountersParser,
      "modifier.csv",
      3,
      /"LT" is a modifier, not a procedure or diagnosis code/,
    ],
    [
      "bad code",
      claimsEncountersParser,
      "bad-code.csv",
      3,
      /"11\.9E" is not a valid ICD-10-CM code/,
    ],
    ["empty encounter", claimsEncountersParser, "empty-encounter.csv", 2, /encounter_id is empty/],
    [
      "wrong header",
      claimsEncountersParser,
      "wrong-header.csv",
      1,
      /must name the columns encounter_id,system,code/,
    ],
    [
      "bad count",
      claimsPairsParser,
      "pairs-bad-count.csv",
      2,
      /count "2\.5" must be a whole number/,
    ],
    [
      "no system prefix",
      claimsPairsParser,
      "pairs-no-prefix.csv",
      2,
      /procedure "99213" needs its system/,
    ],
    [
      "diagnosis as procedure",
      claimsPairsParser,
      "pairs-wrong-side.csv",
      2,
      /"ICD10CM:E11\.9" is not a procedure code/,
    ],
    [
      "marginal under a pair",
      claimsPairsParser,
      "pairs-marginal-too-small.csv",
      3,
      /20 encounters with CPT:99213 is fewer than the 30/,
    ],
    [
      "total under a marginal",
      claimsPairsParser,
      "pairs-total-too-small.csv",
      3,
      /10 encounters in all is fewer than the 40/,
    ],
    [
      "marginal twice",
      claimsPairsParser,
      "pairs-marginal-twice.csv",
      3,
      /encounters with CPT:99213 were already stated on line 2/,
    ],
  ];
  it.each(cases)("%s", async (_, parser, name, line, problem) => {
    const error = await failure(parser, name);
    expect(error.file).toBe(name);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.text).toBe(readFileSync(fixture(name), "utf8").split("\n")[line - 1]);
  });
});

describe("claims: sniffing by header", () => {
  it("tells the two layouts apart", () => {
    const encounters = readFileSync(fixture("encounters-small.csv"), "latin1");
    const pairs = readFileSync(fixture("pairs-sums.csv"), "latin1");
    expect([
      claimsEncountersParser.sniff(encounters, "x"),
      claimsPairsParser.sniff(encounters, "x"),
    ]).toEqual([true, false]);
    expect([claimsEncountersParser.sniff(pairs, "x"), claimsPairsParser.sniff(pairs, "x")]).toEqual(
      [false, true],
    );
    expect(claimsEncountersParser.sniff('"Encounter_ID","System","Code"\r\n', "x")).toBe(true);
  });
});

describe("claims: the registry", () => {
  it("detects both layouts from content among every registered parser", async () => {
    expect((await parserFor(fixture("encounters-small.csv"))).format).toBe(
      FormatId.CLAIMS_ENCOUNTERS,
    );
    expect((await parserFor(fixture("pairs-sums.csv"))).format).toBe(FormatId.CLAIMS_PAIRS);
  });
});
