import { CodeInputError, CodeInputProblem, readCodeInput } from "../domain/code-input.js";
import { type CodeSystemId } from "../domain/code-system.js";
import { type CodeNode } from "../domain/graph.js";
import { BadUserInputError, InputProblem } from "./errors.js";
import { type Loaders } from "./loaders.js";

export type Lookup =
  | { readonly kind: "found"; readonly node: CodeNode }
  | { readonly kind: "unknown"; readonly candidates: readonly string[] }
  | { readonly kind: "ambiguous"; readonly nodes: readonly CodeNode[] };

/**
 * Finds the code a user typed. The string is read by the domain grammar (one reading, or
 * several when it is well-formed in more than one system); the readings the graph holds
 * decide. Throws {@link CodeInputError} when it cannot be a code at all.
 */
export async function lookupCode(
  input: string,
  system: CodeSystemId | null | undefined,
  loaders: Loaders,
): Promise<Lookup> {
  const ids = [...new Set(readCodeInput(input, system).map((r) => r.id))];
  const found = (await loaders.codes.loadMany(ids)).map((result) => {
    if (result instanceof Error) throw result;
    return result;
  });
  const nodes = found.filter((n): n is CodeNode => n !== null);
  if (nodes.length === 1) return { kind: "found", node: nodes[0]! };
  if (nodes.length === 0) return { kind: "unknown", candidates: ids };
  return { kind: "ambiguous", nodes };
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

/** Looks a code argument up, turning refusals into BAD_USER_INPUT errors naming the argument. */
export async function lookupCodeArgument(
  input: string,
  system: CodeSystemId | null | undefined,
  loaders: Loaders,
  argumentName: string,
): Promise<Lookup> {
  try {
    return await lookupCode(input, system, loaders);
  } catch (error) {
    if (error instanceof CodeInputError) throw toInputError(error, argumentName);
    throw error;
  }
}
