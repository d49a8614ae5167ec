import { createRequire } from "node:module";
import type * as QueryComplexity from "graphql-query-complexity";

/**
 * graphql-query-complexity's ES module build imports `graphql/index.mjs`, a second copy of
 * graphql beside the `index.js` every other package here loads ("Cannot use
 * GraphQLObjectType from another module or realm"). Its CommonJS build shares ours.
 */
const require = createRequire(import.meta.url);
const loaded = require("graphql-query-complexity") as typeof QueryComplexity;

export const { getComplexity, fieldExtensionsEstimator, simpleEstimator } = loaded;
