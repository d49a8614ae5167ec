import { type CodeNode } from "../../domain/graph.js";
import {
  codeKey,
  isPrefixWord,
  requiredWords,
  searchTerms,
  withoutFinalS,
} from "../../domain/text.js";
import { type SearchHit, type SearchPage, type SearchQuery } from "../graph-store.js";
import { codeHit, codePrefixQuery, rankHits, wordHit } from "../search-scoring.js";

/** Prefix expansions beyond this many words are cut: a two-letter prefix matches thousands. */
const MAX_PREFIX_EXPANSION = 5000;

/**
 * In-memory search: a sorted array of code keys for prefix look-ups and an inverted
 * index from search terms (of titles, every version, and synonyms: `searchTerms`) to
 * node ordinals.
 * Candidates come from the rarest word's postings and are then checked and scored
 * against each text on its own, so all words must occur in one title or one synonym.
 */
export class SearchIndex {
  private readonly codeKeys: { key: string; ordinal: number }[];
  private readonly postings = new Map<string, number[]>();
  private readonly sortedWords: string[];

  constructor(private readonly nodes: readonly CodeNode[]) {
    this.codeKeys = new Array(nodes.length);
    for (let ordinal = 0; ordinal < nodes.length; ordinal++) {
      const node = nodes[ordinal]!;
      this.codeKeys[ordinal] = { key: codeKey(node.code), ordinal };
      // Ordinals grow node by node, so a list ending in this ordinal already has the word:
      // each node is listed once per word, in ordinal order, without a set per node.
      const post = (w: string) => {
        const list = this.postings.get(w);
        if (!list) this.postings.set(w, [ordinal]);
        else if (list[list.length - 1] !== ordinal) list.push(ordinal);
      };
      let previous: string | null = null;
      for (const v of node.versions) {
        if (v.title !== previous) forEachWord(v.title, post);
        if (v.shortTitle !== null && v.shortTitle !== v.title) forEachWord(v.shortTitle, post);
        previous = v.title;
      }
      for (const synonym of node.synonyms) forEachWord(synonym, post);
    }
    this.codeKeys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.ordinal - b.ordinal));
    this.sortedWords = [...this.postings.keys()].sort();
  }

  search(query: SearchQuery): SearchPage {
    const best = new Map<number, SearchHit>();
    const keep = (ordinal: number, hit: SearchHit) => {
      const prior = best.get(ordinal);
      if (!prior || prior.score < hit.score) best.set(ordinal, hit);
    };
    for (const [ordinal, hit] of this.codeMatches(query.text)) keep(ordinal, hit);
    for (const [ordinal, hit] of this.wordMatches(query.text)) keep(ordinal, hit);
    return rankHits(best.values(), query);
  }

  private *codeMatches(text: string): Generator<[number, SearchHit]> {
    const query = codePrefixQuery(text);
    if (!query) return;
    for (const prefix of query.keys) {
      let i = lowerBound(this.codeKeys, prefix);
      for (; i < this.codeKeys.length && this.codeKeys[i]!.key.startsWith(prefix); i++) {
        const { key, ordinal } = this.codeKeys[i]!;
        const hit = codeHit(this.nodes[ordinal]!, query, key);
        if (hit) yield [ordinal, hit];
      }
    }
  }

  private *wordMatches(text: string): Generator<[number, SearchHit]> {
    const required = requiredWords(text);
    if (required.length === 0) return;
    const exact: number[][] = [];
    for (const w of required.slice(0, -1)) {
      const lists = this.spellings(w).map((f) => this.postings.get(f)!);
      if (lists.length === 0) return;
      exact.push(lists.length === 1 ? lists[0]! : unionSorted(lists));
    }
    const last = required[required.length - 1]!;
    const lastForms = this.expandPrefix(last);
    const other = withoutFinalS(last);
    if (other !== null && this.postings.has(other) && !lastForms.includes(other))
      lastForms.push(other);
    if (lastForms.length === 0) return;

    for (const ordinal of this.candidates(exact, lastForms)) {
      const node = this.nodes[ordinal]!;
      const hit = wordHit(node, required, text);
      if (hit) yield [ordinal, hit];
    }
  }

  /** The indexed spellings of a whole query word: as typed, and without a final `s`. */
  private spellings(word: string): string[] {
    const other = withoutFinalS(word);
    return [word, ...(other === null ? [] : [other])].filter((f) => this.postings.has(f));
  }

  /** Words of the index that start with `prefix` (the last query word is a prefix). */
  private expandPrefix(prefix: string): string[] {
    if (!isPrefixWord(prefix)) return this.postings.has(prefix) ? [prefix] : [];
    const out: string[] = [];
    for (let i = lowerBoundString(this.sortedWords, prefix); i < this.sortedWords.length; i++) {
      const w = this.sortedWords[i]!;
      if (!w.startsWith(prefix) || out.length >= MAX_PREFIX_EXPANSION) break;
      out.push(w);
    }
    return out;
  }

  /**
   * Ordinals in every list of `exact` (one per whole word, its spellings merged) and
   * holding one form of the last word: rarest list first.
   */
  private candidates(exact: readonly number[][], lastForms: readonly string[]): Iterable<number> {
    const lists = [...exact].sort((a, b) => a.length - b.length);
    const lastSet = new Set<number>();
    for (const form of lastForms) for (const o of this.postings.get(form)!) lastSet.add(o);
    if (lists.length === 0) return lastSet;
    let current = lists[0]!;
    for (const list of lists.slice(1)) current = intersectSorted(current, list);
    return current.filter((o) => lastSet.has(o));
  }
}

/** Plain ASCII: no letter to fold, so `words` reduces to lower-casing and splitting. */
const NON_ASCII = /[\u0080-\uffff]/;
/** The ASCII apostrophes, which join words rather than split them (see `words`). */
const APOSTROPHE_OR_BACKTICK = /['`]/;

/**
 * Calls `fn` with each of `searchTerms(text)`, in order. Titles are nearly all ASCII
 * without apostrophes, and for them a scan of character codes gives the same terms as
 * `searchTerms` without normalising, a regular-expression split and a filtered array per
 * text: building the index of a full release spends most of its time here.
 */
function forEachWord(text: string, fn: (word: string) => void): void {
  if (NON_ASCII.test(text) || APOSTROPHE_OR_BACKTICK.test(text)) {
    for (const w of searchTerms(text)) fn(w);
    return;
  }
  const lower = text.toLowerCase();
  let start = -1;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    const wordChar = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (wordChar) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      fn(lower.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) fn(lower.slice(start));
}

function lowerBound(keys: readonly { key: string }[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]!.key < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundString(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out.push(a[i]!);
      i++;
      j++;
    }
  }
  return out;
}

/** The sorted union of sorted lists, each ordinal once. */
function unionSorted(lists: readonly (readonly number[])[]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
