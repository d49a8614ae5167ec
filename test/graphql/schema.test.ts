import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  printSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import { buildCodegraphSchema } from "../../src/graphql/schema.js";
import { PROJECT_ROOT } from "../../src/project-root.js";

const BUILT_IN_SCALARS = new Set(["String", "Int", "Float", "Boolean", "ID"]);

/** Everything in the schema a reader might need explained, as "Type", "Type.field", "Type.field(arg)", "Enum.VALUE". */
function undescribed(types: readonly GraphQLNamedType[]): string[] {
  const missing: string[] = [];
  const need = (label: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(label);
  };
  for (const type of types) {
    if (type.name.startsWith("__") || BUILT_IN_SCALARS.has(type.name)) continue;
    if (!["Query", "Mutation", "Subscription"].includes(type.name))
      need(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(`${type.name}.${field.name}`, field.description);
        for (const arg of "args" in field ? field.args : [])
          need(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isEnumType(type))
      for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    if (isScalarType(type) || isUnionType(type)) need(type.name, type.description);
  }
  return missing;
}

describe("schema", () => {
  it("describes every type, field, argument and enum value", async () => {
    const schema = await buildCodegraphSchema();
    expect(undescribed(Object.values(schema.getTypeMap()))).toEqual([]);
  });

  it("matches schema/schema.graphql (run `npm run schema:print` after changing the API)", async () => {
    const committed = readFileSync(join(PROJECT_ROOT, "schema", "schema.graphql"), "utf8");
    const printed = printSchema(await buildCodegraphSchema());
    expect(committed).toContain(printed);
  });

  it("pages every list that can grow large with a Relay connection", async () => {
    const schema = await buildCodegraphSchema();
    const code = schema.getType("Code");
    if (!isObjectType(code)) throw new Error("no Code type");
    for (const name of ["children", "descendants", "pairedWith"]) {
      const field = code.getFields()[name]!;
      expect(field.type.toString(), name).toMatch(/Connection!$/);
      expect(
        field.args.map((a) => a.name),
        name,
      ).toEqual(expect.arrayContaining(["first", "after"]));
    }
  });
});
