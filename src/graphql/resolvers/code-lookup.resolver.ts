import { Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { CodeInputError } from "../../domain/code-input.js";
import { CodeStatus } from "../../domain/code-status.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { type CodeNode, nodeValidity } from "../../domain/graph.js";
import { Direction, Relation } from "../../domain/relationship.js";
import { ambiguityMessage, lookupCode, lookupCodeArgument, toInputError } from "../code-lookup.js";
import { type Context } from "../context.js";
import { SubsumptionOutcome } from "../enums.js";
import { BadUserInputError, CodeNotFoundError, InputProblem } from "../errors.js";
import { DateScalar } from "../scalars.js";
import { closureQuery, edgeOf, neighborQuery, reached } from "../traversals.js";
import { Code, toCode } from "../types/code.type.js";
import { CodeResolution } from "../types/code-resolution.type.js";
import { Replacement } from "../types/connection.type.js";

const SYSTEM_DESCRIPTION =
  "The code system. Optional: without it the system is read from the code's form (and a `SYSTEM:` prefix), and a code that is well-formed in several systems held by the graph is refused as ambiguous.";

const AS_OF_DESCRIPTION =
  "The date to answer for: titles, status and relationships in force on it. Default: today.";

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
    description: "The date whose hierarchy to use. Default: today.",
  })
  asOf?: IsoDate | null;
}

@Resolver()
export class CodeLookupResolver {
  @Query(() => Code, {
    nullable: true,
    description:
      "One code, by what a coder would type: `E11.9`, `e119`, `ICD10CM:E11.9`, `0DTJ4ZZ`, `A4206`, `250.00`. Null when the code is well-formed but not in the graph; a BAD_USER_INPUT error when it cannot be a code.",
  })
  async code(
    @Args(() => CodeArgs) { code: input, system, asOf }: CodeArgs,
    @Ctx() ctx: Context,
  ): Promise<Code | null> {
    const found = await lookupCodeArgument(input, system, ctx.loaders, "code");
    switch (found.kind) {
      case "found":
        return toCode(found.node, asOf ?? ctx.today);
      case "unknown":
        return null;
      case "ambiguous":
        throw new BadUserInputError(
          ambiguityMessage(input, found.nodes),
          InputProblem.AMBIGUOUS_CODE,
          {
            argumentName: "code",
            value: input,
            candidates: found.nodes.map((n) => n.id),
          },
        );
    }
  }

  @Query(() => [CodeResolution], {
    description:
      "Checks many codes at once, as a claim scrubber would: one answer per input, in input order, each with its status on `asOf` (VALID, HEADER, DELETED, NOT_YET_VALID, UNKNOWN, INVALID, AMBIGUOUS). A malformed input is answered, not an error.",
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
        {
          argumentName: "codes",
          max,
        },
      );
    }
    const date = asOf ?? ctx.today;
    return Promise.all(inputs.map((input) => resolveOne(input, system ?? null, date, ctx)));
  }

  @Query(() => SubsumptionOutcome, {
    description:
      "Whether code `a` covers code `b` in their hierarchy (a category covers its codes; a chapter covers its blocks). Codes of different systems never subsume each other. An unknown code is a CODE_NOT_FOUND error.",
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
    if (codeA.system !== codeB.system) return SubsumptionOutcome.NOT_SUBSUMED;
    const depth = ctx.limits.maxTraversalDepth;
    const [aboveA, aboveB] = await Promise.all([
      ctx.loaders.traversal.load(closureQuery(codeA, Direction.OUT, depth, false)),
      ctx.loaders.traversal.load(closureQuery(codeB, Direction.OUT, depth, false)),
    ]);
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
    const code = resolution.code;
    if (!code) return [];
    const page = await ctx.loaders.traversal.load(
      neighborQuery(code, Relation.REPLACES, Direction.IN),
    );
    return page.items.map((item) => {
      const edge = edgeOf(item, Relation.REPLACES);
      return { code: reached(item, code), effective: edge.effective, source: edge.source };
    });
  }
}

async function requireCode(
  input: string,
  system: CodeSystemId | null,
  argumentName: string,
  asOf: IsoDate,
  ctx: Context,
): Promise<Code> {
  const found = await lookupCodeArgument(input, system, ctx.loaders, argumentName);
  switch (found.kind) {
    case "found":
      return toCode(found.node, asOf);
    case "unknown":
      throw new CodeNotFoundError(input, found.candidates);
    case "ambiguous":
      throw new BadUserInputError(
        ambiguityMessage(input, found.nodes),
        InputProblem.AMBIGUOUS_CODE,
        {
          argumentName,
          value: input,
          candidates: found.nodes.map((n) => n.id),
        },
      );
  }
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
    message: string | null,
    candidates: string[] = [],
  ) => ({
    input,
    status,
    code,
    message,
    candidates,
  });
  let found;
  try {
    found = await lookupCode(input, system, ctx.loaders);
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
        `${found.candidates.join(" or ")} is well-formed but not in the graph`,
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
      return answer(code.status, code, statusMessage(found.node, code, asOf));
    }
  }
}

function statusMessage(node: CodeNode, code: Code, asOf: IsoDate): string | null {
  const { validFrom, validTo } = nodeValidity(node);
  switch (code.status) {
    case CodeStatus.VALID:
      return null;
    case CodeStatus.HEADER:
      return `${node.id} is a header on ${asOf}, not reportable: report one of the codes below it (see code.descendants with billableOnly)`;
    case CodeStatus.DELETED:
      return `${node.id} is not valid on ${asOf}${validTo ? `: valid until ${validTo}` : ""}; see replacedBy and code.successors`;
    case CodeStatus.NOT_YET_VALID:
      return `${node.id} is not valid yet on ${asOf}: valid from ${validFrom}`;
    default:
      return null;
  }
}
