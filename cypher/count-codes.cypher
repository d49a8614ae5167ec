// Codes per system, for a batch of queries: all held (q.asOf null), or valid on q.asOf;
// billable only when asked (on the date, or in any version when there is no date).
UNWIND $queries AS q
CALL (q) {
  MATCH (n:Code {system: q.system})
  WHERE CASE
    WHEN q.asOf IS NULL THEN NOT q.billableOnly OR true IN n.versionBillable
    ELSE coalesce(last([k IN range(0, size(n.versionFrom) - 1)
      WHERE n.versionFrom[k] <= q.asOf AND q.asOf <= n.versionTo[k]
      | n.versionBillable[k] OR NOT q.billableOnly]), false)
  END
  RETURN count(n) AS codes
}
RETURN q.i AS i, codes
