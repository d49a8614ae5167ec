import { Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import {
  appendedModifiers,
  appendedModifiersAdvice,
  CodeInputError,
  splitCodeId,
} from "../../domain/code-input.js";
import { coverageWarning } from "../../domain/release-coverage.js";
import { CodeStatus, lastCommonDay } from "../../domain/code-status.js";
import { CodeSystemId, codeSystemInfo } from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { type CodeNode, nodeValidity } from "../../domain/graph.js";
import { Direction } from "../../domain/relationship.js";
import { ambiguityMessage, lookupCode, lookupCodeArgument, toInputError } from "../code-lookup.js";
import { type ComplexityEstimatorArgs } from "graphql-query-complexity";
import { type Context } from "../context.js";
import { SubsumptionOutcome } from "../enums.js";
import { BadUserInputError, CodeNotFoundError, InputProblem } from "../errors.js";
import { replacements } from "./code.resolver.js";
import { DateScalar } from "../scalars.js";
import { closureQuery } from "../traversals.js";
import { Code, toCode } from "../types/code.type.js";
import { CodeResolution } from "../types/code-resolution.type.js";
import { Replacement } from "../types/connection.type.js";

const SYSTEM_DESCRIPTION =
  "The code system. Optional: without it the system is read from the code's form (and a `SYSTEM:` prefix), and a code that is well-formed in several systems held by the graph is refused as ambiguous.";

const AS_OF_DESCRIPTION =
  "The date to answer for: titles, status and relationships in force on it. Default: today, in the server's time zone (CODEGRAPH_TIME_ZONE, America/New_York unless set).";

@ArgsType()
class CodeArgs {
  @Field(() => String, { description: "The code, in any case, with or without its dot." })
  code!: string;

  @Field(() => CodeSystemId, { nullable: true, description: SYSTEM_DESCRIPTION })
  system?: CodeSystemId | null;

  @Field(() => DateScalar, { nullable: true, description: AS_OF_DESCRIPTION })
  asOf?: IsoDate | null;
}

@ArgsType()
class CodesArgs {
  @Field(() => [String], {
    description: "The codes to check; at most the server's batch limit (500 unless configured).",
  })
  codes!: string[];

  @Field(() => CodeSystemId, { nullable: true, description: SYSTEM_DESCRIPTION })
  system?: CodeSystemId | null;

  @Field(() => DateScalar, { nullable: true, description: AS_OF_DESCRIPTION })
  asOf?: IsoDate | null;
}

@ArgsType()
class SubsumesArgs {
  @Field(() => String, { description: "The first code: does it cover `b`?" })
  a!: string;

  @Field(() => String, { description: "The second code." })
  b!: string;

  @Field(() => CodeSystemId, { nullable: true, description: SYSTEM_DESCRIPTION })
  system?: CodeSystemId | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "The date whose hierarchy to use. Default: today, in the server's time zone.",
  })
  asOf?: IsoDate | null;
}

/** How far `subsumes` walks up: every hierarchy here is far shallower; the bound only stops a cycle. */
const SUBSUMPTION_DEPTH = 50;

/** Cost of `codes`: each input answered, with what is asked of it. */
function codesComplexity({ args, childComplexity }: ComplexityEstimatorArgs): number {
  const inputs = Array.isArray(args["codes"]) ? args["codes"].length : 1;
  return 1 + Math.max(inputs, 1) * childComplexity;
}

@Resolver()
export class CodeLookupResolver {
  @Query(() => Code, {
    nullable: true,
    description:
      "One code, by what a coder would type: `E11.9`, `e119`, `ICD10CM:E11.9`, `0DTJ4ZZ`, `A4206`, `250.00`. Null when the code is well-formed but not in the graph; a BAD_USER_INPUT error when it cannot be a code, or when it names codes of several systems valid on `asOf`.",
  })
  async code(
    @Args(() => CodeArgs) { code: input, system, asOf }: CodeArgs,
    @Ctx() ctx: Context,
  ): Promise<Code | null> {
    const date = asOf ?? ctx.today;
    const { node } = await lookupCodeArgument(input, system, date, ctx.loaders, "code");
    return node ? toCode(node, date) : null;
  }

