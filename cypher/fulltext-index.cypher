// Readiness: Neo4j answers, and the full-text index search needs exists and is online.
SHOW FULLTEXT INDEXES YIELD name, state
WHERE name = 'code_search'
RETURN state
