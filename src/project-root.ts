import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json, found from this file whether it runs from `src/`
 * (tsx, vitest) or from `dist/src/` (node): bundled folders like `seed/` and `cypher/`
 * resolve against it, not against the working directory.
 */
export const PROJECT_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the project root (no package.json above src/)");
    dir = up;
  }
  return dir;
})();