  @Query(() => [CodeResolution], {
    description:
      "Checks many codes at once, as a claim scrubber would: one answer per input, in input order, each with its status on `asOf` (VALID, HEADER, DELETED, NOT_YET_VALID, UNKNOWN, INVALID, AMBIGUOUS). A malformed input is answered, not an error.",
    complexity: codesComplexity,
  })
  async codes(
    @Args(() => CodesArgs) { codes: inputs, system, asOf }: CodesArgs,
    @Ctx() ctx: Context,
  ): Promise<CodeResolution[]> {
    const max = ctx.limits.maxBatchSize;
    if (inputs.length > max) {
      throw new BadUserInputError(
        `codes holds ${inputs.length} inputs; at most ${max} per call`,
        InputProblem.BATCH_TOO_LARGE,
        { argumentName: "codes", max },
      );
    }
    const date = asOf ?? ctx.today;
    return Promise.all(inputs.map((input) => resolveOne(input, system ?? null, date, ctx)));
  }

  @Query(() => SubsumptionOutcome, {
    description:
      "Whether code `a` covers code `b` (a category covers its codes; a chapter covers its blocks) in the hierarchy in force on `asOf`, or, when either code is no longer valid then, on the last day both were (two ICD-9-CM codes asked about today: 2015-09-30). Codes of different systems, or not valid together on or before `asOf` (a code added later), are NOT_SUBSUMED. An unknown code is a CODE_NOT_FOUND error.",
  })
  async subsumes(
    @Args(() => SubsumesArgs) { a, b, system, asOf }: SubsumesArgs,
    @Ctx() ctx: Context,
  ): Promise<SubsumptionOutcome> {
    const date = asOf ?? ctx.today;
    const [codeA, codeB] = await Promise.all([
      requireCode(a, system ?? null, "a", date, ctx),
      requireCode(b, system ?? null, "b", date, ctx),
    ]);
    if (codeA.id === codeB.id) return SubsumptionOutcome.EQUIVALENT;
    // Retired codes keep the hierarchy they last stood in, as `code` shows them.
    const day = lastCommonDay(codeA.node, codeB.node, date);
    if (codeA.system !== codeB.system || day === null) return SubsumptionOutcome.NOT_SUBSUMED;
    // The hierarchy of that day, to the top, whatever the walk-depth setting.
    const above = (c: Code) =>
      ctx.loaders.traversal.load(
        closureQuery(c, Direction.OUT, SUBSUMPTION_DEPTH, false, undefined, day),
      );
    const [aboveA, aboveB] = await Promise.all([above(codeA), above(codeB)]);
    if (aboveB.items.some((i) => i.node.id === codeA.id)) return SubsumptionOutcome.SUBSUMES;
    if (aboveA.items.some((i) => i.node.id === codeB.id)) return SubsumptionOutcome.SUBSUMED_BY;
    return SubsumptionOutcome.NOT_SUBSUMED;
  }
}

@Resolver(() => CodeResolution)
export class CodeResolutionResolver {
  @FieldResolver(() => [Replacement], {
    description:
      "For a DELETED code, the codes that replaced it and from when; otherwise usually empty.",
  })
  async replacedBy(
    @Root() resolution: CodeResolution,
    @Ctx() ctx: Context,
  ): Promise<Replacement[]> {
    return resolution.code ? replacements(resolution.code, Direction.IN, ctx) : [];
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Why the status is what it is, for anything but VALID; and, whatever the status, a warning when the imported releases of the system do not cover the date asked (see coveredByRelease).",
  })
  async message(@Root() resolution: CodeResolution, @Ctx() ctx: Context): Promise<string | null> {
    const warnings = await coverageWarnings(resolution, ctx);
    const parts = [resolution.statusMessage, ...warnings].filter((p) => p !== null);
    return parts.length > 0 ? parts.join("; ") : null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      "Whether the imported releases of the code's system cover the date asked (an ICD-10 release: its fiscal year; HCPCS, CPT: its calendar year; ICD-9-CM, frozen: always). False after the newest release's period (a later release, not in this graph, may have added, deleted or revised the code) or before the oldest release (codes deleted earlier are not held, first days may be unknown): the status may be wrong, and `message` says why. Null when the input names no one system (INVALID, AMBIGUOUS).",
  })
  async coveredByRelease(
    @Root() resolution: CodeResolution,
    @Ctx() ctx: Context,
  ): Promise<boolean | null> {
    if (resolution.systems.length === 0) return null;
    return (await coverageWarnings(resolution, ctx)).length === 0;
  }
}

