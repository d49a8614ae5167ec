import { type Config } from "./config.js";
import { buildApp } from "./http/app.js";
import { createLogger } from "./logger.js";
import { openStore } from "./store/open-store.js";

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Opens the configured store, serves it over HTTP, and on SIGTERM or SIGINT stops taking
 * requests, lets those in flight finish, closes the store and exits.
 */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const store = await openStore(config, logger);
  const app = await buildApp({ store, limits: config.limits, logger, timeZone: config.timeZone });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ store: store.name, port }, `codegraph is serving http://localhost:${port}/graphql`);
  // Ready already; the indexes the first search and walk need are built now, not on them.
  if (store.warm) {
    const started = performance.now();
    void store.warm().then(
      () => logger.info({ ms: Math.round(performance.now() - started) }, "indexes built"),
      (error: unknown) => logger.error({ err: error }, "could not build the indexes ahead of use"),
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining requests");
    const timer = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    try {
      await app.close();
      await store.close();
      logger.info("stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "error while shutting down");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
