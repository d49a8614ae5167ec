import { readCodeInput } from "../../domain/code-input.js";
import { type CodeNode, latestVersion, versionAt } from "../../domain/graph.js";
import { codeKey, looksLikeCode, requiredWords, STOP_WORDS, words } from "../../domain/text.js";
import {
  type SearchHit,
  SearchMatchKind,
  type SearchPage,
  type SearchQuery,
} from "../graph-store.js";
import { compareIds } from "./traversal-walks.js";

/**
 * Search in Neo4j happens in two steps. Cypher finds candidates: codes whose key begins
 * with the text (a range seek) and codes whose indexed words hold every query word (the
 * full-text index). Then the functions here score and rank the candidates with the same
 * rules, and the same numbers, as the embedded store (src/store/memory/search-index.ts),
 * so both stores order results alike. The rules are repeated rather than shared because
 * the embedded store keeps them private; test/unit/neo4j-search-ranking.test.ts holds the
 * two to the same answers.
 */

/** Scores of the match kinds; word matches add up to 75 more for closeness. */
const SCORE = {
  exactCode: 1000,
  codePrefix: 500,
  title: 100,
  synonym: 80,
} as const;

/** Keys a code-like search text may begin: `e11.9` → `E119`; `icd10cm:e11` → `E11`. */
export function codeSearchKeys(text: string): string[] {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const bare = colon >= 0 ? trimmed.slice(colon + 1) : trimmed;
  if (!looksLikeCode(bare)) return [];
  const keys = new Set([codeKey(bare)]);
  // ICD-9-CM canonical codes keep a dot whose place tells diagnosis from procedure.
  try {
    for (const r of readCodeInput(bare)) keys.add(codeKey(r.code));
  } catch {
    // Not a whole code: the bare key still serves as a prefix.
  }
  return [...keys];
}

/**
 * The Lucene query for the words of a search text: every word required, the last one
 * as a prefix (`type 2 diabetes hyperglyc` → `+type +2 +diabetes +hyperglyc*`). Words
 * are made of [a-z0-9] only, so nothing needs escaping, and lower-case `and`/`or`/`not`
 * are plain terms to Lucene. Null when the text has no words.
 */
export function luceneQuery(text: string): string | null {
  const required = requiredWords(text);
  if (required.length === 0) return null;
  return required.map((w, i) => (i === required.length - 1 ? `+${w}*` : `+${w}`)).join(" ");
}

/**
 * Scores the candidates of one query and answers one page, as the embedded store would
 * for the same codes: the best match of each code (code before words on a tie), codes
 * failing the filters dropped, highest score first, then by id.
 */
export function rankCandidates(query: SearchQuery, candidates: readonly CodeNode[]): SearchPage {
  const keys = codeSearchKeys(query.text);
  const required = requiredWords(query.text);
  const best = new Map<string, SearchHit>();
  const keep = (hit: SearchHit) => {
    const prior = best.get(hit.node.id);
    if (!prior || prior.score < hit.score) best.set(hit.node.id, hit);
  };
  for (const node of candidates) {
    const key = codeKey(node.code);
    for (const prefix of keys) {
      if (!key.startsWith(prefix)) continue;
      const exact = key === prefix;
      keep({
        node,
        score: exact
          ? SCORE.exactCode
          : SCORE.codePrefix - Math.min(key.length - prefix.length, 100),
        matchedOn: exact ? SearchMatchKind.CODE : SearchMatchKind.CODE_PREFIX,
        matchedText: null,
      });
    }
  }
  if (required.length > 0) {
    for (const node of candidates) {
      const hit = scoreTexts(node, required, query.text);
      if (hit) keep(hit);
    }
  }
  const hits = [...best.values()].filter((hit) => passesFilters(hit.node, query));
  hits.sort((a, b) => b.score - a.score || compareIds(a.node.id, b.node.id));
  return { totalCount: hits.length, items: hits.slice(query.offset, query.offset + query.limit) };
}

/** Checks the query words against the title, then each synonym; scores the best. */
function scoreTexts(node: CodeNode, required: readonly string[], raw: string): SearchHit | null {
  const title = latestVersion(node).title;
  const titleScore = scoreText(title, required, raw);
  if (titleScore !== null) {
    return {
      node,
      score: SCORE.title + titleScore,
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
    const s = scoreText(text, required, raw);
    if (s !== null && (!best || SCORE.synonym + s > best.score)) {
      best = {
        node,
        score: SCORE.synonym + s,
        matchedOn: SearchMatchKind.SYNONYM,
        matchedText: text,
      };
    }
  }
  return best;
}

/**
 * How well one text holds the query words, in [0, 75], or null when a word is missing:
 * coverage rewards texts that say little else; a phrase and a matching first word add a little.
 */
function scoreText(text: string, required: readonly string[], raw: string): number | null {
  const textWords = words(text);
  const last = required.length - 1;
  for (let i = 0; i < required.length; i++) {
    const w = required[i]!;
    const found = i === last ? textWords.some((t) => t.startsWith(w)) : textWords.includes(w);
    if (!found) return null;
  }
  const meaningful = textWords.filter((w) => !STOP_WORDS.has(w)).length || 1;
  const coverage = Math.min(required.length / meaningful, 1);
  const phrase = words(text).join(" ").includes(words(raw).join(" ")) ? 15 : 0;
  const leading = textWords[0]?.startsWith(required[0]!) ? 10 : 0;
  return Math.round((50 * coverage + phrase + leading) * 100) / 100;
}

function passesFilters(node: CodeNode, query: SearchQuery): boolean {
  if (query.systems && !query.systems.includes(node.system)) return false;
  if (query.asOf !== null) {
    const version = versionAt(node, query.asOf);
    if (!version) return false;
    if (query.billableOnly && !version.billable) return false;
    return true;
  }
  if (query.billableOnly && !node.versions.some((v) => v.billable)) return false;
  return true;
}