/** Release-coverage warnings for the systems an answer is about. */
async function coverageWarnings(resolution: CodeResolution, ctx: Context): Promise<string[]> {
  const releases = await ctx.loaders.releases.loadMany(resolution.systems);
  return resolution.systems
    .map((system, i) => {
      const held = releases[i];
      if (held instanceof Error) throw held;
      return coverageWarning(system, held!, resolution.asOf);
    })
    .filter((w) => w !== null);
}

async function requireCode(
  input: string,
  system: CodeSystemId | null,
  argumentName: string,
  asOf: IsoDate,
  ctx: Context,
): Promise<Code> {
  const { node, candidates } = await lookupCodeArgument(
    input,
    system,
    asOf,
    ctx.loaders,
    argumentName,
  );
  if (!node) throw new CodeNotFoundError(input, candidates);
  return toCode(node, asOf);
}

async function resolveOne(
  input: string,
  system: CodeSystemId | null,
  asOf: IsoDate,
  ctx: Context,
): Promise<CodeResolution> {
  const answer = (
    status: CodeStatus,
    code: Code | null,
    statusMessage: string | null,
    candidates: string[] = [],
    systems: CodeSystemId[] = [],
  ): CodeResolution => ({ input, status, code, statusMessage, candidates, systems, asOf });
  let found;
  try {
    found = await lookupCode(input, system, asOf, ctx.loaders);
  } catch (error) {
    if (error instanceof CodeInputError)
      return answer(CodeStatus.INVALID, null, toInputError(error, "codes").message);
    throw error;
  }
  switch (found.kind) {
    case "unknown":
      return answer(
        CodeStatus.UNKNOWN,
        null,
        unknownMessage(input, found.candidates),
        [],
        [...new Set(found.candidates.map((id) => splitCodeId(id).system))],
      );
    case "ambiguous":
      return answer(
        CodeStatus.AMBIGUOUS,
        null,
        ambiguityMessage(input, found.nodes),
        found.nodes.map((n) => n.id),
      );
    case "found": {
      const code = toCode(found.node, asOf);
      return answer(code.status, code, statusMessage(found.node, code, asOf), [], [code.system]);
    }
  }
}

function unknownMessage(input: string, candidates: readonly string[]): string {
  const message = `${candidates.join(" or ")} is well-formed but not in the graph`;
  const split = appendedModifiers(input);
  return split
    ? `${message}; if it is a code with modifiers, ${appendedModifiersAdvice(split)}`
    : message;
}

function statusMessage(node: CodeNode, code: Code, asOf: IsoDate): string | null {
  const { validFrom, validTo } = nodeValidity(node);
  switch (code.status) {
    case CodeStatus.VALID:
      return null;
    case CodeStatus.HEADER:
      return `${node.id} is a header on ${asOf}, not reportable: report one of the codes below it (see code.descendants with billableOnly)`;
    case CodeStatus.DELETED: {
      const ended = codeSystemInfo(node.system).endedOn;
      // A frozen system's codes were succeeded by another system, through crosswalks.
      if (ended !== null && validTo !== null && validTo >= ended)
        return `${node.id} is not valid on ${asOf}: ${node.system} ended on ${ended}; see code.mapsTo for the equivalents in the systems that replaced it`;
      return `${node.id} is not valid on ${asOf}${validTo ? `: valid until ${validTo}` : ""}; see replacedBy and code.successors`;
    }
    case CodeStatus.NOT_YET_VALID:
      return `${node.id} is not valid yet on ${asOf}: valid from ${validFrom}`;
    default:
      return null;
  }
}
