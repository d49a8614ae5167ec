import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the run's last line as `N passed, N failed` (skipped tests on the line before),
 * and, when VITEST_SUMMARY_FILE is set, writes the counts there for .ci/run to add its
 * own checks to. A module that fails to load, or an error outside any test, counts as a
 * failure: it must never pass silently.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    const file = process.env["VITEST_SUMMARY_FILE"];
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
    if (skipped > 0) console.log(`${skipped} skipped`);
    console.log(`${passed} passed, ${failed} failed`);
  }
}
