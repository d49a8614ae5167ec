// Search candidates, for a batch of queries: codes whose key begins with one of
// q.codeKeys (range seek on code_key, shortest keys first), and codes whose indexed title
// and synonym words hold every query word (q.words, a Lucene query built from words
// without stop words: `+type +2 +diabet*`), best Lucene score first. Each branch keeps at
// most $candidateLimit codes after the filters (systems, date, billable). The adapter
// scores and ranks the candidates with the embedded store's rules.
// Each candidate travels as the few properties the ranking reads (RANKING_KEYS in
// src/store/neo4j/record-mapping.ts; the lint test holds the two equal), not as a node:
// up to twice $candidateLimit codes per query, of which a page is shown. The adapter then
// fetches the page's codes whole, in the same read transaction.
UNWIND $queries AS q
CALL (q) {
  UNWIND q.codeKeys AS key
  MATCH (n:Code)
  WHERE n.codeKey STARTS WITH key
    AND (q.systems IS NULL OR n.system IN q.systems)
    AND CASE
      WHEN q.asOf IS NULL THEN NOT q.billableOnly OR true IN n.versionBillable
      ELSE coalesce(last([k IN range(0, size(n.versionFrom) - 1)
        WHERE n.versionFrom[k] <= q.asOf AND q.asOf <= n.versionTo[k]
        | n.versionBillable[k] OR NOT q.billableOnly]), false)
    END
  WITH DISTINCT n
  ORDER BY size(n.codeKey), n.id
  LIMIT $candidateLimit
  RETURN n
  UNION
  UNWIND CASE WHEN q.words IS NULL THEN [] ELSE [q.words] END AS words
  CALL db.index.fulltext.queryNodes('code_search', words) YIELD node, score
  WHERE (q.systems IS NULL OR node.system IN q.systems)
    AND CASE
      WHEN q.asOf IS NULL THEN NOT q.billableOnly OR true IN node.versionBillable
      ELSE coalesce(last([k IN range(0, size(node.versionFrom) - 1)
        WHERE node.versionFrom[k] <= q.asOf AND q.asOf <= node.versionTo[k]
        | node.versionBillable[k] OR NOT q.billableOnly]), false)
    END
  WITH node
  ORDER BY score DESC
  LIMIT $candidateLimit
  RETURN node AS n
}
RETURN q.i AS i,
  collect(n {.id, .system, .code, .kind, .level, .versions, .synonyms, .noMapTo}) AS candidates
