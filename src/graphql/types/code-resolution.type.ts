import { Field, ObjectType } from "type-graphql";
import { CodeStatus } from "../../domain/code-status.js";
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

  @Field(() => String, {
    nullable: true,
    description: "Why the status is what it is, for anything but VALID.",
  })
  message!: string | null;

  @Field(() => [String], {
    description: "For AMBIGUOUS, the ids of every code the input could name; otherwise empty.",
  })
  candidates!: string[];
}
