/**
 * Prints the schema built from the code to schema/schema.graphql, or with `--check`
 * fails when the committed file differs from it (schema drift).
 */
import "reflect-metadata";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { printSchema } from "graphql";
import { buildCodegraphSchema } from "../src/graphql/schema.js";
import { PROJECT_ROOT } from "../src/project-root.js";

const file = join(PROJECT_ROOT, "schema", "schema.graphql");
const header =
  "# Printed from the code by `npm run schema:print`; do not edit. CI fails when it drifts.\n\n";
const printed = header + printSchema(await buildCodegraphSchema()) + "\n";

if (process.argv.includes("--check")) {
  const committed = await readFile(file, "utf8").catch(() => "");
  if (committed !== printed) {
    console.error(
      `${file} differs from the schema the code builds: run \`npm run schema:print\` and commit it.`,
    );
    process.exit(1);
  }
  console.log("schema/schema.graphql matches the code");
} else {
  await writeFile(file, printed);
  console.log(`wrote ${file}`);
}
