import { beforeAll, describe, expect, it } from "vitest";
import { CodeSystemId } from "../../src/domain/code-system.js";
import { type CodeNode, type GraphRecords } from "../../src/domain/graph.js";
import { codeKey, looksLikeCode, words } from "../../src/domain/text.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { type SearchPage, type SearchQuery } from "../../src/store/graph-store.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { MemoryGraph } from "../../src/store/memory/memory-graph.js";
import {
  codeToRow,
  type PropertyRow,
  RANKING_KEYS,
  rankingCandidateFromMap,
} from "../../src/store/neo4j/record-mapping.js";
import {
  codeSearchKeys,
  luceneQuery,
  pageCodeIds,
  rankCandidates,
  withWholeCodes,
} from "../../src/store/neo4j/search-ranking.js";
import { CONTRACT_GRAPH } from "../fixtures/contract-graph.js";
import { withSearchWordCodes } from "../fixtures/search-words.js";

/**
 * Neo4j search = candidates from search.cypher, ranked in TypeScript. This file holds the
 * two halves to the embedded store's answers over the contract graph and the bundled seed:
 *
 * - the candidates are what the statement selects, evaluated here over the rows the
 *   adapter writes: code keys starting with a search key, and codes whose indexed word
 *   lists satisfy the Lucene query under the whitespace analyzer (`+word` a whole token,
 *   `+prefix*` the start of one), both through the statement's date/billable/system filter;
 * - ranking those candidates (as the statement projects them: the ranking's properties
 *   only) and putting the page's whole codes back, as the adapter does, must give exactly
 *   the embedded store's page: same codes, order, scores, match kinds, matched texts,
 *   totals, and the codes themselves.
 *
 * Lucene itself does not run here; the seed is far below the candidate limit, where the
 * two stores can differ (see docs/neo4j.md).
 */

type Neo4jDate = { toString(): string };

/** The filter of search.cypher, over the stored parallel lists. */
function statementFilter(row: PropertyRow, q: SearchQuery): boolean {
  if (q.systems !== null && !q.systems.includes(row.system as CodeSystemId)) return false;
  const billable = row.versionBillable as boolean[];
  if (q.asOf === null) return !q.billableOnly || billable.includes(true);
  const from = row.versionFrom as readonly Neo4jDate[];
  const to = row.versionTo as readonly Neo4jDate[];
  const inForce = billable
    .map((b, k) => [b, from[k]!.toString() <= q.asOf! && q.asOf! <= to[k]!.toString()] as const)
    .filter(([, valid]) => valid)
    .map(([b]) => b || !q.billableOnly);
  return inForce[inForce.length - 1] ?? false;
}

/** A stored row with its indexed tokens, split once: what the whitespace analyzer indexes. */
interface IndexedRow {
  readonly node: CodeNode;
  readonly row: PropertyRow;
  readonly tokens: ReadonlySet<string>;
}

function indexed(node: CodeNode): IndexedRow {
  const row = codeToRow(node);
  const texts = [
    ...(row.titleTexts as readonly string[]),
    ...(row.synonymTexts as readonly string[]),
  ];
  return { node, row, tokens: new Set(texts.flatMap((t) => t.split(" "))) };
}

/**
 * The required clauses of a Lucene query, each a group of terms one of which must match:
 * `+term`, `+prefix*`, `+(downs* down)`.
 */
function luceneClauses(lucene: string): string[][] {
  const clauses = [...lucene.matchAll(/\+(?:\(([^()]*)\)|([^\s()]+))/g)].map((m) =>
    (m[1] ?? m[2]!).split(" "),
  );
  // Nothing left over: every part of the query is understood here.
  expect(clauses.map((c) => c.join(" ")).join(" ")).toBe(lucene.replace(/[+()]/g, ""));
  return clauses;
}

/** Whether one row's tokens satisfy every clause, as the whitespace-analysed index would. */
function luceneMatches(clauses: readonly string[][], tokens: ReadonlySet<string>): boolean {
  const matches = (term: string) => {
    if (!term.endsWith("*")) return tokens.has(term);
    const prefix = term.slice(0, -1);
    for (const t of tokens) if (t.startsWith(prefix)) return true;
    return false;
  };
  return clauses.every((group) => group.some(matches));
}

