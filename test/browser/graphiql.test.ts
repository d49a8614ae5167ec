import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startApp } from "../support/http-harness.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `browser tests skipped: no ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`,
  );

describe.skipIf(!available)("GraphiQL playground in a real browser", () => {
  let running: RunningApp;
  let browser: Browser;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    running = await startApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it("loads from this service alone, runs the example query and shows the result", async () => {
    const page = await browser.newPage();
    page.on("request", (request) => {
      if (!request.url().startsWith(running.url) && !request.url().startsWith("data:"))
        foreignRequests.push(request.url());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${running.url}/graphql`);
    await page.locator(".graphiql-container").waitFor();
    await page.locator(".graphiql-execute-button").click();
    const result = page.locator(".result-window");
    await expect
      .poll(() => result.innerText(), { timeout: 15_000 })
      .toContain('"id": "ICD10CM:E11.9"');
    const text = await result.innerText();
    expect(text).toContain("Type 2 diabetes mellitus without complications");
    expect(text).toContain('"kind": "SUPPORTS"');
    await page.screenshot({ path: "/tmp/codegraph-graphiql.png" });

    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("runs a query typed by the user and shows errors with their code", async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/graphql`);
    await page.locator(".graphiql-query-editor .CodeMirror").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(`{ code(code: "E1.19", system: ICD10CM) { id } }`);
    const result = page.locator(".result-window");
    // GraphiQL re-parses the editor after a short debounce; run until it sends the edit.
    await expect
      .poll(
        async () => {
          await page.keyboard.press("Control+Enter");
          return result.innerText();
        },
        { timeout: 15_000, interval: 250 },
      )
      .toContain('"code": "BAD_USER_INPUT"');
    expect(await result.innerText()).toContain("dot follows the third character");
  });

  it("documents the schema in the explorer", async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/graphql`);
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).click();
    await page
      .locator(".graphiql-doc-explorer")
      .getByText("codes", { exact: true })
      .first()
      .click();
    await expect
      .poll(() => page.locator(".graphiql-doc-explorer").innerText())
      .toContain("claim scrubber");
  });
});
