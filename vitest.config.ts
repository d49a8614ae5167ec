import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 ships index.js and index.mjs; Vite would pick the .mjs for our sources
    // while type-graphql and Apollo load the .js, and graphql refuses objects from
    // "another module or realm". Force the CommonJS build everywhere.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
