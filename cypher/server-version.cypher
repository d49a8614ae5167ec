// The server's version and edition. The statements need Neo4j 5.23 or later (CALL (x) {
// ... } subqueries), so readiness and `db:migrate` check this first and say so plainly
// rather than fail on a syntax error.
CALL dbms.components() YIELD name, versions, edition
WHERE name = 'Neo4j Kernel'
RETURN versions[0] AS version, edition
