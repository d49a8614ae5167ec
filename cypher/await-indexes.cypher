// Waits until every index is online, so the first search after a migration finds them.
CALL db.awaitIndexes($timeoutSeconds)
