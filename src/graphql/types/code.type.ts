import { Field, ID, ObjectType } from "type-graphql";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import { CodeStatus, statusAt } from "../../domain/code-status.js";
import { CodeSystemId } from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { type CodeNode, latestVersion, nodeValidity, versionAt } from "../../domain/graph.js";
import { DateScalar } from "../scalars.js";

@ObjectType({
  description: "One state of a code between releases: its titles and whether it was billable.",
})
export class CodeVersion {
  @Field(() => String, { description: "The full title in this version." })
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: "The abbreviated title in this version, where the release has one.",
  })
  shortTitle!: string | null;

  @Field(() => Boolean, { description: "Whether the code was reportable in this version." })
  billable!: boolean;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day of this version; null when unknown.",
  })
  validFrom!: IsoDate | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "Last day of this version; null while current.",
  })
  validTo!: IsoDate | null;
}

@ObjectType({
  description: "A named detail a release gives for a code (HCPCS action code, BETOS category ...).",
})
export class Attribute {
  @Field(() => String, { description: "The detail's name, as in the release's record layout." })
  name!: string;

  @Field(() => String, { description: "Its value." })
  value!: string;
}

@ObjectType({
  description:
    "A code of one code system, shown as of a date (`asOf`): titles, billable flag and status are those in force on that date, and relationships are those valid on it.",
})
export class Code {
  @Field(() => ID, { description: "Stable id, `SYSTEM:CODE`, such as `ICD10CM:E11.9`." })
  id!: string;

  @Field(() => String, {
    description: "The code as coders write it, such as `E11.9`, `0DTJ4ZZ`, `A4206`, `250.00`.",
  })
  code!: string;

  @Field(() => CodeSystemId, { description: "The code system the code belongs to." })
  system!: CodeSystemId;

  @Field(() => String, {
    description:
      "The full title on `asOf` (the latest one when the code was not valid then). CPT titles are short paraphrases unless a licensed CPT file was imported.",
  })
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: "The abbreviated title on `asOf`, where the release has one.",
  })
  shortTitle!: string | null;

  @Field(() => CodeKind, { description: "What the code stands for." })
  kind!: CodeKind;

  @Field(() => CodeLevel, { description: "Where the code sits in its system's hierarchy." })
  level!: CodeLevel;

  @Field(() => Boolean, {
    description:
      "Whether the code is reportable on a claim on `asOf` (false for headers and codes not valid then).",
  })
  billable!: boolean;

  @Field(() => CodeStatus, {
    description: "What the code is on `asOf`: VALID, HEADER, DELETED or NOT_YET_VALID.",
  })
  status!: CodeStatus;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day the code was valid; null when unknown.",
  })
  validFrom!: IsoDate | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "Last day the code was valid; null while it is still valid.",
  })
  validTo!: IsoDate | null;

  @Field(() => DateScalar, { description: "The date this code is shown as of." })
  asOf!: IsoDate;

  /** The stored node, for field resolvers; not exposed. */
  node!: CodeNode;
}

/** Shows a stored node as of a date. */
export function toCode(node: CodeNode, asOf: IsoDate): Code {
  const version = versionAt(node, asOf);
  const shown = version ?? latestVersion(node);
  const { validFrom, validTo } = nodeValidity(node);
  return {
    id: node.id,
    code: node.code,
    system: node.system,
    title: shown.title,
    shortTitle: shown.shortTitle,
    kind: node.kind,
    level: node.level,
    billable: version?.billable ?? false,
    status: statusAt(node, asOf),
    validFrom,
    validTo,
    asOf,
    node,
  };
}
