import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { type ComplexityEstimatorArgs } from "graphql-query-complexity";
import { CodeSystemId, codeSystemInfo } from "../../domain/code-system.js";
import { Direction, ExclusionKind, PairingKind, Relation } from "../../domain/relationship.js";
import { type Context } from "../context.js";
import { BadUserInputError, InputProblem } from "../errors.js";
import { ESTIMATED_PAGE_SIZE, PageArgs, pageWindow, toConnection } from "../pagination.js";
import {
  closureQuery,
  edgeDirection,
  edgeOf,
  inheritedFrom,
  neighborQuery,
  reached,
  successorQuery,
  UNPAGED_LIST_CAP,
} from "../traversals.js";
import { Attribute, Code, CodeVersion } from "../types/code.type.js";
import { CodeSystem, toCodeSystem } from "../types/code-system.type.js";
import {
  CodeConnection,
  Exclusion,
  Mapping,
  PairingConnection,
  Replacement,
} from "../types/connection.type.js";

/** Cost of a paged field: its children, once per item asked for. */
export function pagedComplexity({ args, childComplexity }: ComplexityEstimatorArgs): number {
  const first = typeof args["first"] === "number" ? args["first"] : ESTIMATED_PAGE_SIZE;
  return 1 + Math.max(first, 1) * childComplexity;
}

/** Cost of an unpaged list: its children, a few times. */
function listComplexity({ childComplexity }: ComplexityEstimatorArgs): number {
  return 1 + 10 * childComplexity;
}

/** The `inherited` argument, with an example of the notes it brings. */
const inheritedArg = (example: string) =>
  `Also the tabular's notes on the codes above this one (its subcategory, category, block and chapter), which apply to every code below them: ${example}. Each says which code bears it in \`inheritedFrom\`. Default true.`;

@ArgsType()
class DescendantArgs extends PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: "How many levels down to go (default and most: the server's limit, 10).",
  })
  maxDepth?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Only codes reportable on `asOf` (default false).",
  })
  billableOnly?: boolean | null;
}

@ArgsType()
class PairingArgs extends PageArgs {
  @Field(() => [PairingKind], {
    nullable: true,
    description: "Only pairings of these kinds (default: all).",
  })
  kind?: PairingKind[] | null;

  @Field(() => [CodeSystemId], {
    nullable: true,
    description: "Only paired codes of these systems (default: all).",
  })
  system?: CodeSystemId[] | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description: inheritedArg('E11.9 takes E11\'s "use additional code" for Z79.4'),
  })
  inherited?: boolean | null;
}

function depthArg(value: number | null | undefined, ctx: Context): number {
  const max = ctx.limits.maxTraversalDepth;
  if (value === null || value === undefined) return max;
  if (value < 1 || value > max) {
    throw new BadUserInputError(`maxDepth must be from 1 to ${max}`, InputProblem.OUT_OF_RANGE, {
      argumentName: "maxDepth",
      max,
    });
  }
  return value;
}

@Resolver(() => Code)
export class CodeResolver {
  // Read from the stored node only when asked: a lookup of 500 codes need not copy them.
  @FieldResolver(() => [CodeVersion], {
    description: "Every version of the code, oldest first: title revisions and billable changes.",
  })
  versions(@Root() code: Code): CodeVersion[] {
    return code.node.versions.map((v) => ({ ...v }));
  }

  @FieldResolver(() => [String], {
    description: "Inclusion terms and other names the code is found by.",
  })
  synonyms(@Root() code: Code): string[] {
    return [...code.node.synonyms];
  }

  @FieldResolver(() => [Attribute], {
    description: "Details the release gives for the code, by name.",
  })
  attributes(@Root() code: Code): Attribute[] {
    return Object.entries(code.node.attributes).map(([name, value]) => ({ name, value }));
  }

  @FieldResolver(() => CodeSystem, {
    description: "The code system, with its relations to other systems.",
  })
  codeSystem(@Root() code: Code): CodeSystem {
    return toCodeSystem(codeSystemInfo(code.system));
  }

  @FieldResolver(() => Code, {
    nullable: true,
    description: "The code one level up (category, block, chapter); null at the top.",
  })
  async parent(@Root() code: Code, @Ctx() ctx: Context): Promise<Code | null> {
    const page = await ctx.loaders.traversal.load(
      neighborQuery(code, Relation.SUBSET_OF, Direction.OUT),
    );
    return page.items[0] ? reached(page.items[0], code) : null;
  }

