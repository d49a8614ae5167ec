#!/usr/bin/env node
import "reflect-metadata";
import { Command, CommanderError } from "commander";
import { registerDiff } from "./commands/diff.command.js";
import { registerImport } from "./commands/import.command.js";
import { registerServe } from "./commands/serve.command.js";
import { registerDb } from "./commands/db.command.js";
import { registerExport } from "./commands/export.command.js";
import { ConfigError } from "./config.js";

/** `codegraph <command>`: each command lives in src/commands/ and registers itself here. */
const program = new Command()
  .name("codegraph")
  .description("Knowledge graph of medical code systems, served over GraphQL")
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerImport(program);
registerDiff(program);
registerDb(program);
registerExport(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
