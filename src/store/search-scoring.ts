import { type CodeReading } from "../domain/code-grammar.js";
import { readCodeInput } from "../domain/code-input.js";
import { type CodeNode, compareIds, latestVersion, versionAt } from "../domain/graph.js";
import {
  codeKey,
  isPrefixWord,
  looksLikeCode,
  possessives,
  STOP_WORDS,
  withoutFinalS,
  words,
} from "../domain/text.js";
import {
  type SearchHit,
  SearchMatchKind,
  type SearchPage,
  type SearchQuery,
} from "./graph-store.js";

/**
 * How search results are scored and ranked, shared by every store: each finds its
 * candidates its own way (sorted keys and an inverted index in memory; a range seek and
 * the full-text index in Neo4j), then scores them here, so both order results alike.
 */

/**
 * Scores of the match kinds; word matches add up to 75 more for closeness, less
 * `otherSpelling` when a word was found only without its final `s` (`downs` in "Down
 * syndrome"): a text holding the words as typed ranks above the same text spelled so.
 */
export const SEARCH_SCORES = {
  exactCode: 1000,
  codePrefix: 500,
  title: 100,
  synonym: 80,
  otherSpelling: -25,
} as const;

/** What a code-like search text asks for. */
export interface CodePrefixQuery {
  /** Keys (upper case, no dots) a matching code's key begins with. */
  readonly keys: readonly string[];
  /**
   * When the text has a dot, the dotted form a matching code begins with: a typed dot
   * says where it goes, so `e11.6` finds E11.65 but not HCPCS E1160.
   */
  readonly dotted: string | null;
  /**
   * The text is letters only (a modifier, an ICD-10-PCS body system): it matches that code,
   * never the codes it begins. `bp` is HCPCS modifier BP and body system BP, not the 280
   * ICD-10-PCS codes below it.
   */
  readonly exact: boolean;
}

/**
 * The code prefix a search text asks for, or null when it does not look like a code:
 * `e11.9` → key E119; `icd10cm:e11` → E11; an undotted ICD-9-CM string also tries each
 * canonical reading (3610 → 361.0 and 36.10 share the key).
 */
export function codePrefixQuery(text: string): CodePrefixQuery | null {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const bare = colon >= 0 ? trimmed.slice(colon + 1).trim() : trimmed;
  const readings = wholeCodeReadings(bare);
  const codeLike = looksLikeCode(bare);
  if (!codeLike && !readAsWholeCode(bare, readings)) return null;
  const keys = new Set([codeKey(bare), ...readings.map((r) => codeKey(r.code))]);
  const dotted = bare.includes(".") ? bare.replace(/\s+/g, "").toUpperCase() : null;
  return { keys: [...keys], dotted, exact: !codeLike && !/[0-9]/.test(bare) };
}

/** The readings of a text as one whole code, as `code()` reads it; none when it is not one. */
function wholeCodeReadings(bare: string): readonly CodeReading[] {
  try {
    return readCodeInput(bare);
  } catch {
    return [];
  }
}

/**
 * Whether a text that is not one token with a digit (see `looksLikeCode`) is still read
 * as a code: only when it is a whole code. Letters only or a range (`LT`, `KX`, `at`:
 * HCPCS modifiers; `E08-E13`, a block; `E00-E89`, a chapter) from two characters on: a
 * single letter would be read as an ICD-10-PCS section and flood the page with every code
 * it begins. One code with stray spaces (`E11 .9`, `E08 - E13`, as `code()` reads them)
 * from three characters on, so that `a 4` stays words rather than every HCPCS A4 code.
 */
function readAsWholeCode(bare: string, readings: readonly CodeReading[]): boolean {
  if (readings.length === 0) return false;
  const compact = bare.replace(/\s+/g, "");
  return compact.length >= (compact === bare ? 2 : 3);
}

/** The hit for a code matching the prefix, or null; `key` is the node's code key. */
export function codeHit(
  node: CodeNode,
  query: CodePrefixQuery,
  key: string = codeKey(node.code),
): SearchHit | null {
  if (query.dotted !== null && !`${node.code}.`.startsWith(query.dotted)) return null;
  let best: SearchHit | null = null;
  for (const prefix of query.keys) {
    if (!key.startsWith(prefix)) continue;
    const exact = key === prefix;
    if (query.exact && !exact) continue;
    const score = exact
      ? SEARCH_SCORES.exactCode
      : SEARCH_SCORES.codePrefix - Math.min(key.length - prefix.length, 100);
    if (!best || score > best.score) {
      best = {
        node,
        score,
        matchedOn: exact ? SearchMatchKind.CODE : SearchMatchKind.CODE_PREFIX,
        matchedText: null,
      };
    }
  }
  return best;
}