  @FieldResolver(() => CodeConnection, {
    description: "The codes one level down, in code order, valid on `asOf`.",
    complexity: pagedComplexity,
  })
  async children(
    @Root() code: Code,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<CodeConnection> {
    const window = pageWindow(args, ctx.limits);
    const page = await ctx.loaders.traversal.load(
      neighborQuery(code, Relation.SUBSET_OF, Direction.IN, {}, window),
    );
    return codeConnection(page, window, code);
  }

  @FieldResolver(() => [Code], {
    description:
      "Every code above this one, nearest first (parent, then its parent, up to the chapter).",
    complexity: listComplexity,
  })
  async ancestors(
    @Root() code: Code,
    @Arg("maxDepth", () => Int, {
      nullable: true,
      description: "How many levels up to go (default: all, up to the server's limit).",
    })
    maxDepth: number | null,
    @Ctx() ctx: Context,
  ): Promise<Code[]> {
    const page = await ctx.loaders.traversal.load(
      closureQuery(code, Direction.OUT, depthArg(maxDepth, ctx), false),
    );
    return page.items.map((item) => reached(item, code));
  }

  @FieldResolver(() => CodeConnection, {
    description: "Every code below this one, each before its own children, siblings in code order.",
    complexity: pagedComplexity,
  })
  async descendants(
    @Root() code: Code,
    @Args(() => DescendantArgs) args: DescendantArgs,
    @Ctx() ctx: Context,
  ): Promise<CodeConnection> {
    const window = pageWindow(args, ctx.limits);
    const query = closureQuery(
      code,
      Direction.IN,
      depthArg(args.maxDepth, ctx),
      args.billableOnly ?? false,
      window,
    );
    const page = await ctx.loaders.traversal.load(query);
    return codeConnection(page, window, code);
  }

  @FieldResolver(() => PairingConnection, {
    description:
      "Codes commonly reported with this one, in both directions: tabular instructions (use additional code, code first, code also) on this code and, unless `inherited: false`, on the codes above it; diagnoses supporting procedures; and pairs seen on claims. Strongest first; among equals, the code's own before inherited ones, nearest first.",
    complexity: pagedComplexity,
  })
  async pairedWith(
    @Root() code: Code,
    @Args(() => PairingArgs) args: PairingArgs,
    @Ctx() ctx: Context,
  ): Promise<PairingConnection> {
    const window = pageWindow(args, ctx.limits);
    const query = neighborQuery(
      code,
      Relation.PAIRED_WITH,
      Direction.BOTH,
      { kinds: args.kind, systems: args.system, inherited: args.inherited ?? true },
      window,
    );
    const page = await ctx.loaders.traversal.load(query);
    return toConnection(page, window, (item, cursor) => {
      const edge = edgeOf(item, Relation.PAIRED_WITH);
      return {
        cursor,
        node: reached(item, code),
        kind: edge.kind,
        direction: edgeDirection(item),
        inheritedFrom: inheritedFrom(item, code),
        source: edge.source,
        score: edge.score,
        support: edge.support,
        confidence: edge.confidence,
        reverseConfidence: edge.reverseConfidence,
        lift: edge.lift,
        note: edge.note,
      };
    });
  }

  @FieldResolver(() => [Replacement], {
    description: `Codes this one replaced (it is their successor), with the dates. At most ${UNPAGED_LIST_CAP}.`,
    complexity: listComplexity,
  })
  async replaces(@Root() code: Code, @Ctx() ctx: Context): Promise<Replacement[]> {
    return replacements(code, Direction.OUT, ctx);
  }

  @FieldResolver(() => [Replacement], {
    description: `Codes that replaced this one, with the dates they took effect. At most ${UNPAGED_LIST_CAP}.`,
    complexity: listComplexity,
  })
  async replacedBy(@Root() code: Code, @Ctx() ctx: Context): Promise<Replacement[]> {
    return replacements(code, Direction.IN, ctx);
  }

  @FieldResolver(() => [Code], {
    description:
      "The codes to use instead on `asOf`: replacements followed through later replacements until codes valid on that date. Empty when the code is valid or nothing replaced it.",
    complexity: listComplexity,
  })
  async successors(@Root() code: Code, @Ctx() ctx: Context): Promise<Code[]> {
    const page = await ctx.loaders.traversal.load(
      successorQuery(code, ctx.limits.maxTraversalDepth),
    );
    return page.items.map((item) => reached(item, code));
  }

  @FieldResolver(() => [Mapping], {
    description:
      "General Equivalence Mappings from this code to the other ICD revision (ICD-9-CM ↔ ICD-10), with flags. A no-map entry has a null target.",
    complexity: listComplexity,
  })
  async mapsTo(
    @Root() code: Code,
    @Arg("system", () => CodeSystemId, {
      nullable: true,
      description: "Only mappings into this system.",
    })
    system: CodeSystemId | null,
    @Ctx() ctx: Context,
  ): Promise<Mapping[]> {
    return mappings(code, Direction.OUT, system, ctx);
  }

  @FieldResolver(() => [Mapping], {
    description:
      "General Equivalence Mappings from other codes to this one: the backward direction of `mapsTo`.",
    complexity: listComplexity,
  })
  async mappedFrom(
    @Root() code: Code,
    @Arg("system", () => CodeSystemId, {
      nullable: true,
      description: "Only mappings from this system.",
    })
    system: CodeSystemId | null,
    @Ctx() ctx: Context,
  ): Promise<Mapping[]> {
    return mappings(code, Direction.IN, system, ctx);
  }

  @FieldResolver(() => [Exclusion], {
    description: `ICD-10-CM Excludes1 and Excludes2 notes on this code or naming it and, unless \`inherited: false\`, on the codes above it: the code's own notes first, then inherited ones nearest first, then notes naming it. At most ${UNPAGED_LIST_CAP}.`,
    complexity: listComplexity,
  })
  async excludes(
    @Root() code: Code,
    @Arg("kind", () => ExclusionKind, { nullable: true, description: "Only notes of this kind." })
    kind: ExclusionKind | null,
    @Arg("inherited", () => Boolean, {
      nullable: true,
      defaultValue: true,
      description: inheritedArg("E11.9 takes E11's Excludes1 for E10 (type 1 diabetes)"),
    })
    inherited: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<Exclusion[]> {
    const query = neighborQuery(code, Relation.EXCLUDES, Direction.BOTH, {
      kinds: kind ? [kind] : null,
      inherited: inherited ?? true,
    });
    const page = await ctx.loaders.traversal.load(query);
    return page.items.map((item) => {
      const edge = edgeOf(item, Relation.EXCLUDES);
      return {
        code: reached(item, code),
        kind: edge.kind,
        direction: edgeDirection(item),
        inheritedFrom: inheritedFrom(item, code),
        note: edge.note,
        source: edge.source,
      };
    });
  }
}

function codeConnection(
  page: Awaited<ReturnType<Context["loaders"]["traversal"]["load"]>>,
  window: { offset: number; limit: number },
  from: Code,
): CodeConnection {
  const connection = toConnection(page, window, (item, cursor) => ({
    cursor,
    node: reached(item, from),
    depth: item.depth,
    search: null,
  }));
  return { ...connection, nodes: connection.edges.map((e) => e.node) };
}

/** Successions of a code: what it replaced (OUT) or what replaced it (IN). */
export async function replacements(
  code: Code,
  direction: Direction.OUT | Direction.IN,
  ctx: Context,
): Promise<Replacement[]> {
  const page = await ctx.loaders.traversal.load(neighborQuery(code, Relation.REPLACES, direction));
  return page.items.map((item) => {
    const edge = edgeOf(item, Relation.REPLACES);
    return { code: reached(item, code), effective: edge.effective, source: edge.source };
  });
}

async function mappings(
  code: Code,
  direction: Direction.OUT | Direction.IN,
  system: CodeSystemId | null,
  ctx: Context,
): Promise<Mapping[]> {
  const page = await ctx.loaders.traversal.load(
    neighborQuery(code, Relation.MAPS_TO, direction, { systems: system ? [system] : null }),
  );
  const found: Mapping[] = page.items.map((item) => {
    const edge = edgeOf(item, Relation.MAPS_TO);
    return { target: reached(item, code), ...edge.flags, source: edge.source };
  });
  if (direction === Direction.OUT) {
    for (const target of code.node.noMapTo) {
      if (system && target !== system) continue;
      found.push({
        target: null,
        approximate: true,
        noMap: true,
        combination: false,
        scenario: 0,
        choiceList: 0,
        source: `General Equivalence Mappings (no ${target} equivalent)`,
      });
    }
  }
  return found;
}
