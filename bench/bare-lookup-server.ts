/**
 * The baseline for bench/lookup.bench.ts: a bare node:http server that answers the same
 * lookup request with the same JSON bytes the service would, from a Map filled at start.
 * No GraphQL, no validation, no store: the floor any GraphQL service sits above.
 */
import { createServer } from "node:http";
import { statusAt } from "../src/domain/code-status.js";
import { latestVersion, versionAt } from "../src/domain/graph.js";
import { loadSeed } from "../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../src/project-root.js";

const asOf = new Date().toISOString().slice(0, 10);
const records = await loadSeed(`${PROJECT_ROOT}/seed`);
const answers = new Map<string, string>();
for (const node of records.codes) {
  const version = versionAt(node, asOf) ?? latestVersion(node);
  const body = JSON.stringify({
    data: {
      code: {
        id: node.id,
        code: node.code,
        system: node.system,
        title: version.title,
        status: statusAt(node, asOf),
        billable: versionAt(node, asOf)?.billable ?? false,
      },
    },
  });
  answers.set(node.id, body + "\n");
}
const miss = JSON.stringify({ data: { code: null } }) + "\n";

const server = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const { variables } = JSON.parse(body) as { variables: { code: string } };
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    response.end(answers.get(variables.code) ?? miss);
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (typeof address === "object" && address) console.log(`listening on ${address.port}`);
});
