// The full-text index search needs, as it stands: readiness wants it ONLINE, and
// `db:migrate` compares its definition with the one schema.cypher asks for (CREATE ...
// IF NOT EXISTS leaves an existing index as it is, whatever its analyzer).
SHOW FULLTEXT INDEXES YIELD name, state, labelsOrTypes, properties, options
WHERE name = 'code_search'
RETURN state, labelsOrTypes, properties, options
