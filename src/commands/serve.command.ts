import { type Command } from "commander";
import { loadConfig } from "../config.js";
import { serve } from "../serve.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the GraphQL API (configuration from the environment; see .env.example)")
    .option("-p, --port <port>", "port to listen on (overrides PORT)")
    .action(async (options: { port?: string }) => {
      await serve(loadConfig({ ...process.env, ...(options.port ? { PORT: options.port } : {}) }));
    });
}
