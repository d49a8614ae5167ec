import { Field, Float, Int, ObjectType } from "type-graphql";
import { ExclusionKind, PairingKind } from "../../domain/relationship.js";
import { type IsoDate } from "../../domain/dates.js";
import { SearchMatchKind } from "../../store/graph-store.js";
import { EdgeDirection } from "../enums.js";
import { DateScalar } from "../scalars.js";
import { Code } from "./code.type.js";

@ObjectType({ description: "Where a page sits in its list (Relay cursor connections)." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether more items follow this page." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Whether items precede this page." })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "Cursor of the first item on the page; null when the page is empty.",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Cursor of the last item on the page: pass it as `after` for the next page.",
  })
  endCursor!: string | null;
}

@ObjectType({ description: "Why a code matched a search." })
export class SearchMatch {
  @Field(() => Float, {
    description: "Relevance; higher is better; comparable within one result list only.",
  })
  score!: number;

  @Field(() => SearchMatchKind, { description: "What part of the code matched." })
  matchedOn!: SearchMatchKind;

  @Field(() => String, {
    nullable: true,
    description: "The title or synonym that matched, for word matches.",
  })
  matchedText!: string | null;
}

@ObjectType({ description: "A code in a list, with its cursor." })
export class CodeEdge {
  @Field(() => String, { description: "Opaque position of this item, for `after`." })
  cursor!: string;

  @Field(() => Code, { description: "The code." })
  node!: Code;

  @Field(() => Int, {
    nullable: true,
    description: "Levels below the code asked about, for descendants; null elsewhere.",
  })
  depth!: number | null;

  @Field(() => SearchMatch, {
    nullable: true,
    description: "Why the code matched, for search results; null elsewhere.",
  })
  search!: SearchMatch | null;
}

@ObjectType({ description: "A page of codes (Relay cursor connection)." })
export class CodeConnection {
  @Field(() => [CodeEdge], { description: "The codes on this page, with cursors." })
  edges!: CodeEdge[];

  @Field(() => [Code], { description: "The codes on this page, without cursors." })
  nodes!: Code[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many codes the whole list holds." })
  totalCount!: number;
}

@ObjectType({
  description: "A code paired with the one asked about, and the evidence for the pairing.",
})
export class PairingEdge {
  @Field(() => String, { description: "Opaque position of this item, for `after`." })
  cursor!: string;

  @Field(() => Code, { description: "The paired code." })
  node!: Code;

  @Field(() => PairingKind, { description: "Why the codes are paired." })
  kind!: PairingKind;

  @Field(() => EdgeDirection, {
    description:
      "OUTGOING when the code asked about, or a code above it (see `inheritedFrom`), bears the instruction (E11 → Z79.4 for use additional code), or the code is the diagnosis supporting the procedure; INCOMING otherwise.",
  })
  direction!: EdgeDirection;

  @Field(() => Code, {
    nullable: true,
    description:
      "The code above this one (subcategory, category, block or chapter) whose note this is, when the code takes it from there; null when the note is on the code itself or the other code bears it.",
  })
  inheritedFrom!: Code | null;

  @Field(() => String, {
    description: "Where the pairing comes from: a release file, a guideline, a claims extract.",
  })
  source!: string;

  @Field(() => Float, {
    nullable: true,
    description: "Strength in [0, 1] where the source gives one.",
  })
  score!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Encounters carrying both codes (claims pairings).",
  })
  support!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Share of encounters with the source code that also carry the target (claims pairings).",
  })
  confidence!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Share of encounters with the target code that also carry the source (claims pairings).",
  })
  reverseConfidence!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Confidence over the target's base rate; above 1 means paired more than by chance.",
  })
  lift!: number | null;

  @Field(() => String, {
    nullable: true,
    description: "The instruction's wording or the curator's reason.",
  })
  note!: string | null;
}

@ObjectType({ description: "A page of pairings (Relay cursor connection)." })
export class PairingConnection {
  @Field(() => [PairingEdge], { description: "The pairings on this page, strongest first." })
  edges!: PairingEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many pairings the whole list holds." })
  totalCount!: number;
}

@ObjectType({ description: "A succession: one code replacing another from a date." })
export class Replacement {
  @Field(() => Code, {
    description:
      "The other code: the replacement (in `replacedBy`) or the replaced code (in `replaces`).",
  })
  code!: Code;

  @Field(() => DateScalar, { description: "First day the new code is to be used." })
  effective!: IsoDate;

  @Field(() => String, {
    description: "Where the succession comes from (conversion table, HCPCS cross-reference ...).",
  })
  source!: string;
}

@ObjectType({
  description:
    "A General Equivalence Mappings (GEM) entry between ICD-9-CM and ICD-10, with its flags decoded.",
})
export class Mapping {
  @Field(() => Code, {
    nullable: true,
    description:
      "The code at the other end: the code mapped to (in `mapsTo`), or the code mapped from (in `mappedFrom`); null for a no-map entry.",
  })
  target!: Code | null;

  @Field(() => Boolean, { description: "The target is close in meaning, not identical." })
  approximate!: boolean;

  @Field(() => Boolean, { description: "The source has no equivalent in the target system." })
  noMap!: boolean;

  @Field(() => Boolean, {
    description: "The source needs several target codes together (see scenario and choiceList).",
  })
  combination!: boolean;

  @Field(() => Int, {
    description: "The combination scenario this entry belongs to; 0 when not a combination.",
  })
  scenario!: number;

  @Field(() => Int, {
    description: "The list of the scenario the target is chosen from; 0 when not a combination.",
  })
  choiceList!: number;

  @Field(() => String, { description: "The GEM file the entry comes from." })
  source!: string;
}

@ObjectType({ description: "An ICD-10-CM Excludes1 or Excludes2 note between two codes." })
export class Exclusion {
  @Field(() => Code, { description: "The other code." })
  code!: Code;

  @Field(() => ExclusionKind, {
    description: "Excludes1 (never together) or Excludes2 (not part of this code).",
  })
  kind!: ExclusionKind;

  @Field(() => EdgeDirection, {
    description:
      "OUTGOING when the note is on the code asked about or on a code above it (see `inheritedFrom`); INCOMING when another code's note names it.",
  })
  direction!: EdgeDirection;

  @Field(() => Code, {
    nullable: true,
    description:
      "The code above this one (subcategory, category, block or chapter) whose note this is, when the code takes it from there; null when the note is on the code itself or the other code bears it.",
  })
  inheritedFrom!: Code | null;

  @Field(() => String, { nullable: true, description: "The note's wording." })
  note!: string | null;

  @Field(() => String, { description: "Where the note comes from." })
  source!: string;
}
