import { type ApolloServerPlugin } from "@apollo/server";
import { type FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one app instance (its own registry, so tests can run several). */
export interface Metrics {
  readonly registry: Registry;
  readonly apolloPlugin: ApolloServerPlugin;
}

export function createMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: "codegraph_http_request_duration_seconds",
    help: "HTTP request duration by route and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const operations = new Counter({
    name: "codegraph_graphql_operations_total",
    help: "GraphQL operations by type and outcome.",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: "codegraph_graphql_errors_total",
    help: "GraphQL errors by extensions.code.",
    labelNames: ["code"] as const,
    registers: [registry],
  });

  app.addHook("onResponse", async (request, reply) => {
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get("/metrics", async (_request, reply) =>
    reply.header("content-type", registry.contentType).send(await registry.metrics()),
  );

  const apolloPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, errors: raised }) {
          operations.inc({
            type: operation?.operation ?? "unknown",
            outcome: raised?.length ? "error" : "ok",
          });
        },
        async didEncounterErrors({ errors: raised }) {
          for (const e of raised)
            errors.inc({ code: String(e.extensions?.["code"] ?? "INTERNAL_SERVER_ERROR") });
        },
      };
    },
  };
  return { registry, apolloPlugin };
}
