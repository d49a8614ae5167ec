import { resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_TIME_ZONE, isTimeZone } from "./domain/dates.js";
import { PROJECT_ROOT } from "./project-root.js";

/** A whole number in decimal digits within bounds: "" or "1e2" or "0x1F" are refused, not coerced. */
const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, { message: "must be a whole number in decimal digits" })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/**
 * Every environment variable the service reads, with its default. Parsed once at start;
 * a bad value stops the process with a message naming the variable.
 */
const schema = z
  .object({
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: int(0, 65535).default(4000),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),

    CODEGRAPH_STORE: z.enum(["memory", "neo4j"]).default("memory"),
    /** Where imports into the embedded store are saved, and loaded from at start (relative to the project). */
    CODEGRAPH_DATA_DIR: z.string().min(1).default("data"),
    /** The bundled sample, served when the data folder holds no saved graph. */
    CODEGRAPH_SEED_DIR: z.string().min(1).default("seed"),
    /** Where "today" is read, the default `asOf`: code sets change at local midnight. */
    CODEGRAPH_TIME_ZONE: z
      .string()
      .refine(isTimeZone, { message: "must be an IANA time zone, such as America/Chicago or UTC" })
      .default(DEFAULT_TIME_ZONE),

    NEO4J_URI: z
      .string()
      .regex(/^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\/.+/, {
        message: "must be a neo4j:// or bolt:// URI, such as neo4j://localhost:7687",
      })
      .optional(),
    NEO4J_USER: z.string().min(1).default("neo4j"),
    NEO4J_PASSWORD: z.string().optional(),
    NEO4J_DATABASE: z.string().min(1).default("neo4j"),
    /** How long one Neo4j transaction may run before it is abandoned. */
    NEO4J_TIMEOUT_MS: int(100, 600_000).default(5000),
    /** Rows per UNWIND batch when loading into Neo4j. */
    NEO4J_BATCH_SIZE: int(1, 20_000).default(5000),

    /** Largest `first` a connection accepts. */
    MAX_PAGE_SIZE: int(1, 10_000).default(100),
    /** `first` when a query gives none. */
    DEFAULT_PAGE_SIZE: int(1, 10_000).default(25),
    /** Most codes one `codes(...)` call may resolve. */
    MAX_BATCH_SIZE: int(1, 100_000).default(500),
    /** Deepest selection a query may nest. */
    MAX_QUERY_DEPTH: int(2, 100).default(12),
    /** Most aliases one query may use. */
    MAX_ALIASES: int(1, 1000).default(30),
    /** Highest estimated cost (fields times page sizes) one query may have. */
    MAX_QUERY_COMPLEXITY: int(10, 10_000_000).default(20_000),
    /** Deepest `maxDepth` a hierarchy walk may take. */
    MAX_TRAVERSAL_DEPTH: int(1, 50).default(10),
    /** Largest request body, in bytes. */
    MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default(256 * 1024),
  })
  .superRefine((env, ctx) => {
    if (env.CODEGRAPH_STORE === "neo4j" && !env.NEO4J_URI) {
      ctx.addIssue({
        code: "custom",
        path: ["NEO4J_URI"],
        message: "is required when CODEGRAPH_STORE=neo4j",
      });
    }
    if (env.CODEGRAPH_STORE === "neo4j" && env.NEO4J_PASSWORD === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["NEO4J_PASSWORD"],
        message: "is required when CODEGRAPH_STORE=neo4j",
      });
    }
    if (env.DEFAULT_PAGE_SIZE > env.MAX_PAGE_SIZE) {
      ctx.addIssue({
        code: "custom",
        path: ["DEFAULT_PAGE_SIZE"],
        message: "must not exceed MAX_PAGE_SIZE",
      });
    }
  });

type Env = z.infer<typeof schema>;

export interface Neo4jConfig {
  readonly uri: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly timeoutMs: number;
  readonly batchSize: number;
}

export interface Limits {
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
  readonly maxBatchSize: number;
  readonly maxQueryDepth: number;
  readonly maxAliases: number;
  readonly maxQueryComplexity: number;
  readonly maxTraversalDepth: number;
  readonly maxBodyBytes: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: Env["LOG_LEVEL"];
  readonly store: Env["CODEGRAPH_STORE"];
  readonly dataDir: string;
  readonly seedDir: string;
  /** Where "today", the default `asOf`, is read. */
  readonly timeZone: string;
  readonly neo4j: Neo4jConfig | null;
  readonly limits: Limits;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Reads and validates the configuration from an environment (default: this process's). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    store: e.CODEGRAPH_STORE,
    dataDir: resolve(PROJECT_ROOT, e.CODEGRAPH_DATA_DIR),
    seedDir: resolve(PROJECT_ROOT, e.CODEGRAPH_SEED_DIR),
    timeZone: e.CODEGRAPH_TIME_ZONE,
    neo4j: e.NEO4J_URI
      ? {
          uri: e.NEO4J_URI,
          user: e.NEO4J_USER,
          password: e.NEO4J_PASSWORD ?? "",
          database: e.NEO4J_DATABASE,
          timeoutMs: e.NEO4J_TIMEOUT_MS,
          batchSize: e.NEO4J_BATCH_SIZE,
        }
      : null,
    limits: {
      maxPageSize: e.MAX_PAGE_SIZE,
      defaultPageSize: e.DEFAULT_PAGE_SIZE,
      maxBatchSize: e.MAX_BATCH_SIZE,
      maxQueryDepth: e.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxQueryComplexity: e.MAX_QUERY_COMPLEXITY,
      maxTraversalDepth: e.MAX_TRAVERSAL_DEPTH,
      maxBodyBytes: e.MAX_BODY_BYTES,
    },
  };
}