/** The candidates search.cypher selects, as its projection `n {.id, ...}` hands them over. */
function statementCandidates(rows: readonly IndexedRow[], q: SearchQuery): CodeNode[] {
  const keys = codeSearchKeys(q.text);
  const lucene = luceneQuery(q.text);
  const clauses = lucene === null ? null : luceneClauses(lucene);
  return rows
    .filter(
      ({ row, tokens }) =>
        (keys.some((k) => (row.codeKey as string).startsWith(k)) ||
          (clauses !== null && luceneMatches(clauses, tokens))) &&
        statementFilter(row, q),
    )
    .map(({ row }) =>
      rankingCandidateFromMap(Object.fromEntries(RANKING_KEYS.map((k) => [k, row[k] ?? null]))),
    );
}

/** The adapter's search over the emulated statement: rank, then the page's whole codes. */
function adapterSearch(
  rows: readonly IndexedRow[],
  byId: ReadonlyMap<string, CodeNode>,
  queries: readonly SearchQuery[],
): SearchPage[] {
  const ranked = queries.map((q) => rankCandidates(q, statementCandidates(rows, q)));
  const fetched = new Map(pageCodeIds(ranked).map((id) => [id, byId.get(id)!]));
  return withWholeCodes(ranked, fetched);
}

const page = (p: SearchPage) => ({
  totalCount: p.totalCount,
  items: p.items.map((h) => [h.node, h.score, h.matchedOn, h.matchedText]),
});

/** Texts people type: codes, code prefixes, title words, the last one cut short, synonyms. */
function queriesFor(node: CodeNode): string[] {
  const texts = [node.code, node.code.toLowerCase().replace(".", ""), node.id.toLowerCase()];
  const prefix = node.code.slice(0, Math.max(2, node.code.length - 2));
  if (looksLikeCode(prefix)) texts.push(prefix);
  for (const title of [node.versions[0]!.title, ...node.synonyms.slice(0, 1)]) {
    const w = words(title);
    texts.push(w.slice(0, 1).join(" "), w.slice(0, 2).join(" "), w.slice(0, 3).join(" "));
    if (w.length > 1) texts.push(`${w[0]} ${w[1]!.slice(0, 3)}`);
    texts.push(title);
  }
  return texts.filter((t) => t.trim() !== "");
}

const VARIANTS: Omit<SearchQuery, "text">[] = [
  { systems: null, billableOnly: false, asOf: "2026-11-25", offset: 0, limit: 25 },
  { systems: null, billableOnly: false, asOf: null, offset: 0, limit: 25 },
  { systems: null, billableOnly: true, asOf: "2014-06-01", offset: 0, limit: 25 },
  { systems: null, billableOnly: true, asOf: null, offset: 5, limit: 10 },
  {
    systems: [CodeSystemId.ICD10CM, CodeSystemId.HCPCS],
    billableOnly: false,
    asOf: "2025-06-01",
    offset: 0,
    limit: 25,
  },
];

let graphs: [string, GraphRecords, MemoryStore][];
beforeAll(async () => {
  const seed = await loadSeed(`${PROJECT_ROOT}/seed`);
  graphs = [CONTRACT_GRAPH, seed]
    .map(withSearchWordCodes)
    .map((records, i) => [
      i === 0 ? "contract graph" : "bundled seed",
      records,
      new MemoryStore(MemoryGraph.empty().withRecords(records)),
    ]);
});

