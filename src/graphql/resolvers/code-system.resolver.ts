import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import {
  type CodeSystemNodeId,
  parseSystemName,
  codeSystemInfo,
  codeSystemNodes,
} from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { coveredThrough } from "../../domain/release-coverage.js";
import { type Context } from "../context.js";
import { DateScalar } from "../scalars.js";
import { CodeSystem, Release, SystemReplacement, toCodeSystem } from "../types/code-system.type.js";

@ArgsType()
class CodeCountArgs {
  @Field(() => DateScalar, {
    nullable: true,
    description: "Count only codes valid on this date (default: every code held).",
  })
  asOf?: IsoDate | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Count only billable codes (default false).",
  })
  billableOnly?: boolean | null;
}

@Resolver(() => CodeSystem)
export class CodeSystemResolver {
  @Query(() => [CodeSystem], {
    description:
      "Every code system the graph knows, and the two families they belong to (procedure and diagnosis code sets).",
  })
  codeSystems(): CodeSystem[] {
    return codeSystemNodes().map(toCodeSystem);
  }

  @Query(() => CodeSystem, {
    nullable: true,
    description: "One code system or family by id; null for an unknown id.",
  })
  codeSystem(
    @Arg("id", () => ID, {
      description: "A CodeSystemId value, PROCEDURE_CODES or DIAGNOSIS_CODES.",
    })
    id: string,
  ): CodeSystem | null {
    const wanted = id.trim().toUpperCase();
    const info = codeSystemNodes().find((s) => s.id === wanted || s.id === parseSystemName(id));
    return info ? toCodeSystem(info) : null;
  }

  @FieldResolver(() => Int, {
    description:
      "How many codes (headers included) the graph holds for the system; 0 for a family.",
  })
  async codeCount(
    @Root() system: CodeSystem,
    @Args(() => CodeCountArgs) { asOf, billableOnly }: CodeCountArgs,
    @Ctx() ctx: Context,
  ): Promise<number> {
    if (!system.system) return 0;
    return ctx.loaders.codeCounts.load({
      system: system.system,
      asOf: asOf ?? null,
      billableOnly: billableOnly ?? false,
    });
  }

  @FieldResolver(() => [CodeSystem], {
    description: "The systems or families this one is part of (CPT → HCPCS → procedure code sets).",
  })
  subsetOf(@Root() system: CodeSystem): CodeSystem[] {
    return system.info.subsetOf.map((id) => toCodeSystem(codeSystemInfo(id)));
  }

  @FieldResolver(() => [CodeSystem], {
    description: "The systems that are part of this one: the inverse of `subsetOf`.",
  })
  members(@Root() system: CodeSystem): CodeSystem[] {
    return codeSystemNodes()
      .filter((s) => s.subsetOf.includes(system.id as CodeSystemNodeId))
      .map(toCodeSystem);
  }

  @FieldResolver(() => [SystemReplacement], {
    description: "Systems this one replaced, and from when.",
  })
  replaces(@Root() system: CodeSystem): SystemReplacement[] {
    return system.info.replaces.map((r) => ({
      system: toCodeSystem(codeSystemInfo(r.id)),
      effective: r.effective,
    }));
  }

  @FieldResolver(() => [SystemReplacement], {
    description: "Systems that replaced this one, and from when.",
  })
  replacedBy(@Root() system: CodeSystem): SystemReplacement[] {
    return codeSystemNodes().flatMap((s) =>
      s.replaces
        .filter((r) => r.id === system.id)
        .map((r) => ({ system: toCodeSystem(s), effective: r.effective })),
    );
  }

  @FieldResolver(() => DateScalar, {
    nullable: true,
    description:
      "The last day the newest imported release describes (ICD-10: the end of its fiscal year, 30 September; HCPCS, CPT: 31 December of its year). Answers for later dates may be out of date. Null for a system no longer in use (ICD-9-CM) or with no release imported, and for a family.",
  })
  async coveredThrough(@Root() system: CodeSystem, @Ctx() ctx: Context): Promise<IsoDate | null> {
    if (!system.system) return null;
    return coveredThrough(system.system, await ctx.loaders.releases.load(system.system));
  }

  @FieldResolver(() => [Release], {
    description: "Releases of the system loaded into the graph, oldest first.",
  })
  async releases(@Root() system: CodeSystem, @Ctx() ctx: Context): Promise<Release[]> {
    if (!system.system) return [];
    return ctx.loaders.releases.load(system.system);
  }
}
