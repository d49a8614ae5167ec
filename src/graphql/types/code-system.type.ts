import { Field, ID, Int, ObjectType } from "type-graphql";
import { CodeSystemId, type CodeSystemInfo } from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { DateScalar } from "../scalars.js";

@ObjectType({ description: "One imported release of a code system." })
export class Release {
  @Field(() => CodeSystemId, { description: "The system released." })
  system!: CodeSystemId;

  @Field(() => String, { description: "Release label, such as FY2026 or 2019." })
  version!: string;

  @Field(() => DateScalar, { description: "First day the release is in force." })
  effective!: IsoDate;

  @Field(() => String, { description: "The file the release was imported from." })
  source!: string;

  @Field(() => String, { description: "When it was imported (ISO 8601 timestamp)." })
  importedAt!: string;

  @Field(() => String, { description: "SHA-256 of the imported file, hex." })
  sha256!: string;

  @Field(() => Int, { description: "Codes the release file held." })
  codeCount!: number;
}

@ObjectType({
  description:
    "A code system, or a family of code systems (procedure or diagnosis code sets). Systems relate: CPT is a subset of HCPCS; HCPCS and ICD-10-PCS are procedure code sets; ICD-10-CM replaced ICD-9-CM on 2015-10-01.",
})
export class CodeSystem {
  @Field(() => ID, {
    description:
      "The system's id (a CodeSystemId value), or the family's: PROCEDURE_CODES, DIAGNOSIS_CODES.",
  })
  id!: string;

  @Field(() => CodeSystemId, {
    nullable: true,
    description: "The system as a CodeSystemId, for filters; null for a family.",
  })
  system!: CodeSystemId | null;

  @Field(() => String, { description: "Official name." })
  name!: string;

  @Field(() => String, { description: "Who maintains and publishes it." })
  publisher!: string;

  @Field(() => String, { description: "What it codes, in a sentence." })
  description!: string;

  @Field(() => Boolean, {
    description: "True for a family of systems, which holds no codes of its own.",
  })
  isFamily!: boolean;

  @Field(() => Boolean, {
    description: "Whether its descriptors are public domain (false for CPT: AMA copyright).",
  })
  publicDomain!: boolean;

  /** The domain record, for field resolvers. */
  info!: CodeSystemInfo;
}

@ObjectType({ description: "One code system replacing another from a date." })
export class SystemReplacement {
  @Field(() => CodeSystem, { description: "The other system." })
  system!: CodeSystem;

  @Field(() => DateScalar, { description: "First day the new system is used." })
  effective!: IsoDate;
}

export function toCodeSystem(info: CodeSystemInfo): CodeSystem {
  return {
    id: info.id,
    system: info.isFamily ? null : (info.id as CodeSystemId),
    name: info.name,
    publisher: info.publisher,
    description: info.description,
    isFamily: info.isFamily,
    publicDomain: info.publicDomain,
    info,
  };
}
