// Candidate edges for ancestor walks (SUBSET_OF, direction OUT): every edge on an
// upward path of at most q.maxDepth edges that are all valid on q.asOf. A code usually
// has one parent, so this is a short chain; the adapter walks it in TypeScript exactly as
// the embedded store does (at each step the valid edge to the lowest parent id).
// The literal bound 50 is the largest MAX_TRAVERSAL_DEPTH the configuration accepts;
// variable-length bounds cannot be parameters.
UNWIND $queries AS q
MATCH p = (:Code {id: q.id})-[:SUBSET_OF*1..50]->(:Code)
WHERE length(p) <= q.maxDepth
  AND all(r IN relationships(p) WHERE (r.validFrom IS NULL OR r.validFrom <= q.asOf)
    AND (r.validTo IS NULL OR q.asOf <= r.validTo))
WITH DISTINCT q.i AS i, nodes(p)[-2].id AS child, last(relationships(p)) AS edge, last(nodes(p)) AS parent
RETURN i, child, edge, parent
