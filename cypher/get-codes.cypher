// Codes by id, for a batch of ids. One row per id found: the adapter puts the rows back
// in key order and answers a missing id with null.
UNWIND $ids AS id
MATCH (n:Code {id: id})
RETURN id, n
