/**
 * Words and code keys for search. Pure and shared by both stores, so the embedded store
 * and Neo4j split a title into the same words.
 */

/** Words that carry no meaning in a code title; never required to match. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "as",
  "at",
  "by",
  "for",
  "from",
  "in",
  "into",
  "of",
  "on",
  "or",
  "the",
  "to",
  "with",
]);

/** An apostrophe, typed or typeset: `'`, `’`, `‘`, `ʼ`, `` ` `` or `´`. */
const APOSTROPHE = "['\u2018\u2019\u02bc`\u00b4]";
const APOSTROPHES = new RegExp(APOSTROPHE, "g");
const ANY_APOSTROPHE = new RegExp(APOSTROPHE);
/** A word with apostrophes inside or after it: `alzheimer's`, `o'neill's`, `workers'`. */
const WORD_WITH_APOSTROPHES = new RegExp(`[a-z0-9]+(?:${APOSTROPHE}[a-z0-9]*)+`, "g");
const POSSESSIVE = new RegExp(`[a-z0-9]${APOSTROPHE}s$`);

/** Lower case without diacritics: "Ménière" → "meniere". */
function folded(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

/**
 * Lower-cased words without diacritics or apostrophes: "Ménière's disease" →
 * ["menieres", "disease"]. An apostrophe joins, never splits: a possessive is one word,
 * the way people type it without the apostrophe (`alzheimers`).
 */
export function words(text: string): string[] {
  return folded(text)
    .replace(APOSTROPHES, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * The words of `text` written as possessives, as `words` spells them: "Alzheimer's and
 * Parkinson's" → ["alzheimers", "parkinsons"]. Only `'s` makes one: a plural's
 * apostrophe ("workers'", "Colles'") leaves the word as it is.
 */
export function possessives(text: string): string[] {
  const out: string[] = [];
  if (!ANY_APOSTROPHE.test(text)) return out;
  for (const [token] of folded(text).matchAll(WORD_WITH_APOSTROPHES)) {
    if (POSSESSIVE.test(token)) out.push(token.replace(APOSTROPHES, ""));
  }
  return out;
}

/**
 * The terms a text is found by, in both stores: its words, and after each possessive the
 * word without its `s` ("Alzheimer's disease" → alzheimers, alzheimer, disease), so that
 * `alzheimer`, `alzheimers` and `alzheimer's` all find it as a whole word.
 */
export function searchTerms(text: string): string[] {
  const owned = possessives(text);
  if (owned.length === 0) return words(text);
  const bases = new Set(owned);
  return words(text).flatMap((w) => (bases.has(w) ? [w, w.slice(0, -1)] : [w]));
}

/**
 * A query word's other spelling, without a final `s` (`downs` → down, `crohns` → crohn):
 * ICD-10-CM writes some eponyms without the possessive people type ("Down syndrome",
 * "Hodgkin lymphoma"). Null for words under four letters, for `-ss`, `-us` and `-is`
 * (`abscess`, `mellitus`, `arthritis`: no possessive, no plural), and when what remains
 * is a stop word. A match on this spelling ranks below one on the word as typed (see
 * search-scoring.ts).
 */
export function withoutFinalS(word: string): string | null {
  if (word.length < 4 || !/[^sui]s$/.test(word)) return null;
  const base = word.slice(0, -1);
  return STOP_WORDS.has(base) ? null : base;
}

/**
 * The words a query must find: its words without stop words. A query of stop words alone
 * ("of", "a") finds no titles: nearly every title holds one, and such a search would
 * rank half the graph for nothing.
 */
export function requiredWords(text: string): string[] {
  return words(text).filter((w) => !STOP_WORDS.has(w));
}

/**
 * Shortest last query word read as a prefix (`diab` → diabetes). Shorter ones match whole
 * words only: `d` as a prefix would match a third of all titles.
 */
export const MIN_PREFIX_LENGTH = 3;

/** Whether the last query word `word` is matched as a prefix, or as a whole word. */
export function isPrefixWord(word: string): boolean {
  return word.length >= MIN_PREFIX_LENGTH;
}

/** A code compared without dots or case: `E11.9` → `E119`. Ranges keep their hyphen. */
export function codeKey(code: string): string {
  return code.replace(/[.\s]/g, "").toUpperCase();
}

/**
 * Whether a search text could be (the start of) a code rather than words: one token of
 * letters and digits with at least one digit (`E11`, `e11.9`, `0016`, `99213`, `A42`).
 */
export function looksLikeCode(text: string): boolean {
  const t = text.trim();
  return /^[A-Za-z0-9]{1,8}([.][A-Za-z0-9]{0,4})?$/.test(t) && /[0-9]/.test(t);
}
