// The schema every statement relies on. `codegraph db:migrate` runs each statement in
// turn; IF NOT EXISTS makes a second run change nothing.

// Code ids (`ICD10CM:E11.9`) identify nodes: MERGE on load and every look-up by id.
CREATE CONSTRAINT code_id IF NOT EXISTS
FOR (n:Code) REQUIRE n.id IS UNIQUE;

// Code-system nodes (CPT, HCPCS, ..., and the two families).
CREATE CONSTRAINT code_system_id IF NOT EXISTS
FOR (s:CodeSystem) REQUIRE s.id IS UNIQUE;

// Releases are replaced by system and version, held together in `key` (`ICD10CM|FY2026`).
CREATE CONSTRAINT release_key IF NOT EXISTS
FOR (r:Release) REQUIRE r.key IS UNIQUE;

// Edge identity: every relationship carries `key` (edgeKey in src/domain/graph.ts; for
// the links between code systems, RELATION|FROM|TO), and loads MERGE on it. These make a
// second relationship with the same key impossible, even from two loads at once, and give
// MERGE an index to find it by. Relationship property uniqueness constraints need Neo4j
// 5.7 or later; Community Edition has them.
CREATE CONSTRAINT subset_of_key IF NOT EXISTS
FOR ()-[r:SUBSET_OF]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT paired_with_key IF NOT EXISTS
FOR ()-[r:PAIRED_WITH]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT replaces_key IF NOT EXISTS
FOR ()-[r:REPLACES]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT maps_to_key IF NOT EXISTS
FOR ()-[r:MAPS_TO]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT excludes_key IF NOT EXISTS
FOR ()-[r:EXCLUDES]-() REQUIRE r.key IS UNIQUE;

// Counting and scanning one system's codes.
CREATE INDEX code_system IF NOT EXISTS
FOR (n:Code) ON (n.system);

// Looking a code up inside its system without the prefix.
CREATE INDEX code_code IF NOT EXISTS
FOR (n:Code) ON (n.code);

// Code-prefix search: `codeKey STARTS WITH 'E116'` is a range seek on this index.
CREATE INDEX code_key IF NOT EXISTS
FOR (n:Code) ON (n.codeKey);

// Releases of one system.
CREATE INDEX release_system IF NOT EXISTS
FOR (r:Release) ON (r.system);

// Title and synonym search. The indexed lists hold each title and synonym already split
// into words by src/domain/text.ts (lower case, no diacritics, one space between words),
// so the whitespace analyzer sees exactly the words the embedded store indexes. Fully
// consistent: a search right after a load sees what the load wrote.
CREATE FULLTEXT INDEX code_search IF NOT EXISTS
FOR (n:Code) ON EACH [n.titleTexts, n.synonymTexts]
OPTIONS {
  indexConfig: {
    `fulltext.analyzer`: 'whitespace',
    `fulltext.eventually_consistent`: false
  }
};
