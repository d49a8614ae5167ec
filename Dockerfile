# codegraph: the GraphQL API and its CLI (serve, import, db:migrate, db:seed, export).
# Build: docker build -t codegraph .   Run: see docker-compose.yml and docs/neo4j.md.

# Node 22 (LTS): Node 20 reached its end of life on 2026-04-30. The code needs 20.11 or
# later (package.json engines), so 22 runs it unchanged.

# --- build: compile TypeScript with the dev dependencies --------------------------------
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, compiled code, and the folders read at run time ---
FROM node:22-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at start-up, found from package.json (src/project-root.ts): the Cypher statements
# of the Neo4j store and the bundled sample graph.
COPY cypher ./cypher
COPY seed ./seed
# The embedded store saves imports here (CODEGRAPH_DATA_DIR); owned by the unprivileged user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
# Ready means the store answers (/readyz): 503 while Neo4j is down or not migrated yet.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["serve"]
