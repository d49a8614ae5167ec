import { Args, ArgsType, Ctx, Field, Query, Resolver } from "type-graphql";
import { CodeSystemId } from "../../domain/code-system.js";
import { ReversedReleasesError, UnknownReleaseError } from "../../import/release-diff.js";
import { type Context } from "../context.js";
import { BadUserInputError, InputProblem } from "../errors.js";
import { ReleaseDiff, toReleaseDiff } from "../types/release-diff.type.js";

@ArgsType()
class ReleaseDiffArgs {
  @Field(() => CodeSystemId, { description: "The code system whose releases are compared." })
  system!: CodeSystemId;

  @Field(() => String, {
    description:
      "The earlier release's label, as `codeSystem { releases { version } }` lists it (FY2025).",
  })
  from!: string;

  @Field(() => String, { description: "The later release's label (FY2026)." })
  to!: string;
}

@Resolver(() => ReleaseDiff)
export class ReleaseDiffResolver {
  @Query(() => ReleaseDiff, {
    description:
      "Codes added, deleted and revised between two imported releases of a system. For ICD-10-CM it agrees with the official order-file addenda, where a code turning into a header is one revision (BILLABLE) rather than a deletion and an addition. A label the graph does not hold is a BAD_USER_INPUT error (reason UNKNOWN_RELEASE) listing the held ones; a `from` newer than `to` is a BAD_USER_INPUT error (reason OUT_OF_RANGE).",
  })
  async releaseDiff(
    @Args(() => ReleaseDiffArgs) { system, from, to }: ReleaseDiffArgs,
    @Ctx() ctx: Context,
  ): Promise<ReleaseDiff> {
    try {
      return toReleaseDiff(await ctx.loaders.releaseDiffs.load({ system, from, to }));
    } catch (error) {
      if (error instanceof UnknownReleaseError) {
        throw new BadUserInputError(error.message, InputProblem.UNKNOWN_RELEASE, {
          system,
          version: error.version,
          held: error.held,
        });
      }
      if (error instanceof ReversedReleasesError) {
        throw new BadUserInputError(error.message, InputProblem.OUT_OF_RANGE, {
          argumentName: "from",
          value: from,
          expected: `a release no newer than ${error.to.version} (effective ${error.to.effective})`,
        });
      }
      throw error;
    }
  }
}
