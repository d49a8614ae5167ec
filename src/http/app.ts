import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import { type Logger } from "pino";
import { type Limits } from "../config.js";
import { DEFAULT_TIME_ZONE, today } from "../domain/dates.js";
import { createContextFactory } from "../graphql/context.js";
import { buildCodegraphSchema } from "../graphql/schema.js";
import { createApolloServer } from "../graphql/server.js";
import { type GraphStore } from "../store/graph-store.js";
import { graphiqlLandingPage, registerGraphiqlAssets } from "./graphiql.js";
import { createMetrics } from "./metrics.js";

export interface AppOptions {
  readonly store: GraphStore;
  readonly limits: Limits;
  readonly logger: Logger;
  /** Where "today", the default `asOf`, is read (default DEFAULT_TIME_ZONE). */
  readonly timeZone?: string;
}

/** Request lines at debug level: one line per request would drown the log at load. */
class QuietRequestLog extends LogController {
  override incomingRequest(request: Parameters<LogController["incomingRequest"]>[0]): void {
    request.log.debug({ method: request.method, url: request.url }, "incoming request");
  }

  override requestCompleted(
    ...[error, request, reply]: Parameters<LogController["requestCompleted"]>
  ): void {
    if (error)
      reply.log.error({ err: error, url: request.url, status: reply.statusCode }, "request failed");
    else
      reply.log.debug(
        { url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
        "request completed",
      );
  }
}

/** HTTP-level refusals, in the shape GraphQL clients read. */
function graphqlShapedError(error: FastifyError): { status: number; body: object } | undefined {
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return {
      status: 413,
      body: { errors: [{ message: error.message, extensions: { code: "PAYLOAD_TOO_LARGE" } }] },
    };
  }
  if (
    error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ||
    error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
  ) {
    return {
      status: 415,
      body: { errors: [{ message: error.message, extensions: { code: "BAD_REQUEST" } }] },
    };
  }
  if (error.statusCode === 400) {
    return {
      status: 400,
      body: { errors: [{ message: error.message, extensions: { code: "BAD_REQUEST" } }] },
    };
  }
  return undefined;
}

/**
 * The HTTP service: GraphQL (and the GraphiQL playground) at /graphql, liveness at
 * /healthz, readiness at /readyz (the store answers), Prometheus metrics at /metrics.
 * Not listening yet: the caller listens, and closes it to drain.
 */
export async function buildApp({
  store,
  limits,
  logger,
  timeZone = DEFAULT_TIME_ZONE,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new QuietRequestLog(),
    bodyLimit: limits.maxBodyBytes,
    return503OnClosing: true,
  });
  const metrics = createMetrics(app);
  const schema = await buildCodegraphSchema();
  const apollo = createApolloServer({
    schema,
    limits,
    logger,
    plugins: [fastifyApolloDrainPlugin(app), graphiqlLandingPage(), metrics.apolloPlugin],
  });
  await apollo.start();

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const shaped = graphqlShapedError(error);
    if (shaped) return reply.code(shaped.status).send(shaped.body);
    request.log.error({ err: error }, "unhandled HTTP error");
    return reply.code(500).send({
      errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    });
  });

  await app.register(fastifyApollo(apollo), {
    context: createContextFactory(store, limits, () => today(timeZone)),
  });
  registerGraphiqlAssets(app);

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const health = await store.health();
    return reply
      .code(health.ready ? 200 : 503)
      .send({ ready: health.ready, store: store.name, reason: health.reason });
  });
  return app;
}
