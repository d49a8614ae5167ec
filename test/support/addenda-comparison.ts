import { type Addenda, AddendaAction, type AddendaEntry } from "./icd10cm-addenda.js";
import { type CodeState, type ReleaseDiff } from "../../src/import/release-diff.js";

/**
 * A release diff and an addenda file as two sets of lines, and what one has that the
 * other lacks. The addenda list a code's state before (`Delete:`, `Revise from:`) and
 * after (`Add:`, `Revise to:`); a code with both is a revision, whatever the addenda call
 * it ("Delete: 1 B880" with "Add: 0 B880" is B88.0 turned header).
 */
export function compareWithAddenda(
  diff: ReleaseDiff,
  addenda: Addenda,
): { missing: string[]; unexpected: string[] } {
  const byCode = new Map<string, { before?: AddendaEntry; after?: AddendaEntry }>();
  for (const e of addenda.entries) {
    const slot = byCode.get(e.code) ?? {};
    if (e.action === AddendaAction.DELETE || e.action === AddendaAction.REVISE_FROM)
      slot.before = e;
    else slot.after = e;
    byCode.set(e.code, slot);
  }
  const expected = new Set<string>();
  for (const [code, { before, after }] of byCode) {
    expected.add(describe(dotted(code), before && state(before), after && state(after)));
  }
  const actual = new Set<string>();
  for (const c of [...diff.added, ...diff.deleted, ...diff.revised]) {
    actual.add(describe(c.code, c.before ?? undefined, c.after ?? undefined));
  }
  return {
    missing: [...expected].filter((l) => !actual.has(l)).sort(),
    unexpected: [...actual].filter((l) => !expected.has(l)).sort(),
  };
}

function dotted(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}

function state(e: AddendaEntry): CodeState {
  return { title: e.title, shortTitle: e.shortTitle, billable: e.billable };
}

function show(s: CodeState): string {
  return `[${s.billable ? 1 : 0}] ${JSON.stringify(s.shortTitle)} ${JSON.stringify(s.title)}`;
}

function describe(
  code: string,
  before: CodeState | undefined,
  after: CodeState | undefined,
): string {
  if (before && after) return `revised ${code} ${show(before)} → ${show(after)}`;
  if (after) return `added ${code} ${show(after)}`;
  return `deleted ${code} ${show(before!)}`;
}
