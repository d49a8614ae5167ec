// One chunk of a system's codes in id order, after the last id of the previous chunk.
// $after and $before bound the id range of the system (`ICD9CM:` .. `ICD9CM;`), so the
// unique index on id serves both the range and the order.
MATCH (n:Code)
WHERE n.id > $after AND n.id < $before AND n.system = $system
RETURN n
ORDER BY n.id
LIMIT $limit
