import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { SourceFileError } from "../../src/import/source-file-error.js";

/**
 * The ICD-10-CM order-file addenda (CMS icd10cm_order_addenda_YYYY.txt): what changed
 * from the previous order file, one line per change. Not an import format — the order
 * files carry the releases — but the official list a release diff is checked against.
 *
 * Lines: an action padded to 13 characters ("Add:", "Delete:", "Revise from:",
 * "Revise to:"), the valid flag, a space, the code without its dot padded to 7, a space,
 * the short title padded to 60, a space, the long title. A summary of counts follows
 * a blank line; it is read too, so tests can hold the file to its own totals.
 *
 * The addenda count by code *and flag*: a code turning from billable into a header is a
 * "Delete: 1 X" with an "Add: 0 X", where a release diff sees one revision of X.
 */

export enum AddendaAction {
  ADD = "ADD",
  DELETE = "DELETE",
  REVISE_FROM = "REVISE_FROM",
  REVISE_TO = "REVISE_TO",
}

export interface AddendaEntry {
  readonly action: AddendaAction;
  /** The code without its dot, as the order file writes it. */
  readonly code: string;
  readonly billable: boolean;
  readonly shortTitle: string;
  readonly title: string;
  readonly line: number;
}

/** The totals the file states after its entries, by section (`Headers`, `Codes`). */
export type AddendaSummary = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface Addenda {
  readonly entries: readonly AddendaEntry[];
  readonly summary: AddendaSummary;
}

const ACTIONS: readonly [string, AddendaAction][] = [
  ["Add:", AddendaAction.ADD],
  ["Delete:", AddendaAction.DELETE],
  ["Revise from:", AddendaAction.REVISE_FROM],
  ["Revise to:", AddendaAction.REVISE_TO],
];

const ENTRY = /^([01]) ([0-9A-Z]{3,7}) +\S/;

/** Reads an addenda file; a line that is neither an entry nor part of the summary is an error. */
export async function parseIcd10cmAddenda(path: string): Promise<Addenda> {
  const file = basename(path);
  const text = await readFile(path, "utf8");
  const entries: AddendaEntry[] = [];
  const summary: Record<string, Record<string, number>> = {};
  let section: Record<string, number> | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    const action = ACTIONS.find(([prefix]) => raw.startsWith(prefix));
    if (action) {
      const rest = raw.slice(13);
      const m = ENTRY.exec(rest);
      if (!m || raw.slice(action[0].length, 13).trim() !== "") {
        throw new SourceFileError(
          file,
          line,
          "expected an action, the valid flag, the code and its titles",
          raw,
        );
      }
      const title = rest.slice(71).trim();
      if (rest.length < 72 || rest[70] !== " " || title === "") {
        throw new SourceFileError(
          file,
          line,
          "expected a 60-character short title, a space and the long title",
          raw,
        );
      }
      entries.push({
        action: action[1],
        code: m[2]!,
        billable: m[1] === "1",
        shortTitle: rest.slice(10, 70).trimEnd(),
        title,
        line,
      });
      return;
    }
    const heading = /^([A-Z][A-Za-z ]*)$/.exec(raw.trim());
    if (heading && raw.trim() !== "of which") {
      section = summary[heading[1]!] = {};
      return;
    }
    const count = /^\s*([0-9]+) (.+)$/.exec(raw);
    if (count && section) {
      section[count[2]!.trim()] = Number(count[1]);
      return;
    }
    if (raw.trim() === "of which" && section) return;
    throw new SourceFileError(file, line, "not an addenda entry nor part of its summary", raw);
  });
  return { entries, summary };
}
