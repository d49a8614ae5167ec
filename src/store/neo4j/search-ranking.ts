import { isPrefixWord, requiredWords, withoutFinalS } from "../../domain/text.js";
import { type CodeNode } from "../../domain/graph.js";
import { type SearchHit, type SearchPage, type SearchQuery } from "../graph-store.js";
import { codeHit, codePrefixQuery, rankHits, wordHit } from "../search-scoring.js";

/**
 * Search in Neo4j happens in two steps. Cypher finds candidates: codes whose key begins
 * with the text (a range seek) and codes whose indexed words hold every query word (the
 * full-text index). Then the shared rules of src/store/search-scoring.ts score and rank
 * them, exactly as they rank the embedded store's candidates.
 */

/** Keys a code-like search text may begin, for the range seek; empty when it is words. */
export function codeSearchKeys(text: string): string[] {
  return [...(codePrefixQuery(text)?.keys ?? [])];
}

/**
 * The Lucene query for the words of a search text: every word required, the last one
 * as a prefix from three characters on (`type 2 diabetes hyperglyc` →
 * `+type +2 +diabetes +hyperglyc*`), a word that may have lost a possessive's apostrophe
 * as either spelling (`downs syndrome` → `+(downs down) +syndrome*`). Words are made of
 * [a-z0-9] only, so nothing needs escaping, and lower-case `and`/`or`/`not` are plain
 * terms to Lucene. Null when the text has no words.
 */
export function luceneQuery(text: string): string | null {
  const required = requiredWords(text);
  if (required.length === 0) return null;
  const last = required.length - 1;
  return required
    .map((w, i) => {
      const typed = i === last && isPrefixWord(w) ? `${w}*` : w;
      const other = withoutFinalS(w);
      return other === null ? `+${typed}` : `+(${typed} ${other})`;
    })
    .join(" ");
}

/**
 * Scores the candidates of one query and answers one page, as the embedded store would
 * for the same codes: the best match of each code (code before words on a tie), codes
 * failing the filters dropped, highest score first, then by id.
 */
export function rankCandidates(query: SearchQuery, candidates: readonly CodeNode[]): SearchPage {
  const prefix = codePrefixQuery(query.text);
  const required = requiredWords(query.text);
  const best = new Map<string, SearchHit>();
  const keep = (hit: SearchHit | null) => {
    if (!hit) return;
    const prior = best.get(hit.node.id);
    if (!prior || prior.score < hit.score) best.set(hit.node.id, hit);
  };
  for (const node of candidates) {
    if (prefix) keep(codeHit(node, prefix));
    if (required.length > 0) keep(wordHit(node, required, query.text));
  }
  return rankHits(best.values(), query);
}

/** The ids of the codes shown on the pages, each once: what the second statement fetches whole. */
export function pageCodeIds(pages: readonly SearchPage[]): string[] {
  return [...new Set(pages.flatMap((page) => page.items.map((hit) => hit.node.id)))];
}

/**
 * The pages with each hit's code replaced by the whole code (candidates carry only what
 * the ranking reads). Both statements run in one transaction, so every id is there; a
 * missing one is a bug, not a miss.
 */
export function withWholeCodes(
  pages: readonly SearchPage[],
  whole: ReadonlyMap<string, CodeNode>,
): SearchPage[] {
  return pages.map((page) => ({
    totalCount: page.totalCount,
    items: page.items.map((hit) => {
      const node = whole.get(hit.node.id);
      if (!node) throw new Error(`search: code ${hit.node.id} of a page was not fetched`);
      return { ...hit, node };
    }),
  }));
}
