// Candidate edges for successor walks: REPLACES followed backwards (old code to the new
// codes replacing it) through codes that are not valid on q.asOf, up to q.maxDepth
// edges. A code valid on the date ends its branch, so paths through one are dropped.
// The adapter runs the breadth-first walk of the embedded store over these edges.
UNWIND $queries AS q
MATCH p = (:Code {id: q.id})<-[:REPLACES*1..50]-(:Code)
WHERE length(p) <= q.maxDepth
  AND none(x IN nodes(p)[1..-1] WHERE any(k IN range(0, size(x.versionFrom) - 1)
    WHERE x.versionFrom[k] <= q.asOf AND q.asOf <= x.versionTo[k]))
WITH DISTINCT q.i AS i, nodes(p)[-2].id AS replaced, last(relationships(p)) AS edge, last(nodes(p)) AS successor
RETURN i, replaced, edge, successor
