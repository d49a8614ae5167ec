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

/** The words a query must find: its words without stop words (all of them if only stop words). */
export function requiredWords(text: string): string[] {
  const all = words(text);
  const meaningful = all.filter((w) => !STOP_WORDS.has(w));
  return meaningful.length > 0 ? meaningful : all;
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