/**
 * The hit for a code whose title or one synonym (or a former title) holds every required
 * word, the last as a prefix; the title wins over other texts. Null when none does.
 */
export function wordHit(
  node: CodeNode,
  required: readonly string[],
  raw: string,
): SearchHit | null {
  const phrases = phrasesOf(raw);
  const title = latestVersion(node).title;
  const titleScore = textScore(title, required, phrases);
  if (titleScore !== null) {
    return {
      node,
      score: rounded(SEARCH_SCORES.title + titleScore),
      matchedOn: SearchMatchKind.TITLE,
      matchedText: title,
    };
  }
  let best: SearchHit | null = null;
  const others = [
    ...node.versions.map((v) => v.title),
    ...node.versions.flatMap((v) => v.shortTitle ?? []),
  ];
  for (const text of [...node.synonyms, ...others]) {
    const s = textScore(text, required, phrases);
    if (s !== null && (!best || SEARCH_SCORES.synonym + s > best.score)) {
      best = {
        node,
        score: rounded(SEARCH_SCORES.synonym + s),
        matchedOn: SearchMatchKind.SYNONYM,
        matchedText: text,
      };
    }
  }
  return best;
}

/** Scores in hundredths, so that 131.67 is not sent as 131.67000000000002. */
function rounded(score: number): number {
  return Math.round(score * 100) / 100;
}

let lastRaw: string | undefined;
let lastPhrases: readonly string[] = [];
/**
 * The query's words as one phrase, and as one with each word's other spelling (`downs
 * syndrome`, `down syndrome`); worked out once per query, not once per candidate.
 */
function phrasesOf(raw: string): readonly string[] {
  if (raw !== lastRaw) {
    lastRaw = raw;
    const typed = words(raw);
    lastPhrases = [
      ...new Set([typed.join(" "), typed.map((w) => withoutFinalS(w) ?? w).join(" ")]),
    ];
  }
  return lastPhrases;
}

/**
 * How well one text holds the query words, in [-25, 75], or null when a word is missing.
 * A word is found among the text's words, or a possessive's word without its `s`
 * (`alzheimer` in "Alzheimer's"), as typed (the last one as a prefix) or else in its other
 * spelling (`downs` as "Down", less `otherSpelling`). Coverage rewards texts that say
 * little else (E11 "Type 2 diabetes mellitus" before its 60 children); a phrase and a
 * matching first word add a little.
 */
function textScore(
  text: string,
  required: readonly string[],
  phrases: readonly string[],
): number | null {
  const textWords = words(text);
  const owned = possessives(text);
  const ownedSet = new Set(owned);
  // The text as spelled, and (with possessives) spelled without their `s`.
  const spellings = [textWords];
  if (owned.length > 0)
    spellings.push(textWords.map((w) => (ownedSet.has(w) ? w.slice(0, -1) : w)));
  const terms = owned.length > 0 ? [...textWords, ...owned.map((w) => w.slice(0, -1))] : textWords;
  const last = required.length - 1;
  let otherSpelling = false;
  for (let i = 0; i < required.length; i++) {
    const w = required[i]!;
    const found =
      i === last && isPrefixWord(w) ? terms.some((t) => t.startsWith(w)) : terms.includes(w);
    if (found) continue;
    const base = withoutFinalS(w);
    if (base === null || !terms.includes(base)) return null;
    otherSpelling = true;
  }
  const meaningful = textWords.filter((w) => !STOP_WORDS.has(w)).length || 1;
  const coverage = Math.min(required.length / meaningful, 1);
  const phraseBonus = spellings.some((sp) => {
    const joined = sp.join(" ");
    return phrases.some((p) => joined.includes(p));
  })
    ? 15
    : 0;
  const first = textWords[0];
  const leading =
    first !== undefined && (first.startsWith(required[0]!) || first === withoutFinalS(required[0]!))
      ? 10
      : 0;
  return 50 * coverage + phraseBonus + leading + (otherSpelling ? SEARCH_SCORES.otherSpelling : 0);
}

/** Whether a code passes the query's system, date and billable filters. */
export function passesFilters(node: CodeNode, query: SearchQuery): boolean {
  if (query.systems && !query.systems.includes(node.system)) return false;
  if (query.asOf !== null) {
    const version = versionAt(node, query.asOf);
    if (!version) return false;
    return !query.billableOnly || version.billable;
  }
  return !query.billableOnly || node.versions.some((v) => v.billable);
}

/** One page of hits: filtered, best first (then by id), counted before paging. */
export function rankHits(hits: Iterable<SearchHit>, query: SearchQuery): SearchPage {
  const kept = [...hits].filter((hit) => passesFilters(hit.node, query));
  kept.sort((a, b) => b.score - a.score || compareIds(a.node.id, b.node.id));
  return { totalCount: kept.length, items: kept.slice(query.offset, query.offset + query.limit) };
}
