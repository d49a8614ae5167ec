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

/** Lower-cased words without diacritics: "Ménière's disease" → ["meniere", "s", "disease"]. */
export function words(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
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
