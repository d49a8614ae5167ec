/**
 * Validates a seed folder and prints what it holds: `tsx scripts/validate-seed.ts [dir]`.
 * Exits 1 with file and line on the first problem.
 */
import { resolve } from "node:path";
import { loadSeed } from "../src/import/seed-loader.js";

const dir = resolve(process.argv[2] ?? "seed");
try {
  const records = await loadSeed(dir);
  const count = (keys: string[]) =>
    keys.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {});
  console.log(
    JSON.stringify(
      {
        codes: count(records.codes.map((c) => c.system)),
        edges: count(records.edges.map((e) => e.relation)),
      },
      null,
      2,
    ),
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
