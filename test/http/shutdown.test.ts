import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";

/** Starts `src/main.ts` as `npm start` would (through tsx), on a free port. */
function startProcess(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "src/main.ts")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /codegraph is serving (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!.replace("localhost", "127.0.0.1"));
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`process exited before listening:\n${output}`));
    });
  });
  // A process that is meant to fail never listens: that rejection is expected, not unhandled.
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => output };
}

describe("process", () => {
  it("serves the sample, and on SIGTERM drains and exits 0", async () => {
    const proc = startProcess();
    const url = await proc.listening;
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ codeSystem(id: "ICD10CM") { codeCount } }` }),
    });
    expect(((await response.json()) as any).data.codeSystem.codeCount).toBeGreaterThan(100);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/shutting down: draining requests/);
    expect(proc.output()).toMatch(/"msg":"stopped"/);
  });

  it("refuses to start on a bad setting, naming it", async () => {
    const proc = startProcess({ MAX_PAGE_SIZE: "lots" });
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toMatch(/invalid configuration:\n\s+MAX_PAGE_SIZE:/);
  });
});
