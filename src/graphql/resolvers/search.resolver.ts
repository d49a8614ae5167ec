import { Args, ArgsType, Ctx, Field, Int, Query, Resolver } from "type-graphql";
import { CodeSystemId, parseSystemName } from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { type Context } from "../context.js";
import { BadUserInputError, InputProblem } from "../errors.js";
import { pageWindow, toConnection } from "../pagination.js";
import { DateScalar } from "../scalars.js";
import { CodeConnection } from "../types/connection.type.js";
import { toCode } from "../types/code.type.js";
import { type ComplexityEstimatorArgs } from "graphql-query-complexity";
import { pagedComplexity } from "./code.resolver.js";

/**
 * What a search costs before its results: ranking candidates is the dearest thing a
 * query can ask for (tens of milliseconds for a broad prefix on a full release).
 */
export const SEARCH_BASE_COST = 500;

function searchComplexity(args: ComplexityEstimatorArgs): number {
  return SEARCH_BASE_COST + pagedComplexity(args);
}

/** Longest search text accepted. */
export const MAX_SEARCH_TEXT = 200;

@ArgsType()
class SearchArgs {
  @Field(() => String, { description: "A code prefix or words." })
  text!: string;

  @Field(() => [CodeSystemId], {
    nullable: true,
    description: "Only codes of these systems (default: all).",
  })
  systems?: CodeSystemId[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Only codes reportable on `asOf` (default false).",
  })
  billableOnly?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Also return codes not valid on `asOf`: deleted codes and all of ICD-9-CM, which ended on 2015-09-30 (default false). Ignored with billableOnly, which keeps codes reportable on `asOf` only.",
  })
  includeInactive?: boolean | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "Only codes valid on this date (default: today, in the server's time zone).",
  })
  asOf?: IsoDate | null;

  @Field(() => Int, {
    nullable: true,
    description: "How many results to return (default 25, at most the server's limit).",
  })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Return the results after this cursor (a `pageInfo.endCursor`).",
  })
  after?: string | null;
}

@Resolver()
export class SearchResolver {
  @Query(() => CodeConnection, {
    description:
      "Finds codes by code prefix (`E11`, `e11.6`, `0DT`), by a whole code without a digit (modifiers such as `LT`, ranges such as `E08-E13`), or by words of their titles and synonyms (`type 2 diabetes`, the last word may be a prefix: `diab`; possessives with or without the apostrophe: `alzheimers`). Ranked: exact code, then code prefix, then titles holding all words (shorter, closer titles first), then synonyms.",
    complexity: searchComplexity,
  })
  async search(
    @Args(() => SearchArgs) args: SearchArgs,
    @Ctx() ctx: Context,
  ): Promise<CodeConnection> {
    const trimmed = args.text.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_SEARCH_TEXT) {
      throw new BadUserInputError(
        `text must hold 1 to ${MAX_SEARCH_TEXT} characters`,
        InputProblem.OUT_OF_RANGE,
        {
          argumentName: "text",
        },
      );
    }
    const window = pageWindow(args, ctx.limits);
    const asOf = args.asOf ?? ctx.today;
    const { text, systems } = narrowedBySystemPrefix(trimmed, args.systems ?? null);
    const billableOnly = args.billableOnly ?? false;
    const page = await ctx.loaders.search.load({
      text,
      systems: systems ? [...systems].sort() : null,
      billableOnly,
      // Reportable on asOf implies valid on asOf, whatever includeInactive says.
      asOf: args.includeInactive && !billableOnly ? null : asOf,
      offset: window.offset,
      limit: window.limit,
    });
    const connection = toConnection(page, window, (hit, cursor) => ({
      cursor,
      node: toCode(hit.node, asOf),
      depth: null,
      search: { score: hit.score, matchedOn: hit.matchedOn, matchedText: hit.matchedText },
    }));
    return { ...connection, nodes: connection.edges.map((e) => e.node) };
  }
}

/**
 * `ICD9CM:250` searches ICD-9-CM only: a system prefix narrows the systems (within those
 * asked for, if any) and leaves the rest of the text to search.
 */
function narrowedBySystemPrefix(
  text: string,
  systems: readonly CodeSystemId[] | null,
): { text: string; systems: readonly CodeSystemId[] | null } {
  const colon = text.indexOf(":");
  const named = colon > 0 ? parseSystemName(text.slice(0, colon)) : undefined;
  const rest = colon > 0 ? text.slice(colon + 1).trim() : "";
  if (!named || rest === "") return { text, systems };
  return { text: rest, systems: systems ? systems.filter((s) => s === named) : [named] };
}
