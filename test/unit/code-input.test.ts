import { describe, expect, it } from "vitest";
import { CodeShape, grammarOf } from "../../src/domain/code-grammar.js";
import {
  CodeInputError,
  CodeInputProblem,
  readCodeInput,
  splitCodeId,
} from "../../src/domain/code-input.js";
import { CodeKind } from "../../src/domain/code-kind.js";
import { CodeSystemId } from "../../src/domain/code-system.js";

const ids = (raw: string, system?: CodeSystemId) => readCodeInput(raw, system).map((r) => r.id);

function refusal(raw: string, system?: CodeSystemId): CodeInputError {
  try {
    readCodeInput(raw, system);
  } catch (error) {
    if (error instanceof CodeInputError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

describe("normalisation, system given", () => {
  const cases: [CodeSystemId, string, string][] = [
    // ICD-10-CM: case, dots, spaces; the dot goes after the third character.
    [CodeSystemId.ICD10CM, "e119", "ICD10CM:E11.9"],
    [CodeSystemId.ICD10CM, " E11.9 ", "ICD10CM:E11.9"],
    [CodeSystemId.ICD10CM, "E11 .9", "ICD10CM:E11.9"],
    [CodeSystemId.ICD10CM, "E11", "ICD10CM:E11"],
    [CodeSystemId.ICD10CM, "E11.", "ICD10CM:E11"],
    [CodeSystemId.ICD10CM, "s72001a", "ICD10CM:S72.001A"],
    [CodeSystemId.ICD10CM, "T36.0X1A", "ICD10CM:T36.0X1A"],
    [CodeSystemId.ICD10CM, "c4a0", "ICD10CM:C4A.0"],
    [CodeSystemId.ICD10CM, "E11A", "ICD10CM:E11.A"],
    [CodeSystemId.ICD10CM, "U071", "ICD10CM:U07.1"],
    [CodeSystemId.ICD10CM, "qa00101", "ICD10CM:QA0.0101"],
    [CodeSystemId.ICD10CM, "QA0", "ICD10CM:QA0"],
    [CodeSystemId.ICD10CM, "e08-e13", "ICD10CM:E08-E13"],
    // ICD-10-PCS: seven characters, no dots; one to three for headers.
    [CodeSystemId.ICD10PCS, "0dtj4zz", "ICD10PCS:0DTJ4ZZ"],
    [CodeSystemId.ICD10PCS, "0016070", "ICD10PCS:0016070"],
    [CodeSystemId.ICD10PCS, "0 0 1 6 0 7 0", "ICD10PCS:0016070"],
    [CodeSystemId.ICD10PCS, "0DT", "ICD10PCS:0DT"],
    [CodeSystemId.ICD10PCS, "0D", "ICD10PCS:0D"],
    [CodeSystemId.ICD10PCS, "x", "ICD10PCS:X"],
    // HCPCS Level II: letter and four digits; modifiers; section ranges.
    [CodeSystemId.HCPCS, "a4206", "HCPCS:A4206"],
    [CodeSystemId.HCPCS, "J 1815", "HCPCS:J1815"],
    [CodeSystemId.HCPCS, "lt", "HCPCS:LT"],
    [CodeSystemId.HCPCS, "E1", "HCPCS:E1"],
    [CodeSystemId.HCPCS, "a4206-a8999", "HCPCS:A4206-A8999"],
    // CPT: five digits, categories II/III, PLA, modifiers, ranges.
    [CodeSystemId.CPT, "99213", "CPT:99213"],
    [CodeSystemId.CPT, "3044f", "CPT:3044F"],
    [CodeSystemId.CPT, "0042T", "CPT:0042T"],
    [CodeSystemId.CPT, "0001u", "CPT:0001U"],
    [CodeSystemId.CPT, "25", "CPT:25"],
    [CodeSystemId.CPT, "1p", "CPT:1P"],
    [CodeSystemId.CPT, "99202-99215", "CPT:99202-99215"],
    // ICD-9-CM: the dot's place tells a diagnosis (after 3; E codes after 4) from a procedure (after 2).
    [CodeSystemId.ICD9CM, "250.00", "ICD9CM:250.00"],
    [CodeSystemId.ICD9CM, "25000", "ICD9CM:250.00"],
    [CodeSystemId.ICD9CM, "v5867", "ICD9CM:V58.67"],
    [CodeSystemId.ICD9CM, "V58.67", "ICD9CM:V58.67"],
    [CodeSystemId.ICD9CM, "e8809", "ICD9CM:E880.9"],
    [CodeSystemId.ICD9CM, "E880.9", "ICD9CM:E880.9"],
    [CodeSystemId.ICD9CM, "36.10", "ICD9CM:36.10"],
    [CodeSystemId.ICD9CM, "47.01", "ICD9CM:47.01"],
    [CodeSystemId.ICD9CM, "001-139", "ICD9CM:001-139"],
    [CodeSystemId.ICD9CM, "01-05", "ICD9CM:01-05"],
  ];

  it.each(cases)("%s %j → %s", (system, raw, id) => {
    expect(ids(raw, system)).toEqual([id]);
  });

  it("reads an undotted ICD-9-CM string both ways when it fits both", () => {
    expect(ids("3610", CodeSystemId.ICD9CM)).toEqual(["ICD9CM:361.0", "ICD9CM:36.10"]);
    expect(ids("250", CodeSystemId.ICD9CM)).toEqual(["ICD9CM:250", "ICD9CM:25.0"]);
    expect(readCodeInput("3610", CodeSystemId.ICD9CM).map((r) => r.kind)).toEqual([
      CodeKind.DIAGNOSIS,
      CodeKind.PROCEDURE,
    ]);
  });

  it("tells shapes and kinds", () => {
    expect(readCodeInput("E08-E13", CodeSystemId.ICD10CM)[0]).toMatchObject({
      shape: CodeShape.RANGE,
      kind: CodeKind.DIAGNOSIS,
    });
    expect(readCodeInput("LT", CodeSystemId.HCPCS)[0]).toMatchObject({
      shape: CodeShape.MODIFIER,
      kind: CodeKind.MODIFIER,
    });
    expect(readCodeInput("A4206", CodeSystemId.HCPCS)[0]).toMatchObject({
      kind: CodeKind.SUPPLY_OR_SERVICE,
    });
    expect(readCodeInput("36.10", CodeSystemId.ICD9CM)[0]).toMatchObject({
      kind: CodeKind.PROCEDURE,
    });
  });
});

describe("rejects, with the value and the expected form", () => {
  const rejects: [CodeSystemId, string, RegExp][] = [
    [CodeSystemId.ICD10CM, "E1.19", /dot follows the third character/],
    [CodeSystemId.ICD10CM, "119", /start with a letter/],
    [CodeSystemId.ICD10CM, "E11.12345", /at most seven characters/],
    [CodeSystemId.ICD10CM, "EEA", /not a valid ICD-10-CM code/],
    [CodeSystemId.ICD10CM, "E11-9", /not a valid ICD-10-CM code/],
    [CodeSystemId.ICD10PCS, "0DTJ4Z", /seven characters/],
    [CodeSystemId.ICD10PCS, "0DTJ4ZZZ", /seven characters/],
    [CodeSystemId.ICD10PCS, "0DTI4ZZ", /never uses the letters I and O/],
    [CodeSystemId.ICD10PCS, "0DT.J4ZZ", /no dots/],
    [CodeSystemId.ICD10PCS, "A016070", /first character names a section/],
    [CodeSystemId.HCPCS, "99213", /CPT \(Level I\)/],
    [CodeSystemId.HCPCS, "W1234", /start with A to V/],
    [CodeSystemId.HCPCS, "A420", /not a valid HCPCS Level II code/],
    [CodeSystemId.HCPCS, "A42.06", /no dots/],
    [CodeSystemId.HCPCS, "22", /not a valid HCPCS Level II code/],
    [CodeSystemId.CPT, "A4206", /HCPCS Level II code/],
    [CodeSystemId.CPT, "9921", /not a valid CPT code/],
    [CodeSystemId.CPT, "992133", /not a valid CPT code/],
    [CodeSystemId.CPT, "99.213", /no dots/],
    [CodeSystemId.ICD9CM, "2500.0", /dot follows the third character/],
    [CodeSystemId.ICD9CM, "250.000", /not a valid ICD-9-CM code/],
    [CodeSystemId.ICD9CM, "E80", /not a valid ICD-9-CM code/],
    [CodeSystemId.ICD9CM, "V5", /not a valid ICD-9-CM code/],
  ];

  it.each(rejects)("%s %j", (system, raw, message) => {
    const error = refusal(raw, system);
    expect(error.problem).toBe(CodeInputProblem.INVALID_CODE);
    expect(error.value).toBe(raw);
    expect(error.message).toContain(JSON.stringify(raw));
    expect(error.message).toMatch(message);
    expect(error.expected).toBe(grammarOf(system).expected);
  });

  it("refuses letters that only upper-case into ASCII", () => {
    for (const raw of ["ß", "ı10", "ſ72.001A", "Е11.9" /* Cyrillic Е */]) {
      expect(refusal(raw).message, raw).toMatch(/characters no code has/);
    }
  });

  it("reads letter-letter-digit categories in Q only (QA0), not PCS codes as ICD-10-CM", () => {
    expect(ids("QA0.0101")).toEqual(["ICD10CM:QA0.0101"]);
    expect(ids("BW00ZZZ")).toEqual(["ICD10PCS:BW00ZZZ"]);
    expect(refusal("AB1", CodeSystemId.ICD10CM).problem).toBe(CodeInputProblem.INVALID_CODE);
  });

  it("refuses an empty string and a very long one", () => {
    expect(refusal("").message).toMatch(/empty/);
    expect(refusal("   ", CodeSystemId.ICD10CM).message).toMatch(/empty/);
    const long = refusal("E".repeat(500));
    expect(long.message).toMatch(/too long/);
    expect(long.message.length).toBeLessThan(200);
  });

  it("says what is wrong with an ICD-9-CM code whose dot is in place", () => {
    expect(refusal("250.000", CodeSystemId.ICD9CM).message).toMatch(
      /a diagnosis has at most two digits after its dot/,
    );
    expect(refusal("E880.90", CodeSystemId.ICD9CM).message).toMatch(
      /an E code has one digit after its dot/,
    );
    expect(refusal("36.100", CodeSystemId.ICD9CM).message).toMatch(
      /a procedure has at most two digits after its dot/,
    );
    expect(refusal("2500011", CodeSystemId.ICD9CM).message).toMatch(/at most five characters/);
    expect(refusal("25.0.0", CodeSystemId.ICD9CM).message).toMatch(/the dot follows/);
  });

  it("refuses a code with modifiers appended, instead of reading it as another system's code", () => {
    for (const [raw, message] of [
      [
        "99213 25",
        /"99213 25" is a code with a modifier appended: ask for 99213 and 25 separately/,
      ],
      ["A4206-LT", /ask for A4206 and LT separately/],
      ["hcpcs:e0607 rr kx", /modifiers appended: ask for E0607 and RR, KX separately/],
    ] as const) {
      const error = refusal(raw);
      expect(error.problem, raw).toBe(CodeInputProblem.INVALID_CODE);
      expect(error.message, raw).toMatch(message);
    }
    expect(refusal("99213 25", CodeSystemId.CPT).message).toMatch(/ask for 99213 and 25/);
    // A range is not a code with a modifier; nor is a code with stray spaces, nor an
    // ICD-10 code whose last characters look like one.
    expect(ids("99202-99215")).toContain("CPT:99202-99215");
    expect(ids("E11 .9")).toEqual(["ICD10CM:E11.9"]);
    expect(ids("S0100 XA")).toContain("ICD10CM:S01.00XA");
    expect(readCodeInput("S0100 XA", CodeSystemId.ICD10CM).map((r) => r.id)).toEqual([
      "ICD10CM:S01.00XA",
    ]);
    expect(readCodeInput("02100 Z9", CodeSystemId.ICD10PCS).map((r) => r.id)).toEqual([
      "ICD10PCS:02100Z9",
    ]);
  });

  it("refuses what no system can read", () => {
    for (const raw of ["hello", "E11..9", "#$%", "A", "ZZZZZZZZZZ", "E11.9.1"]) {
      const error = refusal(raw);
      expect(error.problem, raw).toBe(CodeInputProblem.INVALID_CODE);
      expect(error.message, raw).toMatch(/not a code of any supported system/);
    }
  });
});

describe("system detection", () => {
  it("reads each system's typical code as that system only when unambiguous", () => {
    expect(ids("E11.9")).toEqual(["ICD10CM:E11.9"]);
    expect(ids("0DTJ4ZZ")).toEqual(["ICD10PCS:0DTJ4ZZ"]);
    expect(ids("250.00")).toEqual(["ICD9CM:250.00"]);
    expect(ids("36.10")).toEqual(["ICD9CM:36.10"]);
  });

  it("returns every reading of a string well-formed in several systems", () => {
    // A4206 is HCPCS, and also a well-formed ICD-10-CM string (A42.06).
    expect(ids("A4206").sort()).toEqual(["HCPCS:A4206", "ICD10CM:A42.06"]);
    // 99213 is CPT, and a well-formed ICD-9-CM diagnosis string (992.13).
    expect(ids("99213").sort()).toEqual(["CPT:99213", "ICD9CM:992.13"]);
    // V01 is an ICD-10-CM category and an ICD-9-CM V code; V58.67 reads in both too.
    expect(ids("V01").sort()).toEqual(["ICD10CM:V01", "ICD9CM:V01"]);
    expect(ids("V58.67").sort()).toEqual(["ICD10CM:V58.67", "ICD9CM:V58.67"]);
  });

  it("takes the system from a SYSTEM: prefix, in any spelling", () => {
    expect(ids("ICD10CM:E11.9")).toEqual(["ICD10CM:E11.9"]);
    expect(ids("icd-10-cm:e119")).toEqual(["ICD10CM:E11.9"]);
    expect(ids("hcpcs:a4206")).toEqual(["HCPCS:A4206"]);
    expect(ids("ICD9:25000")).toEqual(["ICD9CM:250.00"]);
  });

  it("refuses a prefix that contradicts the system argument, or names no system", () => {
    const mismatch = refusal("ICD9CM:250.00", CodeSystemId.ICD10CM);
    expect(mismatch.problem).toBe(CodeInputProblem.SYSTEM_MISMATCH);
    expect(mismatch.message).toMatch(/names ICD9CM but the system asked for is ICD10CM/);
    const unknown = refusal("SNOMED:44054006");
    expect(unknown.problem).toBe(CodeInputProblem.UNKNOWN_SYSTEM);
    expect(unknown.message).toMatch(/"SNOMED".*is not a code system/);
  });
});

describe("prefix ancestors", () => {
  it("lists nearer headers first", () => {
    expect(grammarOf(CodeSystemId.ICD10CM).prefixAncestors("E11.65")).toEqual(["E11.6", "E11"]);
    expect(grammarOf(CodeSystemId.ICD10CM).prefixAncestors("S72.001A")).toEqual([
      "S72.001",
      "S72.00",
      "S72.0",
      "S72",
    ]);
    expect(grammarOf(CodeSystemId.ICD10CM).prefixAncestors("E11")).toEqual([]);
    expect(grammarOf(CodeSystemId.ICD10PCS).prefixAncestors("0DTJ4ZZ")).toEqual(["0DT", "0D", "0"]);
    expect(grammarOf(CodeSystemId.ICD10PCS).prefixAncestors("0DT")).toEqual(["0D", "0"]);
    expect(grammarOf(CodeSystemId.ICD9CM).prefixAncestors("250.00")).toEqual(["250.0", "250"]);
    expect(grammarOf(CodeSystemId.ICD9CM).prefixAncestors("36.10")).toEqual(["36.1", "36"]);
    expect(grammarOf(CodeSystemId.HCPCS).prefixAncestors("A4206")).toEqual([]);
  });
});

describe("ids", () => {
  it("splits a node id", () => {
    expect(splitCodeId("ICD10CM:E11.9")).toEqual({ system: CodeSystemId.ICD10CM, code: "E11.9" });
    expect(() => splitCodeId("E11.9")).toThrow(/malformed/);
    expect(() => splitCodeId("SNOMED:1")).toThrow(/malformed/);
  });
});
