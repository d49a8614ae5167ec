// Candidate edges for successor walks: REPLACES followed backwards (old code to the new
// codes replacing it), up to q.maxDepth edges, as the embedded store walks them:
// - none for a code valid on q.asOf: it needs no successor, whatever replaces it later;
// - only replacements in force on q.asOf (effective <= q.asOf);
// - through codes not valid on q.asOf: a valid code ends its branch, so paths through one
//   are dropped.
// The adapter runs the breadth-first walk of the embedded store over these edges.
UNWIND $queries AS q
MATCH (start:Code {id: q.id})
WHERE none(k IN range(0, size(start.versionFrom) - 1)
  WHERE start.versionFrom[k] <= q.asOf AND q.asOf <= start.versionTo[k])
MATCH p = (start)<-[:REPLACES*1..50]-(:Code)
WHERE length(p) <= q.maxDepth
  AND all(r IN relationships(p) WHERE r.effective <= q.asOf)
  AND none(x IN nodes(p)[1..-1] WHERE any(k IN range(0, size(x.versionFrom) - 1)
    WHERE x.versionFrom[k] <= q.asOf AND q.asOf <= x.versionTo[k]))
WITH DISTINCT q.i AS i, nodes(p)[-2].id AS replaced, last(relationships(p)) AS edge, last(nodes(p)) AS successor
RETURN i, replaced, edge, successor
