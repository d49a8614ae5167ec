import { type UnresolvedReference } from "./records.js";

/** How many examples a reason keeps: enough to look a few up, never the whole file. */
const MAX_EXAMPLES = 5;

/**
 * References that could not be turned into codes or edges, counted per reason with a
 * few examples each: what parsers and the merge report instead of dropping anything
 * silently. One helper for all of them, so every report reads the same way.
 */
export class UnresolvedTally {
  private readonly byReason = new Map<string, { count: number; examples: string[] }>();

  /** Starts from references already counted (a parser's, which the merge adds to). */
  constructor(initial: readonly UnresolvedReference[] = []) {
    for (const u of initial)
      this.byReason.set(u.reason, { count: u.count, examples: [...u.examples] });
  }

  /** Counts one reference; `example` is `line: text`, or `text` with the line given apart. */
  add(reason: string, example: string, line?: number): void {
    this.addMany(reason, 1, line === undefined ? example : `${line}: ${example}`);
  }

  /** Counts `count` references under one reason, with one example for all of them. */
  addMany(reason: string, count: number, example?: string): void {
    if (count <= 0) return;
    let entry = this.byReason.get(reason);
    if (!entry) this.byReason.set(reason, (entry = { count: 0, examples: [] }));
    entry.count += count;
    if (example !== undefined && entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
  }

  /** The references counted so far, reasons in the order first seen. */
  list(): UnresolvedReference[] {
    return [...this.byReason].map(([reason, { count, examples }]) => ({ reason, count, examples }));
  }

  /** Counts by reason, for parse summaries and tests. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.byReason].map(([reason, { count }]) => [reason, count]));
  }
}
