import "reflect-metadata";
import { ConfigError, loadConfig } from "./config.js";
import { serve } from "./serve.js";

/** `npm start`: serve with the configuration from the environment. */
try {
  await serve(loadConfig());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
}
