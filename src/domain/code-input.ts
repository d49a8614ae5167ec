import { type CodeReading, GRAMMARS, grammarOf } from "./code-grammar.js";
import { ALL_CODE_SYSTEMS, CodeSystemId, parseSystemName } from "./code-system.js";

/** Why an input string was refused; stable values, surfaced as `extensions.reason`. */
export enum CodeInputProblem {
  INVALID_CODE = "INVALID_CODE",
  SYSTEM_MISMATCH = "SYSTEM_MISMATCH",
  UNKNOWN_SYSTEM = "UNKNOWN_SYSTEM",
}

/** An input that cannot be a code (of the given system, or of any system). */
export class CodeInputError extends Error {
  constructor(
    readonly value: string,
    readonly problem: CodeInputProblem,
    message: string,
    readonly expected?: string,
  ) {
    super(message);
    this.name = "CodeInputError";
  }
}

/** Longest input worth reading; anything longer is refused before any parsing. */
export const MAX_CODE_INPUT_LENGTH = 40;

function shown(value: string): string {
  return JSON.stringify(
    value.length > MAX_CODE_INPUT_LENGTH ? `${value.slice(0, MAX_CODE_INPUT_LENGTH)}…` : value,
  );
}

/**
 * Reads what a user typed as a code: `e119`, ` E11.9 `, `ICD10CM:E11.9`, `icd-10-cm:e11.9`.
 * Case and spaces never matter; a `SYSTEM:` prefix or the `system` argument restricts
 * the reading to one system. Returns every reading (one, or several when the string is
 * well-formed in more than one system: `A4206` is HCPCS and could be ICD-10-CM A42.06);
 * the caller decides among them with the data. Throws {@link CodeInputError} when the
 * string cannot be a code at all.
 */
export function readCodeInput(raw: string, system?: CodeSystemId | null): CodeReading[] {
  if (raw.length > MAX_CODE_INPUT_LENGTH * 4) {
    throw new CodeInputError(
      raw,
      CodeInputProblem.INVALID_CODE,
      `${shown(raw)} is too long to be a code`,
    );
  }
  // Codes are printable ASCII. Upper-casing first would turn "ß" into "SS" and "ı" into "I".
  if (/[^ -~]/.test(raw.replace(/\s+/g, ""))) {
    throw new CodeInputError(
      raw,
      CodeInputProblem.INVALID_CODE,
      `${shown(raw)} holds characters no code has (codes are ASCII letters, digits and dots)`,
    );
  }
  let clean = raw.replace(/\s+/g, "").toUpperCase();
  let wanted = system ?? undefined;

  const colon = clean.lastIndexOf(":");
  if (colon >= 0) {
    const prefix = clean.slice(0, colon);
    const named = parseSystemName(prefix);
    if (!named) {
      throw new CodeInputError(
        raw,
        CodeInputProblem.UNKNOWN_SYSTEM,
        `${shown(prefix)} in ${shown(raw)} is not a code system; use one of ${ALL_CODE_SYSTEMS.join(", ")}`,
      );
    }
    if (wanted && named !== wanted) {
      throw new CodeInputError(
        raw,
        CodeInputProblem.SYSTEM_MISMATCH,
        `${shown(raw)} names ${named} but the system asked for is ${wanted}`,
      );
    }
    wanted = named;
    clean = clean.slice(colon + 1);
  }

  if (clean.length === 0) {
    throw new CodeInputError(raw, CodeInputProblem.INVALID_CODE, "an empty string is not a code");
  }
  refuseAppendedModifiers(raw, clean, wanted);

  if (wanted) {
    const grammar = grammarOf(wanted);
    const readings = clean.length <= MAX_CODE_INPUT_LENGTH ? grammar.read(clean) : [];
    if (readings.length === 0) {
      const why = grammar.explain(clean);
      throw new CodeInputError(
        raw,
        CodeInputProblem.INVALID_CODE,
        `${shown(raw)} is not a valid ${grammar.label} code${why ? `: ${why}` : ""}; expected ${grammar.expected}`,
        grammar.expected,
      );
    }
    return readings;
  }

  const readings =
    clean.length <= MAX_CODE_INPUT_LENGTH
      ? Object.values(GRAMMARS).flatMap((g) => g.read(clean))
      : [];
  if (readings.length === 0) {
    const expected =
      "a code of CPT (99213), HCPCS Level II (A4206), ICD-10-CM (E11.9), ICD-10-PCS (0016070) or ICD-9-CM (250.00)";
    // Systems that can say what is wrong ("the dot follows the third character") say it.
    const hints = Object.values(GRAMMARS)
      .map((g) => [g.label, g.explain(clean)] as const)
      .filter((h): h is readonly [string, string] => h[1] !== undefined)
      .map(([label, why]) => `${label}: ${why}`);
    throw new CodeInputError(
      raw,
      CodeInputProblem.INVALID_CODE,
      `${shown(raw)} is not a code of any supported system${hints.length ? ` (${hints.join("; ")})` : ""}; expected ${expected}`,
      expected,
    );
  }
  return readings;
}

