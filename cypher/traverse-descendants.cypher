// Descendants along SUBSET_OF (direction IN), for a batch of queries: one row per query
// with the count of all matches and one page of them, in hierarchy order.
// A path is kept when each edge is valid on q.asOf and each code below the start has a
// version valid then (a code that was not valid hides its subtree, as in the embedded
// store). Sorting paths by their list of ids is a pre-order walk with siblings in id
// order: a parent's path is a prefix of its children's, so it sorts first.
// Each code carries its version spans as parallel lists (versionFrom, versionTo,
// versionBillable; open ends stored as 0000-01-01 and 9999-12-31), so "the version valid
// on a date" is a list comprehension here.
UNWIND $queries AS q
MATCH p = (:Code {id: q.id})<-[:SUBSET_OF*1..50]-(m:Code)
WHERE length(p) <= q.maxDepth
  AND all(r IN relationships(p) WHERE (r.validFrom IS NULL OR r.validFrom <= q.asOf)
    AND (r.validTo IS NULL OR q.asOf <= r.validTo))
  AND all(x IN nodes(p)[1..] WHERE any(k IN range(0, size(x.versionFrom) - 1)
    WHERE x.versionFrom[k] <= q.asOf AND q.asOf <= x.versionTo[k]))
WITH q, p, m,
  last([k IN range(0, size(m.versionFrom) - 1)
    WHERE m.versionFrom[k] <= q.asOf AND q.asOf <= m.versionTo[k] | m.versionBillable[k]]) AS billable
WHERE billable OR NOT q.billableOnly
WITH q, p, m
ORDER BY q.i, [x IN nodes(p) | x.id]
WITH q, collect({edge: last(relationships(p)), node: m, parent: nodes(p)[-2].id, depth: length(p)}) AS rows
RETURN q.i AS i, size(rows) AS total, rows[q.offset..q.offset + q.limit] AS page
