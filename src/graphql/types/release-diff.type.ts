import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { CodeSystemId } from "../../domain/code-system.js";
import {
  CodeChangeField,
  CodeChangeStatus,
  type ReleaseDiff as ReleaseDiffData,
} from "../../import/release-diff.js";
import { Release } from "./code-system.type.js";

registerEnumType(CodeChangeStatus, {
  name: "CodeChangeStatus",
  description: "How a code differs between two releases.",
  valuesConfig: {
    ADDED: { description: "Not valid in the first release, valid in the second." },
    DELETED: { description: "Valid in the first release, no longer in the second." },
    REVISED: {
      description: "Valid in both, with a different title, short title or billable flag.",
    },
  },
});

registerEnumType(CodeChangeField, {
  name: "CodeChangeField",
  description: "What a revision changed.",
  valuesConfig: {
    TITLE: { description: "The full title." },
    SHORT_TITLE: { description: "The abbreviated title." },
    BILLABLE: {
      description: "Whether the code is reportable (a code turned into a header, or back).",
    },
  },
});

@ObjectType({ description: "A code's state in one release." })
export class CodeState {
  @Field(() => String, { description: "The full title." })
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: "The abbreviated title, where the release has one.",
  })
  shortTitle!: string | null;

  @Field(() => Boolean, { description: "Whether the code was reportable." })
  billable!: boolean;
}

@ObjectType({ description: "One code that differs between two releases." })
export class CodeChange {
  @Field(() => ID, {
    description: "The code's id, `SYSTEM:CODE`; look it up with `code` for its relationships.",
  })
  id!: string;

  @Field(() => String, { description: "The code as coders write it." })
  code!: string;

  @Field(() => CodeChangeStatus, { description: "Added, deleted or revised." })
  status!: CodeChangeStatus;

  @Field(() => CodeState, {
    nullable: true,
    description: "Its state in the first release; null when added.",
  })
  before!: CodeState | null;

  @Field(() => CodeState, {
    nullable: true,
    description: "Its state in the second release; null when deleted.",
  })
  after!: CodeState | null;

  @Field(() => [CodeChangeField], {
    description: "What a revision changed; empty for additions and deletions.",
  })
  changes!: CodeChangeField[];
}

@ObjectType({ description: "How many codes were added, deleted and revised." })
export class ReleaseDiffCounts {
  @Field(() => Int, { description: "Codes added." })
  added!: number;

  @Field(() => Int, { description: "Codes deleted." })
  deleted!: number;

  @Field(() => Int, { description: "Codes revised." })
  revised!: number;
}

@ObjectType({
  description:
    "What changed in a code system between two imported releases: codes added, deleted and revised (title, short title or billable flag), each in code order. A code counts as in a release when it is valid on the release's effective date.",
})
export class ReleaseDiff {
  @Field(() => CodeSystemId, { description: "The system compared." })
  system!: CodeSystemId;

  @Field(() => Release, { description: "The first release." })
  from!: Release;

  @Field(() => Release, { description: "The second release." })
  to!: Release;

  @Field(() => ReleaseDiffCounts, { description: "How many codes each list holds." })
  counts!: ReleaseDiffCounts;

  @Field(() => [CodeChange], { description: "Codes valid in `to` but not in `from`." })
  added!: CodeChange[];

  @Field(() => [CodeChange], { description: "Codes valid in `from` but not in `to`." })
  deleted!: CodeChange[];

  @Field(() => [CodeChange], {
    description: "Codes valid in both whose title, short title or billable flag differs.",
  })
  revised!: CodeChange[];
}

/** The GraphQL shape of a computed diff. */
export function toReleaseDiff(diff: ReleaseDiffData): ReleaseDiff {
  const changes = (list: ReleaseDiffData["added"]): CodeChange[] =>
    list.map((c) => ({
      ...c,
      before: c.before && { ...c.before },
      after: c.after && { ...c.after },
      changes: [...c.changes],
    }));
  return {
    system: diff.system,
    from: { ...diff.from },
    to: { ...diff.to },
    counts: {
      added: diff.added.length,
      deleted: diff.deleted.length,
      revised: diff.revised.length,
    },
    added: changes(diff.added),
    deleted: changes(diff.deleted),
    revised: changes(diff.revised),
  };
}
