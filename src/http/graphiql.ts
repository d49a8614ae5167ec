import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type ApolloServerPlugin } from "@apollo/server";
import { type FastifyInstance } from "fastify";

const require = createRequire(import.meta.url);

/** Where the page's scripts and styles are served from: this service, never a CDN. */
export const ASSET_PREFIX = "/graphiql/assets";

/**
 * GraphiQL and React ship in npm packages as browser bundles; the page loads them from
 * this service, so the playground works offline and behind firewalls.
 */
const PACKAGED_ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  "graphiql.min.css": {
    pkg: "graphiql",
    file: "graphiql.min.css",
    type: "text/css; charset=utf-8",
  },
  "graphiql.min.js": {
    pkg: "graphiql",
    file: "graphiql.min.js",
    type: "text/javascript; charset=utf-8",
  },
  "react.production.min.js": {
    pkg: "react",
    file: "umd/react.production.min.js",
    type: "text/javascript; charset=utf-8",
  },
  "react-dom.production.min.js": {
    pkg: "react-dom",
    file: "umd/react-dom.production.min.js",
    type: "text/javascript; charset=utf-8",
  },
};

/** A file inside an installed package, past its `exports` map (UMD bundles are not exported). */
function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** The query the playground opens with: one code and its linked context. */
export const EXAMPLE_QUERY = `# codegraph: medical codes and how they relate.
# Press the run button (or Ctrl-Enter). Open the docs (book icon) to browse the schema.
query TypeTwoDiabetes {
  code(code: "E11.9") {
    id
    title
    status
    billable
    ancestors { code title level }
    pairedWith(first: 10) {
      totalCount
      edges { kind direction source node { id title } }
    }
    mappedFrom(system: ICD9CM) { target { id title } approximate }
  }
  search(text: "glucose", first: 5) {
    totalCount
    nodes { id title status }
  }
}
`;

const BOOT_SCRIPT = `(() => {
  const fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: ${JSON.stringify(EXAMPLE_QUERY)},
    defaultEditorToolsVisibility: true,
  }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>codegraph · GraphiQL</title>
  <link rel="stylesheet" href="${ASSET_PREFIX}/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading the playground…</div>
  <script src="${ASSET_PREFIX}/react.production.min.js"></script>
  <script src="${ASSET_PREFIX}/react-dom.production.min.js"></script>
  <script src="${ASSET_PREFIX}/graphiql.min.js"></script>
  <script src="${ASSET_PREFIX}/codegraph-graphiql.js"></script>
</body>
</html>
`;

/** Apollo serves this page on a browser's GET of /graphql, in place of its cloud Sandbox. */
export function graphiqlLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
}

/** Serves the page's assets, read once at start from the installed packages. */
export function registerGraphiqlAssets(app: FastifyInstance): void {
  const assets = new Map<string, { body: Buffer | string; type: string }>(
    Object.entries(PACKAGED_ASSETS).map(([name, { pkg, file, type }]) => [
      name,
      { body: readFileSync(packageFile(pkg, file)), type },
    ]),
  );
  assets.set("codegraph-graphiql.js", {
    body: BOOT_SCRIPT,
    type: "text/javascript; charset=utf-8",
  });

  app.get<{ Params: { file: string } }>(`${ASSET_PREFIX}/:file`, async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return reply.code(404).send({ error: "no such asset" });
    return reply
      .header("content-type", asset.type)
      .header("cache-control", "public, max-age=86400")
      .send(asset.body);
  });
  app.get("/", async (_request, reply) => reply.redirect("/graphql"));
}