describe("Neo4j search ranks like the embedded store", () => {
  it("candidates selected as search.cypher selects them, ranked in TypeScript, give the embedded store's pages", async () => {
    let compared = 0;
    let withHits = 0;
    for (const [name, records, memory] of graphs) {
      const rows = records.codes.map(indexed);
      const texts = new Set(records.codes.filter((_, i) => i % 3 === 0).flatMap(queriesFor));
      for (const t of [
        "type 2 diabetes mellitus",
        "insulin resistant",
        "E11.6",
        "diabetes",
        "glucose",
        "xylophone",
        "the",
        "of and",
        "Ménière",
        "menieres disease",
        "Charcot joints",
        "alzheimers",
        "alzheimer",
        "alzheimer's disease",
        "alzheimer disease",
        "alzheimers dis",
        "crohns",
        "downs syndrome",
        "down's",
        "downs",
        "250.0",
        "icd10cm:e11",
        "LT",
        "kx",
        "at",
        "AS",
        "E08-E13",
        "A00-B99",
        "E11 .9",
        "e 11",
        "a 4",
      ]) {
        texts.add(t);
      }
      const queries = [...texts].flatMap((text) => VARIANTS.map((v) => ({ text, ...v })));
      const expected = await memory.search(queries);
      const actual = adapterSearch(rows, new Map(records.codes.map((c) => [c.id, c])), queries);
      queries.forEach((q, i) => {
        expect(page(actual[i]!), `${name}: ${JSON.stringify(q)}`).toEqual(page(expected[i]!));
        compared++;
        if (expected[i]!.totalCount > 0) withHits++;
      });
    }
    expect(compared).toBeGreaterThan(4000);
    expect(withHits).toBeGreaterThan(2500);
  });

  it("ranks a superset of candidates the same: the ranking re-checks every match itself", async () => {
    const [, records, memory] = graphs[1]!;
    for (const text of ["diabetes mellitus", "E11", "blood glucose", "insulin"]) {
      const q: SearchQuery = {
        text,
        systems: null,
        billableOnly: false,
        asOf: "2026-11-25",
        offset: 0,
        limit: 50,
      };
      const [expected] = await memory.search([q]);
      expect(page(rankCandidates(q, records.codes)), text).toEqual(page(expected!));
    }
  });
});

describe("search keys and the Lucene query", () => {
  it("builds a query requiring every word, the last one as a prefix from three characters, without stop words", () => {
    expect(luceneQuery("type 2 diabetes hyperglyc")).toBe(
      "+type +2 +(diabetes diabete) +hyperglyc*",
    );
    expect(luceneQuery("Diabetes mellitus without")).toBe(
      "+(diabetes diabete) +mellitus +without*",
    );
    expect(luceneQuery("use of insulin")).toBe("+use +insulin*");
    expect(luceneQuery("of the")).toBeNull();
    expect(luceneQuery("type 2")).toBe("+type +2");
    expect(luceneQuery("vitamin d")).toBe("+vitamin +d");
    expect(luceneQuery("Ménière's disease")).toBe("+(menieres meniere) +disease*");
    expect(luceneQuery("alzheimer’s")).toBe("+(alzheimers* alzheimer)");
    expect(luceneQuery("downs syndrome")).toBe("+(downs down) +syndrome*");
    expect(luceneQuery("  ,;  ")).toBeNull();
  });

  it("builds Lucene queries from word characters only: nothing to escape", () => {
    const nasty = `a+b -c && d || !e (f) {g} [h] ^i "j" ~k *l ?m :n \\o /p AND OR NOT`;
    expect(luceneQuery(nasty)).toMatch(/^(\+[a-z0-9]+ )*\+[a-z0-9]+\*$/);
    expect(luceneQuery(`${nasty} Reye's`)).toMatch(/^(\+[a-z0-9]+ )*\+\(reyes\* reye\)$/);
  });

  it("reads code-like texts as code keys, any way they are typed", () => {
    expect(codeSearchKeys("e11.9")).toEqual(["E119"]);
    expect(codeSearchKeys("ICD10CM:e11")).toEqual(["E11"]);
    expect(codeSearchKeys("diabetes")).toEqual([]);
    expect(codeSearchKeys("250.00")).toContain(codeKey("250.00"));
    expect(codeSearchKeys("lt")).toEqual(["LT"]);
    expect(codeSearchKeys("E08-E13")).toEqual(["E08-E13"]);
  });

  it("reads a text without a digit as a code only when it is a whole code of two characters or more", () => {
    for (const t of ["at", "KX", "bw", "e00-e89"]) expect(codeSearchKeys(t), t).toHaveLength(1);
    for (const t of ["b", "leg", "hip", "type", "x-ray", "e08-"])
      expect(codeSearchKeys(t), t).toEqual([]);
  });

  it("reads one code typed with stray spaces as that code, from three characters on", () => {
    expect(codeSearchKeys("E11 .9")).toEqual(["E119"]);
    expect(codeSearchKeys("e08 - e13")).toEqual(["E08-E13"]);
    for (const t of ["type 2", "vitamin b12", "a 4", "e11 diabetes"])
      expect(codeSearchKeys(t), t).toEqual([]);
  });
});
