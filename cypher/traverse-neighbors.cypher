// Direct neighbours along one relation, for a batch of queries: one row per query whose
// code exists, with the count of all matches and one page of them. Ordering and paging
// happen here, so only the page crosses the wire:
//   PAIRED_WITH (q.byScore): strongest first, unscored last, then by neighbour id;
//   other relations: edges leaving the code first, each side by neighbour id.
// Parallel edges between the same two codes fall back to the edge key.
// Pairings and exclusions (q.datedNeighbours, DATED_NEIGHBOUR_RELATIONS in
// src/domain/relationship.ts) list only neighbours with a version valid on q.asOf: a
// pairing with a code that did not exist then is no advice for that date. Filtered before
// counting and paging, as the embedded store does. An empty q.kinds or q.systems list
// matches nothing (`x IN []` is false); null means no filter.
// With q.inherited, the notes the code takes from the codes above it (q.inheritedKinds:
// tabular instructions and exclusions on a chapter, block or category apply to every code
// below) come too, leaving the code: depth is one more than the levels up to the bearer,
// and they sort after the code's own outgoing edges, nearest bearer first (for pairings
// within equal scores). The hierarchy is a tree on any date, so each bearer is met once;
// the bound 10 is MAX_INHERITANCE_DEPTH in src/domain/relationship.ts.
// The relation is compared as a value with type(r): it is never spliced into the text.
// That costs a look at each relationship of the code, which is cheap at the fan-out of
// code hierarchies; a typed expand per relation would matter only for very dense nodes.
UNWIND $queries AS q
MATCH (n:Code {id: q.id})
CALL (q, n) {
  MATCH (n)-[r]->(m:Code)
  WHERE q.direction <> 'IN' AND type(r) = q.relation
  RETURN r, n AS bearer, m, 0 AS side, 1 AS depth
  UNION ALL
  MATCH (n)<-[r]-(m:Code)
  WHERE q.direction <> 'OUT' AND type(r) = q.relation
  RETURN r, n AS bearer, m, 1 AS side, 1 AS depth
  UNION ALL
  MATCH up = (n)-[:SUBSET_OF*1..10]->(a:Code)
  WHERE q.inherited AND q.direction <> 'IN'
    AND all(s IN relationships(up) WHERE (s.validFrom IS NULL OR s.validFrom <= q.asOf)
      AND (s.validTo IS NULL OR q.asOf <= s.validTo))
  WITH q, a, min(length(up)) AS levels
  MATCH (a)-[r]->(m:Code)
  WHERE type(r) = q.relation AND r.kind IN q.inheritedKinds
  RETURN r, a AS bearer, m, 0 AS side, levels + 1 AS depth
}
WITH q, r, bearer, m, side, depth
WHERE (r.validFrom IS NULL OR r.validFrom <= q.asOf)
  AND (r.validTo IS NULL OR q.asOf <= r.validTo)
  AND (q.kinds IS NULL OR r.kind IN q.kinds)
  AND (q.systems IS NULL OR m.system IN q.systems)
  AND (NOT q.datedNeighbours OR any(k IN range(0, size(m.versionFrom) - 1)
    WHERE m.versionFrom[k] <= q.asOf AND q.asOf <= m.versionTo[k]))
WITH q, r, bearer, m, side, depth
ORDER BY
  q.i,
  CASE WHEN q.byScore THEN r.score IS NULL ELSE false END,
  CASE WHEN q.byScore THEN -r.score ELSE 0 END,
  CASE WHEN q.byScore THEN 0 ELSE side END,
  depth,
  m.id,
  side,
  r.key
WITH q, collect({edge: r, node: m, side: side, depth: depth,
  bearer: CASE WHEN depth > 1 THEN bearer END}) AS rows
RETURN q.i AS i, size(rows) AS total, rows[q.offset..q.offset + q.limit] AS page
