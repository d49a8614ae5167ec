// Imported releases of a batch of systems, oldest first within each system.
UNWIND $systems AS wanted
MATCH (r:Release {system: wanted})
RETURN r
ORDER BY r.system, r.effective, r.version
