import { Field, ObjectType } from "type-graphql";
import { CodeStatus } from "../../domain/code-status.js";
import { type CodeSystemId } from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import { Code } from "./code.type.js";

@ObjectType({
  description:
    "The answer for one input of `codes`: what the string is on the date asked, and the code it names when there is one.",
})
export class CodeResolution {
  @Field(() => String, { description: "The input string, as given." })
  input!: string;

  @Field(() => CodeStatus, { description: "What the input is on the date asked." })
  status!: CodeStatus;

  @Field(() => Code, {
    nullable: true,
    description: "The code, when the graph holds it (also when DELETED or a HEADER).",
  })
  code!: Code | null;

  /** Why the status is what it is; the `message` field adds any release-coverage warning. */
  statusMessage!: string | null;

  /** The systems the answer is about (the code's, or an unknown input's readings). */
  systems!: CodeSystemId[];

  /** The date asked. */
  asOf!: IsoDate;

  @Field(() => [String], {
    description: "For AMBIGUOUS, the ids of every code the input could name; otherwise empty.",
  })
  candidates!: string[];
}
