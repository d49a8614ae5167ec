import { type FastifyInstance } from "fastify";
import { pino } from "pino";
import { type Limits } from "../../src/config.js";
import { buildApp } from "../../src/http/app.js";
import { type GraphStore } from "../../src/store/graph-store.js";
import { openSeededMemoryStore } from "../../src/store/open-store.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { DEFAULT_LIMITS } from "./graphql-harness.js";

export interface RunningApp {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/** The real HTTP app on an ephemeral port, over the bundled sample unless a store is given. */
export async function startApp(
  options: { store?: GraphStore; limits?: Partial<Limits> } = {},
): Promise<RunningApp> {
  const store = options.store ?? (await openSeededMemoryStore(`${PROJECT_ROOT}/seed`));
  const app = await buildApp({
    store,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    logger: pino({ level: "silent" }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export async function postGraphql(
  url: string,
  query: string,
  variables?: object,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}
