// Upserts a batch of releases by system and version (held together in `key`).
UNWIND $rows AS row
MERGE (r:Release {key: row.key})
SET r = row
RETURN count(r) AS written
