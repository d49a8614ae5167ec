// Descendants along SUBSET_OF (direction IN), for a batch of queries: one row per query
// with the count of all matches and one page of them, in hierarchy order.
// A path is kept when each edge is valid on q.asOf and each code below the start has a
// version valid then (a code that was not valid hides its subtree, as in the embedded
// store). Paths are sorted by their steps, each step [code id, edge key] (SUBSET_OF runs
// child to parent, so a step's start node is the code it reaches): a pre-order walk with
// siblings in id order, since a parent's path is a prefix of its children's and sorts
// first. The key orders a child hung twice under its parent on the date (two sources'
// edges) as the embedded store does: the first edge and its whole subtree, then the
// second and its subtree. Ids alone would tie the two and interleave the subtrees.
// Each code carries its version spans as parallel lists (versionFrom, versionTo,
// versionBillable; open ends stored as 0000-01-01 and 9999-12-31, starts never before the
// system's first day), so "the version valid on a date" is a list comprehension here.
//
// Cost. The total needs every matching path, so the walk visits the whole subtree down to
// q.maxDepth (a chapter of ICD-10-CM: tens of thousands of paths) whatever the page size.
// What it avoids:
// - walking deeper than asked: a variable-length bound must be a literal, so depths 1 and
//   2 (children, grandchildren: the common requests) have branches with literal bounds;
//   deeper requests use the bound 50 and filter on length(p);
// - walking into subtrees it will drop: the validity conditions are written as
//   all(... IN relationships(p) ...) and all(... IN nodes(p) ...), the forms Neo4j's
//   planner can check during the expansion (the start node is exempted by id, being
//   the one code that need not be valid);
// - carrying nodes through the sort: only the paths (references) and their step lists
//   (an id and a key per edge: a few hundred bytes for a deep path) are sorted;
//   properties of codes are read for the page alone.
UNWIND $queries AS q
CALL (q) {
  CALL (q) {
    WITH q
    WHERE q.maxDepth = 1
    MATCH p = (:Code {id: q.id})<-[r:SUBSET_OF]-(m:Code)
    WHERE (r.validFrom IS NULL OR r.validFrom <= q.asOf)
      AND (r.validTo IS NULL OR q.asOf <= r.validTo)
      AND any(k IN range(0, size(m.versionFrom) - 1)
        WHERE m.versionFrom[k] <= q.asOf AND q.asOf <= m.versionTo[k])
    RETURN p
    UNION ALL
    WITH q
    WHERE q.maxDepth = 2
    MATCH p = (:Code {id: q.id})<-[:SUBSET_OF*1..2]-(:Code)
    WHERE all(r IN relationships(p) WHERE (r.validFrom IS NULL OR r.validFrom <= q.asOf)
        AND (r.validTo IS NULL OR q.asOf <= r.validTo))
      AND all(x IN nodes(p) WHERE x.id = q.id OR any(k IN range(0, size(x.versionFrom) - 1)
        WHERE x.versionFrom[k] <= q.asOf AND q.asOf <= x.versionTo[k]))
    RETURN p
    UNION ALL
    WITH q
    WHERE q.maxDepth > 2
    MATCH p = (:Code {id: q.id})<-[:SUBSET_OF*1..50]-(:Code)
    WHERE length(p) <= q.maxDepth
      AND all(r IN relationships(p) WHERE (r.validFrom IS NULL OR r.validFrom <= q.asOf)
        AND (r.validTo IS NULL OR q.asOf <= r.validTo))
      AND all(x IN nodes(p) WHERE x.id = q.id OR any(k IN range(0, size(x.versionFrom) - 1)
        WHERE x.versionFrom[k] <= q.asOf AND q.asOf <= x.versionTo[k]))
    RETURN p
  }
  WITH q, p, last(nodes(p)) AS m
  WHERE NOT q.billableOnly
    OR last([k IN range(0, size(m.versionFrom) - 1)
      WHERE m.versionFrom[k] <= q.asOf AND q.asOf <= m.versionTo[k] | m.versionBillable[k]])
  WITH p
  ORDER BY [r IN relationships(p) | [startNode(r).id, r.key]]
  RETURN collect(p) AS found
}
RETURN q.i AS i, size(found) AS total,
  [p IN found[q.offset..q.offset + q.limit] |
    {edge: last(relationships(p)), node: last(nodes(p)), parent: nodes(p)[-2].id, depth: length(p)}] AS page
