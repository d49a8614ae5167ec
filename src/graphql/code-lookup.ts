import { CodeInputError, CodeInputProblem, readCodeInput } from "../domain/code-input.js";
import { type CodeSystemId } from "../domain/code-system.js";
import { type IsoDate } from "../domain/dates.js";
import { type CodeNode, versionAt } from "../domain/graph.js";
import { BadUserInputError, InputProblem } from "./errors.js";
import { type Loaders } from "./loaders.js";

export type Lookup =
  | { readonly kind: "found"; readonly node: CodeNode }
  | { readonly kind: "unknown"; readonly candidates: readonly string[] }
  | { readonly kind: "ambiguous"; readonly nodes: readonly CodeNode[] };

/**
 * Finds the code a user typed. The string is read by the domain grammar (one reading, or
 * several when it is well-formed in more than one system); the readings the graph holds
 * decide, and among those, the ones valid on `asOf`: E8020 is ICD-10-CM E80.20 today,
 * although ICD-9-CM's E802.0 (ended 2015) reads the same. Two or more readings valid on
 * the date (B20: HIV disease, or the ICD-10-PCS table B20) are ambiguous. Throws
 * {@link CodeInputError} when the string cannot be a code at all.
 */
export async function lookupCode(
  input: string,
  system: CodeSystemId | null | undefined,
  asOf: IsoDate,
  loaders: Loaders,
): Promise<Lookup> {
  const ids = [...new Set(readCodeInput(input, system).map((r) => r.id))];
  const found = (await loaders.codes.loadMany(ids)).map((result) => {
    if (result instanceof Error) throw result;
    return result;
  });
  const nodes = found.filter((n): n is CodeNode => n !== null);
  if (nodes.length === 0) return { kind: "unknown", candidates: ids };
  if (nodes.length === 1) return { kind: "found", node: nodes[0]! };
  const valid = nodes.filter((n) => versionAt(n, asOf));
  if (valid.length === 1) return { kind: "found", node: valid[0]! };
  return { kind: "ambiguous", nodes: valid.length > 1 ? valid : nodes };
}

export function ambiguityMessage(input: string, nodes: readonly CodeNode[]): string {
  return `${JSON.stringify(input)} could be ${nodes.map((n) => n.id).join(" or ")}: give the system`;
}

const REASON: Record<CodeInputProblem, InputProblem> = {
  [CodeInputProblem.INVALID_CODE]: InputProblem.INVALID_CODE,
  [CodeInputProblem.SYSTEM_MISMATCH]: InputProblem.SYSTEM_MISMATCH,
  [CodeInputProblem.UNKNOWN_SYSTEM]: InputProblem.UNKNOWN_SYSTEM,
};

/** The GraphQL error for a code argument the domain refused. */
export function toInputError(error: CodeInputError, argumentName: string): BadUserInputError {
  return new BadUserInputError(error.message, REASON[error.problem], {
    argumentName,
    value: error.value,
    ...(error.expected ? { expected: error.expected } : {}),
  });
}

/** The BAD_USER_INPUT error for an input that names codes of several systems. */
export function ambiguityError(
  input: string,
  nodes: readonly CodeNode[],
  argumentName: string,
): BadUserInputError {
  return new BadUserInputError(ambiguityMessage(input, nodes), InputProblem.AMBIGUOUS_CODE, {
    argumentName,
    value: input,
    candidates: nodes.map((n) => n.id),
  });
}

/**
 * Looks a code argument up: the code, or null when well-formed but not held. Refusals
 * become BAD_USER_INPUT errors naming the argument, and so does an ambiguous input.
 */
export async function lookupCodeArgument(
  input: string,
  system: CodeSystemId | null | undefined,
  asOf: IsoDate,
  loaders: Loaders,
  argumentName: string,
): Promise<{ node: CodeNode | null; candidates: readonly string[] }> {
  let found: Lookup;
  try {
    found = await lookupCode(input, system, asOf, loaders);
  } catch (error) {
    if (error instanceof CodeInputError) throw toInputError(error, argumentName);
    throw error;
  }
  switch (found.kind) {
    case "found":
      return { node: found.node, candidates: [found.node.id] };
    case "unknown":
      return { node: null, candidates: found.candidates };
    case "ambiguous":
      throw ambiguityError(input, found.nodes, argumentName);
  }
}
