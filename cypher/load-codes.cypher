// Upserts a batch of codes: the node with the row's id takes exactly the row's
// properties (SET = replaces them all), so a reload leaves no stale property behind.
UNWIND $rows AS row
MERGE (n:Code {id: row.id})
SET n = row
RETURN count(n) AS written