/**
 * A procedure code with modifiers appended, as a claim line shows them (`99213 25`,
 * `A4206-LT`): the code and the modifiers, or undefined for anything else.
 */
export function appendedModifiers(
  raw: string,
): { readonly code: string; readonly modifiers: readonly string[] } | undefined {
  const [code, ...modifiers] = raw
    .slice(raw.lastIndexOf(":") + 1)
    .trim()
    .toUpperCase()
    .split(/\s*-\s*|\s+/);
  if (modifiers.length === 0 || !/^(?:[0-9]{4}[0-9FMTU]|[A-V][0-9]{4})$/.test(code!)) return;
  if (!modifiers.every((m) => /^[0-9A-Z]{2}$/.test(m))) return;
  return { code: code!, modifiers };
}

/** What to tell someone who typed a code with modifiers appended. */
export function appendedModifiersAdvice(split: {
  readonly code: string;
  readonly modifiers: readonly string[];
}): string {
  return `ask for ${split.code} and ${split.modifiers.join(", ")} separately`;
}

/**
 * Left to the reading below, spaces would be dropped and `99213 25` read as the
 * ICD-10-PCS string 9921325, so a code with modifiers appended is refused where CPT or
 * HCPCS is meant, or no system is named and the joined string is no ICD-10-CM code.
 * `S0100 XA` is S01.00XA, and `02100 Z9` asked as ICD-10-PCS is 02100Z9; `A4206 LT`, which
 * reads as ICD-10-CM A42.06LT, is left to the graph (the lookup's answer then says so).
 */
function refuseAppendedModifiers(raw: string, clean: string, system?: CodeSystemId): void {
  if (system !== undefined && system !== CodeSystemId.CPT && system !== CodeSystemId.HCPCS) return;
  if (system === undefined && grammarOf(CodeSystemId.ICD10CM).read(clean).length > 0) return;
  const split = appendedModifiers(raw);
  if (!split) return;
  throw new CodeInputError(
    raw,
    CodeInputProblem.INVALID_CODE,
    `${shown(raw)} is a code with ${split.modifiers.length === 1 ? "a modifier" : "modifiers"} appended: ${appendedModifiersAdvice(split)}`,
    "one code or one modifier per input",
  );
}

/**
 * Splits a node id (`ICD10CM:E11.9`) into its parts. Ids are produced by this module,
 * so a malformed one is a programming error, not user input.
 */
export function splitCodeId(id: string): { system: CodeSystemId; code: string } {
  const colon = id.indexOf(":");
  const system = id.slice(0, colon) as CodeSystemId;
  if (colon < 0 || !ALL_CODE_SYSTEMS.includes(system)) throw new Error(`malformed code id ${id}`);
  return { system, code: id.slice(colon + 1) };
}
