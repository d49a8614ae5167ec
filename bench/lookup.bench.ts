/**
 * `npm run bench`: lookup-by-code throughput of the service against a bare node:http
 * server answering the same JSON from a Map, both started in this run as child
 * processes and driven alike by autocannon (10 connections, 10 s each by default).
 * Prints requests/s and p99 latency of each and their ratio; writes a report to
 * bench/reports/. Set BENCH_SECONDS to shorten a smoke run, BENCH_SKIP_BUILD=1 to reuse dist/.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { loadSeed } from "../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../src/project-root.js";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 10);
const CONNECTIONS = 10;
const QUERY = `query Lookup($code: String!) { code(code: $code) { id code system title status billable } }`;

/** Starts a child process and resolves with the port it prints. */
function start(
  command: string,
  args: string[],
  env: Record<string, string>,
  portPattern: RegExp,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = portPattern.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on("exit", (code) =>
      reject(new Error(`${command} exited with ${code} before listening:\n${output}`)),
    );
  });
}

async function drive(port: number, ids: readonly string[]): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: "POST",
        path: "/graphql",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ query: QUERY, variables: { code: ids[next++ % ids.length] } }),
        }),
      },
    ],
  });
}

if (process.env["BENCH_SKIP_BUILD"] !== "1") {
  console.log("building…");
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
  });
}
const ids = (await loadSeed(join(PROJECT_ROOT, "seed"))).codes.map((c) => c.id);

const service = await start(
  process.execPath,
  ["dist/src/main.js"],
  { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
  /"port":(\d+)/,
);
const bare = await start(
  process.execPath,
  ["--import", "tsx", "bench/bare-lookup-server.ts"],
  {},
  /listening on (\d+)/,
);

try {
  // Warm both (JIT, caches) before measuring.
  for (const port of [service.port, bare.port]) {
    const warm = await autocannon({
      url: `http://127.0.0.1:${port}/graphql`,
      connections: CONNECTIONS,
      amount: 2000,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: QUERY, variables: { code: ids[0] } }),
    });
    if (warm.non2xx > 0)
      throw new Error(`warm-up on port ${port} got ${warm.non2xx} non-2xx answers`);
  }
  console.log(
    `driving each for ${SECONDS} s with ${CONNECTIONS} connections over ${ids.length} codes…`,
  );
  const measured = { service: await drive(service.port, ids), bare: await drive(bare.port, ids) };
  for (const [name, r] of Object.entries(measured)) {
    if (r.errors > 0 || r.non2xx > 0)
      throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
  }
  // autocannon counts latency in whole milliseconds: a p99 under 1 ms reads as 0, and its
  // mean is skewed toward 0 the same way. With a fixed number of connections each waiting
  // on its answer, the true mean follows from Little's law: connections / throughput.
  const meanMs = (r: autocannon.Result) => (CONNECTIONS * 1000) / r.requests.average;
  const p99 = (r: autocannon.Result) => (r.latency.p99 < 1 ? "<1" : r.latency.p99.toFixed(0));
  const row = (name: string, r: autocannon.Result) =>
    `| ${name.padEnd(28)} | ${r.requests.average.toFixed(0).padStart(8)} | ${meanMs(r).toFixed(2).padStart(9)} | ${p99(r).padStart(8)} | ${r.requests.total.toString().padStart(9)} |`;
  const { service: svc, bare: base } = measured;
  const p99Ratio =
    base.latency.p99 < 1
      ? `at least ${svc.latency.p99.toFixed(0)} (the bare p99 is under autocannon's 1 ms resolution)`
      : (svc.latency.p99 / base.latency.p99).toFixed(2);
  const report = [
    `lookup by code, ${CONNECTIONS} connections, ${SECONDS} s each, ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores`,
    "",
    "| server                       |    req/s | mean (ms) | p99 (ms) |  requests |",
    "|------------------------------|---------:|----------:|---------:|----------:|",
    row("codegraph (GraphQL, memory)", svc),
    row("bare node:http + Map", base),
    "",
    `throughput ratio (codegraph / bare): ${(svc.requests.average / base.requests.average).toFixed(3)}`,
    `mean latency ratio (codegraph / bare): ${(meanMs(svc) / meanMs(base)).toFixed(2)}`,
    `p99 ratio (codegraph / bare): ${p99Ratio}`,
  ].join("\n");
  console.log(`\n${report}`);
  writeFileSync(
    join(PROJECT_ROOT, "bench", "reports", "lookup.md"),
    `# Lookup benchmark\n\n\`npm run bench\`\n\n${report}\n`,
  );
} finally {
  service.child.kill("SIGTERM");
  bare.child.kill("SIGTERM");
}
