// Upserts a batch of SUBSET_OF edges. The edge's identity is its key (edgeKey in
// src/domain/graph.ts): MERGE on it, then SET = replaces every property. One file per
// relationship type because Cypher 5 cannot take a type as a parameter.
UNWIND $rows AS row
MATCH (a:Code {id: row.from})
MATCH (b:Code {id: row.to})
MERGE (a)-[r:SUBSET_OF {key: row.key}]->(b)
SET r = row.props
RETURN count(r) AS written
