import { pino, type Logger } from "pino";
import { type Config } from "./config.js";

/** JSON logs on stdout (pipe through pino-pretty to read them by eye). */
export function createLogger(level: Config["logLevel"]): Logger {
  return pino({ level, base: { service: "codegraph" } });
}
