// One chunk of edges for exports: the edges leaving the next $limit codes in id order.
// Paging by the source code's id keeps every chunk an index range seek.
MATCH (a:Code)
WHERE a.id > $after
WITH a
ORDER BY a.id
LIMIT $limit
RETURN a.id AS source, [(a)-[r]->(b:Code) | {edge: r, target: b.id}] AS edges
ORDER BY source
